"""The students' page in a real browser (Debian's Chromium through Playwright), against a crawl
of the simulated UBB site: finding a timetable, the week grid against the published calendars,
changes, the downloaded .ics, share links, subscribing, the phone layout, offline use.

The page's "today" is frozen with Playwright's clock, or given by the share link's date=.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from urllib.parse import parse_qs, quote, urlsplit
from urllib.request import urlopen

import pytest
from playwright.sync_api import Page, expect

from tests.page_fixtures import (browser, browser_context_args, browser_type, browser_type_launch_args,  # noqa: F401
                                 changed_site, events_by_uid, header, launch_browser, now, occurrences, pick_ie2_921, playwright,
                                 published_site, shown_week, vevents, wait_for_async, wait_for_week, week_of)
from tests.page_server import PageServer
from tests.serving import ServeProcess
from timetable_spider import personal_feeds

CODE, GROUP = "IE2", "921"
ODD_WEEK, EVEN_WEEK, EASTER_WEEK = "2026-03-09", "2026-03-16", "2026-04-13"  # teaching weeks 3 and 4; Easter


def open_page(page: Page, site, query: str) -> None:
    page.goto(site.url(f"index.html{query}"))
    wait_for_week(page)


def calendar_file(site, code: str, group: str, subgroup: int | None) -> str:
    group_data = next(g for g in site.timetable(code)["groups"] if g["name"] == group)
    return next(c["file"] for c in group_data["calendars"] if c["subgroup"] == subgroup)


def published(site, subgroup: int | None, code: str = CODE, group: str = GROUP) -> bytes:
    return site.calendar_path(code, calendar_file(site, code, group, subgroup)).read_bytes()


# -- finding a timetable ---------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("informatica engl", "Informatica - in limba engleza"),
    ("INFORMATICĂ ENGL", "Informatica - in limba engleza"),
    ("mate info maghiara", "Matematica informatica - linia de studiu maghiara"),
    ("matematică informatică maghiară", "Matematica informatica - linia de studiu maghiara"),
])
def test_search_finds_a_specialization_in_any_case_with_or_without_diacritics(page: Page, published_site, typed, expected):
    names = [spec["name"] for spec in published_site.json("data/index.json")]
    assert expected in names
    page.goto(published_site.url("index.html"))
    page.get_by_role("combobox", name="Specialization or group").fill(typed)
    first = page.locator("#results").get_by_role("option").first
    expect(first).to_contain_text(expected)
    page.get_by_role("combobox", name="Specialization or group").press("Enter")
    expect(page.locator("#picked-spec")).to_contain_text(expected)


def test_search_by_group_number_opens_that_group(page: Page, published_site):
    page.goto(published_site.url("index.html"))
    page.get_by_role("combobox", name="Specialization or group").fill("921")
    option = page.get_by_role("option", name=re.compile(r"^Group 921\b"))
    expect(option).to_contain_text("Informatica - in limba engleza")
    option.click()
    wait_for_week(page)
    assert parse_qs(urlsplit(page.url).query) == {"code": [CODE], "group": [GROUP], "subgroup": ["all"]}
    expect(page.locator("#choice-summary")).to_have_text("IE2 · 921")


def test_pick_year_group_and_subgroup_and_the_page_remembers(page: Page, published_site):
    page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))
    page.goto(published_site.url("index.html"))
    pick_ie2_921(page)
    page.get_by_text("Subgroup 2", exact=True).click()
    expect(page.locator("#choice-summary")).to_have_text("IE2 · 921/2")
    expected = week_of(published(published_site, 2), ODD_WEEK)
    assert shown_week(page) == expected

    page.goto(published_site.url("index.html"))  # no query: the last choice, from localStorage
    wait_for_week(page)
    expect(page.locator("#choice-summary")).to_have_text("IE2 · 921/2")
    assert shown_week(page) == expected


# -- the week against the published calendar -----------------------------------------------------

@pytest.mark.parametrize("subgroup, monday, week, parity", [
    (1, ODD_WEEK, 3, "odd week"),
    (1, EVEN_WEEK, 4, "even week"),
    (2, ODD_WEEK, 3, "odd week"),
    (2, EVEN_WEEK, 4, "even week"),
    (None, ODD_WEEK, 3, "odd week"),
])
def test_week_grid_shows_exactly_the_published_calendars_week(page: Page, published_site, subgroup, monday, week, parity):
    wednesday = monday[:-2] + f"{int(monday[-2:]) + 2:02d}"
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup={subgroup or 'all'}&date={wednesday}")
    expected = week_of(published(published_site, subgroup), monday)
    assert expected, "the published calendar has classes that week"
    assert shown_week(page) == expected
    expect(page.locator("#week-title")).to_contain_text(f"Week {week}")
    expect(page.locator("#week-parity")).to_contain_text(parity)


def test_odd_and_even_weeks_differ_where_the_calendar_says(page: Page, published_site):
    """Paging from an odd to an even week shows that week's classes: classes of one parity come and go."""
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    odd = shown_week(page)
    page.get_by_role("button", name="Next week").click()
    even = shown_week(page)
    ics = published(published_site, 1)
    assert odd == week_of(ics, ODD_WEEK) and even == week_of(ics, EVEN_WEEK)
    assert {uid for uid, *_ in odd} != {uid for uid, *_ in even}
    assert "date=" in page.url  # the shown week is in the link now


