"""The outputs written once the whole crawl is in, in order. Each is write(files, site)."""
from __future__ import annotations

from timetable_spider.publishing import SiteFiles
from timetable_spider.writers import CrawledSite, index_page, json_data, timetables_json
from timetable_spider.writers.ics import CalendarWriter
from timetable_spider.writers.change_log import write_change_log
from timetable_spider.writers.page import write_page
from timetable_spider.writers.teachers_rooms_subjects import write_teachers_rooms_subjects


def write_site_data(files: SiteFiles, site: CrawledSite) -> None:
    """data/rooms.json, data/index.json and data/site.json."""
    files.write("data/rooms.json", json_data.dumps(site.rooms))
    # compact: the students' page loads it on every first visit
    files.write("data/index.json", json_data.dumps(site.index, indent=None))
    files.write("data/site.json", json_data.dumps(timetables_json.site_data(
        site.semester, site.academic_year, site.tables, CalendarWriter(site.academic_year_start).vtimezone,
        site.settings.get("FEEDS_URL"))))


def write_calendar_list(files: SiteFiles, site: CrawledSite) -> None:
    """calendars.html: every calendar as a link, by specialization, year and group; the page
    for browsers without JavaScript (index.html, the students' page, links to it)."""
    files.write("calendars.html", index_page.render(index_page.links(site.index, site.records), site.semester,
                                                site.started.strftime("%Y-%m-%d %H:%M UTC")))


SITE_WRITERS = (write_site_data, write_calendar_list, write_page, write_change_log, write_teachers_rooms_subjects)
