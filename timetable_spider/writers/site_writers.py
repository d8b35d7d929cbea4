"""The whole-site outputs: the page as the build starts, the rest at the crawl's end, in order."""
from __future__ import annotations

from timetable_spider import site_paths
from timetable_spider.publishing import BackgroundSiteFiles, SiteFiles
from timetable_spider.writers import CrawledSite, academic_year, change_log, index_page, json_data, timetables_json
from timetable_spider.writers.page import write_page
from timetable_spider.writers.schemas import write_schemas
from timetable_spider.writers.teachers_rooms_subjects import TeacherRoomSubjectCalendars

SITE_DATA = ("data/rooms.json", "data/index.json", "data/site.json")
CALENDAR_LIST = "calendars.html"


def write_site_data(files: SiteFiles, site: CrawledSite) -> None:
    """data/rooms.json, data/index.json and data/site.json."""
    rooms, index, site_data = SITE_DATA
    files.write(rooms, json_data.dumps(site.rooms))
    # compact: the students' page loads it on every first visit
    files.write(index, json_data.dumps(site.index, indent=None))
    files.write(site_data, json_data.dumps(timetables_json.site_data(
        site.semester, site.academic_year, site.tables, site.settings.get("FEEDS_URL"),
        academic_year.calendar_files(site))))


def write_calendar_list(files: SiteFiles, site: CrawledSite) -> None:
    """calendars.html: every calendar as a link, by specialization, year and group; the page
    for browsers without JavaScript (index.html, the students' page, links to it)."""
    files.write(CALENDAR_LIST, index_page.page(index_page.links(site.index, site.records), site.semester,
                                              site.started, files.read_published(CALENDAR_LIST)))


class SiteWriters:
    """Every whole-site output, each write(files, site), which may return counts for status.json;
    the teacher, room and subject calendars are started first and collected last.

    The page and the schemas need nothing of the crawl, so they are written as the build starts. The files written
    at the end are reserved as soon as their names are known (SiteFiles.reserve), and the teacher,
    room and subject calendars follow each spec page as it is written, so that little is left for
    the end of the crawl. own_process: gather those calendars in a worker process.
    """

    def __init__(self, build: BackgroundSiteFiles, academic_year_start: int, *, own_process: bool):
        self.build = build
        self.teacher_room_subject_calendars = TeacherRoomSubjectCalendars(
            build.site_dir, build.path, academic_year_start, own_process=own_process)
        self.writers = [write_site_data, write_calendar_list, change_log.write_change_log,
                        academic_year.write_academic_year_calendars]
        write_page(build)
        write_schemas(build)
        build.reserve([*SITE_DATA, CALENDAR_LIST, *change_log.SITE_FILES])

    def page_written(self, code: str) -> None:
        """A spec page's calendars and data file are in the staging site."""
        self.teacher_room_subject_calendars.page_written(code)
        self.build.reserve([*change_log.page_files(code), site_paths.academic_year_file_name(code)])

    def write(self, files: SiteFiles, site: CrawledSite) -> dict[str, int]:
        # the teacher, room and subject calendars, the biggest part, first: their process writes
        # them while this one writes the rest
        teacher_room_subject_counts = self.teacher_room_subject_calendars.begin(site)
        counts: dict[str, int] = {}
        for write in self.writers:
            counts.update(write(files, site) or {})
        return counts | teacher_room_subject_counts(files)

    def close(self) -> None:
        self.teacher_room_subject_calendars.close()