def test_holiday_week_has_no_classes_and_says_why(page: Page, published_site):
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date=2026-04-15")
    assert week_of(published(published_site, 1), EASTER_WEEK) == set()
    assert shown_week(page) == set()
    expect(page.locator("#between")).to_contain_text("Easter holiday")
    expect(page.locator("#week-parity")).to_have_text("No teaching this week")


def test_overlapping_classes_sit_side_by_side(page: Page, published_site):
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=all&date={ODD_WEEK}")
    boxes = page.eval_on_selector_all("#grid [data-uid]", """all => all.map(e => {
        const r = e.getBoundingClientRect();
        return [e.closest('.day').dataset.date, e.querySelector('.class-time').textContent, r.left, r.right, r.top, r.bottom];
    })""")

    def minutes(text):
        return [int(t[:2]) * 60 + int(t[3:]) for t in text.split("–")]
    overlapping = 0
    for n, (day, times, left, right, top, bottom) in enumerate(boxes):
        for other_day, other_times, other_left, other_right, other_top, other_bottom in boxes[n + 1:]:
            (start, end), (other_start, other_end) = minutes(times), minutes(other_times)
            if day == other_day and start < other_end and other_start < end:
                overlapping += 1
                assert right <= other_left + 1 or other_right <= left + 1, (day, times, other_times)
    assert overlapping, "the whole group has classes at the same time in that week"


def test_a_day_off_is_marked_and_empty(page: Page, published_site):
    """Friday 1 May 2026 is a day off (the notes of the teaching period say so)."""
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=all&date=2026-04-29")
    assert shown_week(page) == week_of(published(published_site, None), "2026-04-27")
    friday = page.locator('.day[data-date="2026-05-01"]')
    expect(friday).to_have_class(re.compile(r"\boff\b"))
    expect(friday).to_contain_text("Day off: Ziua Muncii")  # named as the calendar's notes name it
    assert friday.locator("[data-uid]").count() == 0


@pytest.mark.parametrize("today, monday", [
    ("2026-03-11T09:00:00+02:00", ODD_WEEK),  # a teaching week: that week
    ("2026-04-15T09:00:00+03:00", EASTER_WEEK),  # Easter holiday: that week, which says what it is
    ("2026-03-15T12:00:00+02:00", EVEN_WEEK),  # a Sunday: the coming week
])
def test_opens_on_the_current_week(page: Page, published_site, today, monday):
    page.clock.set_fixed_time(now(today))
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1")
    assert page.locator(".day").first.get_attribute("data-date") == monday
    assert "date=" not in page.url


def test_class_detail_names_teacher_room_formation_and_weeks(page: Page, published_site):
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    timetable = published_site.timetable(CODE)
    one = next(c for c in timetable["classes"] if c["formation"] == f"{GROUP}/1" and c["parity"] == 1)
    page.locator(f'[data-uid="{one["uid"]}"]').click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(one["subject"])
    expect(dialog).to_contain_text(one["teacher"])
    expect(dialog).to_contain_text(one["location"])
    expect(dialog).to_contain_text(one["formation"])
    expect(dialog).to_contain_text("odd weeks (sapt. 1)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


# -- making it yours, and the download ---------------------------------------------------------------

def chosen_subjects(timetable: dict, group: str) -> tuple[dict, dict, dict]:
    """From a group's classes: a subject whose labs differ between subgroups (to take), a subject
    with seminars and another type (to hide its seminars), and another subject (to hide)."""
    classes = [timetable["classes"][n] for n in next(g for g in timetable["groups"] if g["name"] == group)["classes"]]
    by_subject: dict[str, list[dict]] = {}
    for one in classes:
        by_subject.setdefault(one["subject_code"], []).append(one)

    def labs(code, subgroup):
        return {(c["day"], c["start"], c["parity"]) for c in by_subject[code] if c["formation"] == f"{group}/{subgroup}"}
    take = next(code for code in by_subject if labs(code, 1) and labs(code, 2) and labs(code, 1) != labs(code, 2))
    seminar = next(code for code in by_subject if code != take and {c["type"] for c in by_subject[code]} > {"S"})
    hide = next(code for code in by_subject if code not in (take, seminar))
    return by_subject[take][0], by_subject[seminar][0], by_subject[hide][0]


def expected_after_changes(site, take: dict, seminar: dict, hide: dict) -> set[str]:
    """The UIDs of subgroup 1's calendar with those changes, from the published calendars."""
    classes = {c["uid"]: c for c in site.timetable(CODE)["classes"]}
    mine, theirs = events_by_uid(published(site, 1)), events_by_uid(published(site, 2))
    kept = {uid for uid in mine if classes[uid]["subject_code"] != hide["subject_code"]
            and not (classes[uid]["subject_code"] == seminar["subject_code"] and classes[uid]["type"] == "S")
            and not (classes[uid]["subject_code"] == take["subject_code"] and "/" in classes[uid]["formation"])}
    taken = {uid for uid in theirs if classes[uid]["subject_code"] == take["subject_code"]
             and classes[uid]["formation"] == f"{GROUP}/2"}
    return kept | taken


def make_changes(page: Page, take: dict, seminar: dict, hide: dict) -> None:
    page.locator("#customize > summary").click()
    page.get_by_role("checkbox", name=hide["subject"], exact=True).uncheck()
    page.get_by_role("checkbox", name=f"{seminar['subject']}: Seminars").uncheck()
    page.get_by_role("combobox", name=f"{take['subject']}: Lab with").select_option(f"{take['subject_code']}:2")


def test_changes_change_the_grid_and_the_download_exactly_so(page: Page, published_site):
    take, seminar, hide = chosen_subjects(published_site.timetable(CODE), GROUP)
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    before = shown_week(page)
    make_changes(page, take, seminar, hide)
    expected_uids = expected_after_changes(published_site, take, seminar, hide)

    def published_week(monday):
        return week_of(published(published_site, 1), monday, expected_uids) | week_of(published(published_site, 2), monday, expected_uids)
    assert shown_week(page) == published_week(ODD_WEEK) != before
    page.get_by_role("button", name="Next week").click()
    assert shown_week(page) == published_week(EVEN_WEEK)

    query = parse_qs(urlsplit(page.url).query)
    assert sorted(query["hide"]) == sorted([hide["subject_code"], f"{seminar['subject_code']}:S"])
    assert query["take"] == [f"{take['subject_code']}:2"]

    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download")).click()
    downloaded = open(download_info.value.path(), "rb").read()
    expected = occurrences(published(published_site, 1), uids=expected_uids) \
        | occurrences(published(published_site, 2), uids=expected_uids)
    assert occurrences(downloaded) == expected
    # every event byte for byte as published: same UID, DTSTAMP, text, RRULE and EXDATE
    published_events = {**vevents(published(published_site, 2)), **vevents(published(published_site, 1))}
    got = vevents(downloaded)
    assert set(got) == expected_uids
    assert all(got[uid] == published_events[uid] for uid in got)
    assert header(downloaded).split(b"BEGIN:VTIMEZONE")[1] == header(published(published_site, 1)).split(b"BEGIN:VTIMEZONE")[1]


def test_download_without_changes_is_the_published_calendar(page: Page, published_site):
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=2&date={ODD_WEEK}")
    download = page.get_by_role("button", name=re.compile("Download"))
    with page.expect_download() as download_info:
        download.click()
    assert download_info.value.suggested_filename == "IE2-921-2.ics"
    downloaded = open(download_info.value.path(), "rb").read()
    original = published(published_site, 2)
    assert header(downloaded) == header(original)
    assert vevents(downloaded) == vevents(original)
    assert downloaded.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_added_classes_of_another_group_are_shown(page: Page, published_site):
    timetable = published_site.timetable(CODE)
    other = next(g for g in timetable["groups"] if g["name"] != GROUP)
    lab = next(timetable["classes"][n] for n in other["classes"] if timetable["classes"][n]["formation"] == f"{other['name']}/1")
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    page.locator("#customize > summary").click()
    page.locator("#add-from").select_option(f"{other['name']}/1")
    page.locator("#add-subject").select_option(lab["subject_code"])
    page.get_by_role("button", name="Add", exact=True).click()
    assert parse_qs(urlsplit(page.url).query)["add"] == [f"{CODE}/{other['name']}/1:{lab['subject_code']}"]
    added_ics = published(published_site, 1, group=other["name"])
    subjects = {c["uid"]: c["subject_code"] for c in timetable["classes"]}
    added_uids = {uid for uid in events_by_uid(added_ics) if subjects[uid] == lab["subject_code"]}
    assert shown_week(page) == week_of(published(published_site, 1), ODD_WEEK) | week_of(added_ics, ODD_WEEK, added_uids)
    expect(page.locator(f'[data-uid="{lab["uid"]}"]')).to_have_class(re.compile(r"\badded\b"))


def test_a_lab_retaken_from_another_year_is_added_alone_and_the_download_is_its_feed(page: Page, published_site):
    """A second-year student retaking a first-year lab: only that lab, from I1's subgroup 211/1."""
    first_year = published_site.timetable("I1")
    group_211 = next(g for g in first_year["groups"] if g["name"] == "211")
    lab = next(first_year["classes"][n] for n in group_211["classes"] if first_year["classes"][n]["formation"] == "211/1"
               and first_year["classes"][n]["type"] == "L")
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    page.locator("#customize > summary").click()
    page.locator("#add-year").select_option("I1")
    page.locator("#add-from").select_option("211/1")
    page.locator("#add-subject").select_option(lab["subject_code"])
    page.locator("#add-type").select_option("L")
    page.get_by_role("button", name="Add", exact=True).click()
    query = urlsplit(page.url).query
    assert parse_qs(query)["add"] == [f"I1/211/1:{lab['subject_code']}:L"]
    their_labs = {c["uid"] for c in first_year["classes"]
                  if c["subject_code"] == lab["subject_code"] and c["type"] == "L" and c["formation"] == "211/1"}
    added_ics = published(published_site, 1, code="I1", group="211")
    assert shown_week(page) == week_of(published(published_site, 1), ODD_WEEK) | week_of(added_ics, ODD_WEEK, their_labs)

    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download")).click()
    downloaded = open(download_info.value.path(), "rb").read()
    faculty = {}
    for code in (CODE, "I1"):
        record = published_site.json(f"data/{code}.json")
        faculty[code] = personal_feeds.spec_feeds(record, {c["file"]: (published_site.root / record["directory"] / c["file"])
                                                           .read_bytes() for g in record["groups"] for c in g["calendars"]})
    calendar = faculty[CODE].calendars["921-1.ics"]
    choices = personal_feeds.parse_query("&".join(p for p in query.split("&") if p.startswith("add=")))
    feed = personal_feeds.personal_calendar(calendar, personal_feeds.personal_events(calendar, choices, faculty))
    assert vevents(downloaded) == vevents(feed)
    assert their_labs <= set(vevents(downloaded))


def test_the_download_is_the_personal_feed_of_the_same_choices(page: Page, published_site):
    """What the page builds is what `scrapy serve` answers for the share link's hide/take/add."""
    take, seminar, hide = chosen_subjects(published_site.timetable(CODE), GROUP)
    other = next(g["name"] for g in published_site.timetable(CODE)["groups"] if g["name"] != GROUP)
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    make_changes(page, take, seminar, hide)
    page.locator("#add-from").select_option(f"{other}/2")
    page.locator("#add-subject").select_option(hide["subject_code"])  # moved to another group
    page.get_by_role("button", name="Add", exact=True).click()
    query = urlsplit(page.url).query
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download")).click()
    downloaded = open(download_info.value.path(), "rb").read()

    record = published_site.json(f"data/{CODE}.json")
    texts = {c["file"]: (published_site.root / record["directory"] / c["file"]).read_bytes()
             for g in record["groups"] for c in g["calendars"]}
    faculty = {CODE: personal_feeds.spec_feeds(record, texts)}
    calendar = faculty[CODE].calendars["921-1.ics"]
    choices = personal_feeds.parse_query("&".join(p for p in query.split("&") if p.startswith(("hide=", "take=", "add="))))
    assert len(choices.hide) == 2 and len(choices.take) == 1 and len(choices.add) == 1
    feed = personal_feeds.personal_calendar(calendar, personal_feeds.personal_events(calendar, choices, faculty))
    assert header(downloaded) == header(feed)
    assert vevents(downloaded) == vevents(feed)


def test_after_a_change_the_download_carries_sequence_and_last_modified(page: Page, changed_site):
    """A course moved room: the page's events say SEQUENCE:1 and LAST-MODIFIED, exactly as published."""
    open_page(page, changed_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download")).click()
    downloaded = vevents(open(download_info.value.path(), "rb").read())
    original = vevents(published(changed_site, 1))
    assert downloaded == original
    moved = [uid for uid, block in original.items() if b"SEQUENCE:1\r\n" in block]
    assert moved and all(b"\r\nLAST-MODIFIED:" in original[uid] for uid in moved)


def test_changes_are_listed_and_the_changed_class_is_marked(page: Page, changed_site):
    log = changed_site.json(f"changes/{CODE}.json")
    moved = [c for c in log["crawls"][0]["changes"] if GROUP in c["groups"]]
    assert moved and all(c["fields"]["room"] == ["2/I", "C510"] for c in moved)
    open_page(page, changed_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    card = page.locator("#changes")
    card.locator("summary").click()
    expect(card.locator("li")).to_have_count(len(moved))
    expect(card.locator("li").first).to_contain_text("room 2/I → C510")
    expect(card.get_by_role("link", name=re.compile("Atom"))).to_have_attribute("href", log["feed"])
    shown = {uid for uid, *_ in shown_week(page)}
    marked = [c["uid"] for c in moved if c["uid"] in shown]
    assert marked
    for uid in marked:
        expect(page.locator(f'[data-uid="{uid}"]')).to_have_class(re.compile(r"\bchanged\b"))


# -- teachers, rooms and subjects ------------------------------------------------------------

KIND_LABELS = {"teacher": "Teacher", "room": "Room", "subject": "Subject"}


@pytest.mark.parametrize("kind", ["teacher", "room", "subject"])
def test_a_class_opens_its_teachers_rooms_or_subjects_published_week(page: Page, published_site, kind):
    listed = {entry["code"]: entry for entry in published_site.json(f"{kind}s/index.json")}
    shown_classes = {uid for uid, *_ in week_of(published(published_site, 1), ODD_WEEK)}
    one = next(c for c in published_site.timetable(CODE)["classes"]
               if c["uid"] in shown_classes and c[f"{kind}_code"] in listed)
    entry = listed[one[f"{kind}_code"]]
    page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    page.get_by_role("button", name="Make it mine").click()  # a link alone saves nothing
    page.locator(f'[data-uid="{one["uid"]}"]').click()
    page.get_by_role("dialog").get_by_role("link", name=re.compile(rf"^{KIND_LABELS[kind]} .*: see the week$")).click()
    wait_for_week(page)
    assert parse_qs(urlsplit(page.url).query) == {kind: [entry["code"]]}
    expect(page.locator("#choice-summary")).to_have_text(entry["name"])
    monday = page.locator(".day").first.get_attribute("data-date")
    published_calendar = (published_site.root / entry["calendar"]).read_bytes()
    assert shown_week(page) == week_of(published_calendar, monday) != set()
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Download")).click()
    assert open(download_info.value.path(), "rb").read() == published_calendar
    expect(page.get_by_role("link", name=re.compile("Back to your timetable"))).to_have_attribute(
        "href", f"?code={CODE}&group={GROUP}&subgroup=1")


def test_search_finds_a_teacher_without_diacritics(page: Page, published_site):
    teacher = next(t for t in published_site.json("teachers/index.json") if t["classes"] > 1)
    surname = next(word for word in teacher["name"].split() if word.isupper() and len(word) > 3)
    page.goto(published_site.url("index.html"))
    page.get_by_role("combobox", name="Specialization or group").fill(surname.lower())
    option = page.get_by_role("option", name=re.compile(re.escape(teacher["name"])))
    expect(option).to_contain_text("Teacher")
    option.click()
    wait_for_week(page)
    assert parse_qs(urlsplit(page.url).query)["teacher"] == [teacher["code"]]


def test_free_rooms_are_the_rooms_whose_calendars_have_no_class_then(page: Page, published_site):
    day, start, end = date(2026, 3, 10), "10:00", "12:00"
    free, busy = set(), set()
    for room in published_site.json("rooms/index.json"):
        held = occurrences((published_site.root / room["calendar"]).read_bytes(), day, day + timedelta(days=1))
        taken = any(times.split("–")[0] < end and start < times.split("–")[1] for _, _, times, *_ in held)
        (busy if taken else free).add(room["name"])
    assert free and busy
    page.goto(published_site.url("index.html"))
    page.locator("#free-rooms > summary").click()
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("From").select_option(start)
    page.get_by_label("To").select_option(end)
    expect(page.locator(".free-count")).to_contain_text(f"{len(free)} of the {len(free) + len(busy)} rooms")
    assert set(page.locator(".free-list a").all_inner_texts()) == free


def test_free_rooms_start_at_the_hour_it_is_in_cluj_wherever_the_browser_is(browser, published_site):
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(now("2026-03-10T09:30:00+02:00"))  # 07:30 in UTC
        page.goto(published_site.url("index.html"))
        page.locator("#free-rooms > summary").click()
        expect(page.get_by_label("From")).to_have_value("09:00")
        expect(page.get_by_label("To")).to_have_value("11:00")
    finally:
        context.close()


def test_a_teachers_week_needs_only_its_own_timetable(browser, published_site, tmp_path):
    """Offline, the service worker has the week's data/ file but not teachers/index.json."""
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    teacher = json.loads((site / "teachers/index.json").read_text("utf-8"))[0]
    (site / "teachers/index.json").unlink()
    server = PageServer(site).start()
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(server.url(f"index.html?teacher={teacher['code']}&date={ODD_WEEK}"))
        wait_for_week(page)
        expect(page.locator("#choice-summary")).to_have_text(teacher["name"])
        assert shown_week(page) == week_of((site / teacher["calendar"]).read_bytes(), ODD_WEEK)
    finally:
        context.close()
        server.stop()


def test_while_the_new_semester_is_not_published_the_page_says_whose_timetable_it_shows(browser, published_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    status = json.loads((site / "data/status.json").read_text("utf-8"))
    status.update(outcome="waiting", semester="2026-1",
                  waiting={"semester": "2026-1", "published_semester": "2025-2", "since": "2026-09-28", "days": 3,
                           "wait_days": 21})
    (site / "data/status.json").write_text(json.dumps(status), "utf-8")
    server = PageServer(site).start()
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(server.url("index.html"))
        expect(page.locator("#trust")).to_contain_text("Semester 2025-2")
        expect(page.locator("#trust .outcome")).to_have_text("The 2026-1 timetable is not published yet; this is 2025-2's.")
    finally:
        context.close()
        server.stop()


def test_the_page_works_where_storage_is_blocked(page: Page, published_site):
    page.add_init_script("""Object.defineProperty(window, "localStorage", {
        get() { throw new DOMException("The operation is insecure.", "SecurityError"); } });""")
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    assert shown_week(page) == week_of(published(published_site, 1), ODD_WEEK)
    page.locator("#language").select_option("ro")
    expect(page.locator("#week-title")).to_contain_text("Săptămâna 3")


# -- share links ---------------------------------------------------------------------------------

def test_share_link_round_trips_the_choice_and_changes(page: Page, published_site, context):
    take, seminar, hide = chosen_subjects(published_site.timetable(CODE), GROUP)
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    make_changes(page, take, seminar, hide)
    shown = shown_week(page)
    page.get_by_role("button", name=re.compile("Share")).click()
    link = page.locator("#share-url").input_value()
    query = parse_qs(urlsplit(link).query)
    assert query["code"] == [CODE] and query["group"] == [GROUP] and query["subgroup"] == ["1"]
    assert query["date"] == [ODD_WEEK]

    other = context.browser.new_context(locale="en-GB")  # another student: no localStorage
    try:
        visitor = other.new_page()
        visitor.goto(link)
        wait_for_week(visitor)
        assert shown_week(visitor) == shown
        visitor.locator("#customize > summary").click()
        expect(visitor.get_by_role("checkbox", name=hide["subject"], exact=True)).not_to_be_checked()
        expect(visitor.get_by_role("combobox", name=f"{take['subject']}: Lab with")).to_have_value(f"{take['subject_code']}:2")
        assert parse_qs(urlsplit(visitor.url).query) == query
    finally:
        other.close()


def test_whole_group_link_uses_subgroup_all(page: Page, published_site):
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    page.get_by_text("Whole group", exact=True).click()
    assert parse_qs(urlsplit(page.url).query)["subgroup"] == ["all"]
    assert shown_week(page) == week_of(published(published_site, None), ODD_WEEK)


# -- subscribing ---------------------------------------------------------------------------------

def test_subscribe_offers_the_published_calendar_and_says_changes_are_not_in_it(page: Page, published_site):
    take, seminar, hide = chosen_subjects(published_site.timetable(CODE), GROUP)
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    make_changes(page, take, seminar, hide)
    page.get_by_role("button", name=re.compile("Subscribe")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    https = page.locator("#subscribe-url").input_value()
    assert https == published_site.calendar_url(CODE, "921-1.ics")
    with urlopen(https) as response:
        assert response.read() == published(published_site, 1)
    webcal = re.sub(r"^https?:", "webcal:", https)
    expect(page.get_by_role("link", name="Google Calendar")).to_have_attribute(
        "href", "https://calendar.google.com/calendar/r/settings/addbyurl")
    expect(page.get_by_role("link", name="Apple Calendar")).to_have_attribute("href", webcal)
    outlook = page.get_by_role("link", name="Outlook (university account)").get_attribute("href")
    assert outlook.startswith("https://outlook.office.com/calendar/0/addfromweb?url=" + quote(https, safe=""))
    assert parse_qs(urlsplit(outlook).query)["name"] == ["IE2 921/1"]
    expect(dialog).to_contain_text("not in it")


def test_with_personal_feeds_subscribe_offers_the_tailored_feed(page: Page, published_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    settings = json.loads((site / "data" / "site.json").read_text("utf-8"))
    settings["feeds_url"] = "https://feeds.example.org/orar"
    (site / "data" / "site.json").write_text(json.dumps(settings), "utf-8")
    take, seminar, hide = chosen_subjects(published_site.timetable(CODE), GROUP)
    with PageServer(site) as server:
        page.goto(server.url(f"index.html?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}"))
        wait_for_week(page)
        make_changes(page, take, seminar, hide)
        page.get_by_role("button", name=re.compile("Subscribe")).click()
        expect(page.get_by_role("dialog")).to_contain_text("includes your changes")
        url = page.locator("#subscribe-url").input_value()
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://feeds.example.org/orar/feeds/IE2/921-1.ics"
    # the canonical query of the feeds' grammar: hide, take, add, each sorted by subject
    assert parse_qs(parts.query) == {"hide": sorted([hide["subject_code"], f"{seminar['subject_code']}:S"]),
                                     "take": [f"{take['subject_code']}:2"]}


def test_the_subscribe_link_round_trips_through_scrapy_serve_to_the_downloaded_occurrences(page: Page, published_site,
                                                                                            tmp_path):
    """The page, served by `scrapy serve` with FEEDS_URL pointing at it, makes a stable subscription
    of the personal feed; the server's answer there expands to the very occurrences of the page's
    download."""
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    take, seminar, hide = chosen_subjects(published_site.timetable(CODE), GROUP)
    with ServeProcess(site) as server:
        settings = json.loads((site / "data" / "site.json").read_text("utf-8"))
        settings["feeds_url"] = server.base_url
        (site / "data" / "site.json").write_text(json.dumps(settings), "utf-8")
        page.goto(f"{server.base_url}/index.html?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
        wait_for_week(page)
        page.get_by_role("button", name="Make it mine").click()  # a stable link follows one's own choice only
        make_changes(page, take, seminar, hide)
        page.locator("#add-year").select_option("I1")
        page.locator("#add-from").select_option("211/1")
        page.get_by_role("button", name="Add", exact=True).click()
        with page.expect_download() as download_info:
            page.get_by_role("button", name=re.compile("Download")).click()
        downloaded = open(download_info.value.path(), "rb").read()
        page.get_by_role("button", name=re.compile("Subscribe")).click()
        expect(page.get_by_role("dialog")).to_contain_text("includes your changes")
        url = page.locator("#subscribe-url").input_value()
        parts = urlsplit(url)
        assert (f"{parts.scheme}://{parts.netloc}", parts.path.startswith("/feeds/s/")) == (server.base_url, True), url
        calendar = urlsplit(json.loads(page.evaluate("localStorage.getItem('timetable-subscription')"))["calendar"])
        status, _headers, feed = server.get(parts.path)
    assert status == 200
    assert (calendar.path, sorted(parse_qs(calendar.query))) == ("/feeds/IE2/921-1.ics", ["add", "hide", "take"])
    assert occurrences(feed) == occurrences(downloaded)
    assert vevents(feed) == vevents(downloaded)


# -- phone, language, accessibility, hygiene ---------------------------------------------------------

@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="en-GB")
    yield context.new_page()
    context.close()


def visible_days(page: Page) -> list[str]:
    return page.eval_on_selector_all(".day", "days => days.filter(d => d.offsetParent).map(d => d.dataset.date)")


def swipe(page: Page, dx: int) -> None:
    page.evaluate("""dx => {
        const grid = document.getElementById('grid');
        const touch = (x) => new Touch({identifier: 1, target: grid, clientX: x, clientY: 400});
        grid.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(200)], changedTouches: [touch(200)], bubbles: true}));
        grid.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(200 + dx)], bubbles: true}));
    }""", dx)


def test_phone_shows_one_day_today_first_and_swipes_between_days(phone: Page, published_site):
    phone.clock.set_fixed_time(now("2026-03-12T09:00:00+02:00"))  # a Thursday
    open_page(phone, published_site, f"?code={CODE}&group={GROUP}&subgroup=1")
    assert visible_days(phone) == ["2026-03-12"]
    expect(phone.get_by_role("button", name="Thu 12", exact=True)).to_have_attribute("aria-pressed", "true")
    thursday = {row for row in shown_week(phone) if row[1] == "2026-03-12"}
    assert thursday and phone.locator('.day[data-date="2026-03-12"] [data-uid]').count() == len(thursday)
    swipe(phone, -120)
    assert visible_days(phone) == ["2026-03-13"]
    phone.get_by_role("button", name="Mon 09", exact=True).click()
    assert visible_days(phone) == ["2026-03-09"]
    swipe(phone, 120)  # before Monday: Saturday of the week before
    assert visible_days(phone) == ["2026-03-07"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("Download", "Subscribe", "Share"):
        expect(phone.get_by_role("button", name=re.compile(name))).to_be_in_viewport()


def test_romanian_browser_gets_romanian_and_can_switch(browser, published_site):
    context = browser.new_context(locale="ro-RO")
    try:
        page = context.new_page()
        open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
        expect(page.locator("html")).to_have_attribute("lang", "ro")
        expect(page.locator("#week-title")).to_contain_text("Săptămâna 3")
        expect(page.locator(".day-name").first).to_have_text("Lun.")
        page.locator("#language").select_option("en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#week-title")).to_contain_text("Week 3")
        expect(page.get_by_role("button", name=re.compile("Download"))).to_be_visible()
        page.reload()
        wait_for_week(page)
        expect(page.locator("#week-title")).to_contain_text("Week 3")  # the pick is remembered
    finally:
        context.close()


def test_a_crowded_hour_is_listed_whole_below_the_grid(page: Page, published_site):
    # I1 214, the whole group, Friday 27 March at 14:00: a course and two labs side by side
    open_page(page, published_site, "?code=I1&group=214&subgroup=all&date=2026-03-27")
    expect(page.locator("#crowded")).to_contain_text("Friday 27 Mar, 14:00–16:00")
    assert page.locator("#crowded li").all_inner_texts() == [
        "14:00–16:00 [C] Psihologie educationala (facultativ) · 6/II · I1",
        "14:00–16:00 [L] Arhitectura sistemelor de calcul · L002 · 214/1",
        "14:00–16:00 [L] Arhitectura sistemelor de calcul · L439 · 214/2"]


def test_a_crowded_hours_class_opens_in_one_tap(page: Page, published_site):
    open_page(page, published_site, "?code=I1&group=214&subgroup=all&date=2026-03-27")
    page.locator("#crowded li button").first.click()
    expect(page.get_by_role("dialog")).to_contain_text("Psihologie educationala (facultativ)")


def test_the_crowded_hours_follow_the_week_shown(page: Page, published_site):
    open_page(page, published_site, "?code=I1&group=214&subgroup=all&date=2026-03-27")
    page.get_by_role("button", name="Next week").click()
    expect(page.locator("#crowded .crowded-when")).to_have_text(["Friday 3 Apr, 14:00–16:00"])


def test_a_week_of_two_classes_side_by_side_at_most_lists_no_crowded_hour(page: Page, published_site):
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=all&date={ODD_WEEK}")
    expect(page.locator("#crowded")).to_be_hidden()


def test_a_crowded_day_is_wider_than_a_quiet_one(page: Page, published_site):
    open_page(page, published_site, "?code=I1&group=214&subgroup=all&date=2026-03-27")
    expect(page.locator(".day[data-date='2026-03-27']")).to_be_visible()
    # both widths read in one step in the page: a week drawn again between two reads from here
    # left a locator with no box (seen once in CI under load)
    friday, monday = page.evaluate("""() => ["2026-03-27", "2026-03-23"].map(
        (day) => document.querySelector(`.day[data-date='${day}']`).getBoundingClientRect().width)""")
    assert friday > 1.8 * monday


def test_keyboard_alone_finds_a_timetable_and_opens_a_class(page: Page, published_site):
    page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))  # a teaching week, whatever the day of the run
    page.goto(published_site.url("index.html"))
    expect(page.locator("#language option")).to_have_count(4)  # the page has started
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the language switch
    page.keyboard.press("Tab")  # the finder's summary
    page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="Specialization or group")).to_be_focused()
    page.keyboard.type("921")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("combobox", name="Specialization or group")).to_have_attribute("aria-activedescendant", "result-0")
    page.keyboard.press("Enter")
    wait_for_week(page)
    first = page.locator("#grid [data-uid]").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    # each class is named by what it shows, with its kind before
    for name in page.locator("#grid [data-uid]").evaluate_all("all => all.map(e => e.textContent)"):
        assert re.match(r"^(Course|Seminar|Lab): \d\d:\d\d–\d\d:\d\d ", name), name


def test_trust_line_shows_semester_update_and_outcome(page: Page, published_site):
    status = published_site.json("data/status.json")
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    trust = page.locator("#trust")
    expect(trust).to_contain_text(f"Semester {status['semester']}")
    expect(trust).to_contain_text("last update succeeded")
    expect(trust).to_contain_text("updated")


def test_no_console_errors_and_no_request_to_another_origin(page: Page, published_site):
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.clock.set_fixed_time(now("2026-03-11T09:00:00+02:00"))  # a teaching week, whatever the day of the run
    page.goto(published_site.url("index.html"))
    page.get_by_role("combobox", name="Specialization or group").fill("informatica engl")
    page.get_by_role("combobox", name="Specialization or group").press("Enter")
    page.get_by_label("Year").select_option(label="Year 2")
    page.get_by_label("Group", exact=True).select_option("921")
    wait_for_week(page)
    page.locator("#grid [data-uid]").first.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Next week").click()
    for name in ("Subscribe", "Share"):
        page.get_by_role("button", name=re.compile(name)).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        page.keyboard.press("Escape")
    with page.expect_download():
        page.get_by_role("button", name=re.compile("Download")).click()
    page.evaluate("navigator.serviceWorker.ready")
    assert errors == []
    foreign = [url for url in requests if not url.startswith(published_site.url()) and not url.startswith(("blob:", "data:"))]
    assert foreign == []
    assert any("data/timetables/IE2.json" in url for url in requests)
    assert not any("data/timetables/" in url and "IE2.json" not in url for url in requests)  # only the chosen spec


def test_works_offline_after_the_first_visit_and_offers_new_data(browser, published_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(published_site.root, site)
    server = PageServer(site).start()
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        query = f"index.html?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}"
        page.goto(server.url(query))
        wait_for_week(page)
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        wait_for_async(page, """async () => Boolean(await (await caches.open('data'))
                                  .match(new URL('data/timetables/IE2.json', location.href).href))""")
        shown = shown_week(page)

        timetable = site / "data" / "timetables" / f"{CODE}.json"
        timetable.write_text(timetable.read_text("utf-8") + " ", "utf-8")  # a new crawl's data
        page.reload()
        wait_for_week(page)
        expect(page.locator("#banner")).to_contain_text("A new timetable was published")

        server.stop()  # the site is unreachable: everything comes from the service worker's cache
        page.reload()
        wait_for_week(page)
        assert shown_week(page) == shown
    finally:
        context.close()
        server.stop()


# -- opened from disk --------------------------------------------------------------------------------

def test_the_page_opened_as_a_file_says_to_serve_it(browser, published_site):
    page = browser.new_page()
    page.goto((published_site.root / "index.html").as_uri())
    expect(page.locator("p.from-disk")).to_be_visible()
    page.close()


def test_the_page_served_says_nothing_of_files(browser, published_site):
    page = browser.new_page()
    open_page(page, published_site, f"?code={CODE}&group={GROUP}&subgroup=1&date={ODD_WEEK}")
    expect(page.locator("p.from-disk")).to_be_hidden()
    page.close()
