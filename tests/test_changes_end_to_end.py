"""End to end: the real crawl publishes the test site; one spec page (IE2) is edited (a course
moves room, a lab row goes, a seminar comes); a second crawl publishes exactly those changes:
in the change log, in the Atom feeds, and in calendars that calendar apps update in place."""
from __future__ import annotations

import json
import re
import shutil
from datetime import date

import feedparser
import icalendar
import pytest
import recurring_ical_events

from tests.crawling import is_group_calendar, run_crawl, snapshot
from tests.ubb_site import SimServer, build_site

SEMESTER = "2025-2"
IE2_DIR = "Informatica - in limba engleza/Year 2"
COURSE_IN_2I = ('<td><a href="../sali/2-I.html" >2/I</a></td>\n<td>IE2</td>\n<td>Curs</td>\n'
                '<td><a href="../disc/MLE5011.html" >Ingineria sistemelor soft</a></td>')
LAB_ROW = re.compile(r'<tr align=center>\n<td>Marti</td>\n<td class="bloc">18-20</td>\n<td>&nbsp;</td>\n'
                     r'<td><a href="../sali/L321.html" >L321</a></td>\n<td>921/2</td>\n.*?</tr>\n', re.S)
SEMINAR_ROW = ('<tr align=center>\n<td>Vineri</td>\n<td class="bloc">8-10</td>\n<td>&nbsp;</td>\n'
               '<td><a href="../sali/C335.html" >C335</a></td>\n<td>921</td>\n<td>Seminar</td>\n'
               '<td><a href="../disc/MLE5015.html" >Programare Web</a></td>\n'
               '<td><a href="../cadre/stad.html" >Conf. STERCA Adrian</a></td>\n</tr>\n')


def vevents(path) -> dict[str, bytes]:
    """uid -> the event's bytes."""
    found = {}
    for chunk in path.read_bytes().split(b"BEGIN:VEVENT\r\n")[1:]:
        chunk = chunk[:chunk.index(b"END:VEVENT\r\n")]
        uid = re.search(rb"^UID:(.*)\r$", chunk, re.M).group(1).decode()
        found[uid] = chunk
    return found


def ie2_calendars(site) -> list:
    return sorted((site / IE2_DIR).glob("*.ics"))


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("edited")
    www = tmp / "www"
    shutil.copytree(build_site(SEMESTER), www)
    site, cache = tmp / "site", tmp / "cache"
    server = SimServer(root=www, latency=0.02, jitter=0.01)
    with server:
        first = run_crawl(server, site_dir=site, settings={"HTTPCACHE_DIR": cache})
    assert first.returncode == 0, first.output[-3000:]
    before = snapshot(site)
    events_before = {path.name: vevents(path) for path in ie2_calendars(site)}

    page = www / "files" / "orar" / SEMESTER / "tabelar" / "IE2.html"
    text = page.read_bytes().decode("iso-8859-2")
    assert text.count(COURSE_IN_2I) == 7 and len(LAB_ROW.findall(text)) == 1
    text = text.replace(COURSE_IN_2I, COURSE_IN_2I.replace("2-I", "C510").replace(">2/I<", ">C510<"))
    text = LAB_ROW.sub("", text)
    text = text.replace("</table>", SEMINAR_ROW + "</table>", 1)  # group 921's table comes first
    page.write_bytes(text.encode("iso-8859-2"))

    server.start()  # the same port: the same URLs in every other spec page's data
    try:
        second = run_crawl(server, site_dir=site, settings={"HTTPCACHE_DIR": cache})
    finally:
        server.stop()
    assert second.returncode == 0, second.output[-3000:]
    return site, before, events_before


def latest_changes(site) -> list[dict]:
    return json.loads((site / "data" / "changes.json").read_text("utf-8"))[0]["changes"]


def test_the_change_log_lists_exactly_the_three_edits(edited):
    site, _before, _events = edited
    listed = [(c["change"], c["code"], c["formation"], c["class"]["subject"], c["class"]["type"],
               c["class"]["type_name"], sorted(c.get("fields", {}))) for c in latest_changes(site)]
    assert listed == [
        ("changed", "IE2", "IE2", "Ingineria sistemelor soft", "C", "Curs", ["location", "room"]),
        ("added", "IE2", "921", "Programare Web", "S", "Seminar", []),
        ("removed", "IE2", "921/2", "Programare Web", "L", "Laborator", []),
    ]
    moved = latest_changes(site)[0]
    assert moved["fields"]["room"] == ["2/I", "C510"]
    assert moved["groups"] == [str(n) for n in range(921, 928)]


def test_each_change_names_its_subjects_code_as_feeds_and_subscriptions_do(edited):
    """Added, changed and removed alike: a removed class's code comes from the last published record."""
    site, _before, _events = edited
    assert [c["class"]["subject_code"] for c in latest_changes(site)] == ["MLE5011", "MLE5015", "MLE5015"]


@pytest.mark.parametrize("feed", ["changes.atom", "changes/IE2.atom"])
def test_the_feeds_list_the_same_three(edited, feed):
    site, _before, _events = edited
    parsed = feedparser.parse((site / feed).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    newest = parsed.entries[0]
    assert newest.title.startswith("IE2: 3 changes, ")
    assert newest.summary.count("<li>") == 3
    assert "Changed: [C] Ingineria sistemelor soft (IE2): room 2/I → C510" in newest.summary
    assert [e.title for e in parsed.entries[1:]] == ["Semester 2025-2 began"]


def test_the_moved_course_has_sequence_1_and_its_new_room_in_every_calendar(edited):
    site, _before, events_before = edited
    uid = latest_changes(site)[0]["uid"]
    holding = [path for path in ie2_calendars(site) if uid in vevents(path)]
    assert len(holding) == 21  # every group and subgroup of IE2
    for path in holding:
        [event] = [e for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT") if str(e["UID"]) == uid]
        assert event["SEQUENCE"] == 1
        assert str(event["LOCATION"]).startswith("C510, ")
        assert uid in events_before[path.name]


def test_every_other_event_keeps_its_bytes_and_changed_ones_a_higher_sequence(edited):
    site, _before, events_before = edited
    added, removed = latest_changes(site)[1]["uid"], latest_changes(site)[2]["uid"]
    for path in ie2_calendars(site):
        before, after = events_before[path.name], vevents(path)
        assert set(after) - set(before) <= {added} and set(before) - set(after) <= {removed}
        for uid in set(before) & set(after):
            if before[uid] != after[uid]:  # Google applies an edit only when SEQUENCE grows
                sequence = lambda raw: int(re.search(rb"^SEQUENCE:(\d+)\r$", raw, re.M).group(1))  # noqa: E731
                assert sequence(after[uid]) > sequence(before[uid]), (path.name, uid)
                assert uid == latest_changes(site)[0]["uid"]


def test_other_spec_pages_files_are_untouched(edited):
    site, before, _events = edited
    after = snapshot(site)
    others = [name for name in before if (is_group_calendar(name) and not name.startswith(IE2_DIR))
              or (name.startswith("data/") and name.endswith(".json") and "IE2" not in name
                  and name not in ("data/changes.json", "data/status.json")
                  and not name.startswith(("data/timetables/teachers/", "data/timetables/rooms/",
                                           "data/timetables/subjects/")))]
    assert len(others) > 1400
    assert [name for name in others if after.get(name) != before[name]] == []


def test_the_new_calendars_expand_to_the_new_occurrences(edited):
    site, _before, _events = edited
    window = (date(2026, 2, 1), date(2026, 7, 1))
    group_921 = icalendar.Calendar.from_ical((site / IE2_DIR / "921-all.ics").read_bytes())
    occurrences = recurring_ical_events.of(group_921).between(*window)
    course = [o for o in occurrences if str(o["SUMMARY"]) == "[C] Ingineria sistemelor soft"]
    assert len(course) == 13 and all(str(o["LOCATION"]).startswith("C510") for o in course)
    seminar = [o["DTSTART"].dt for o in occurrences if str(o["SUMMARY"]) == "[S] Programare Web"]
    assert [d.strftime("%a %H:%M") for d in seminar] == ["Fri 08:00"] * len(seminar)
    assert seminar[0].date() == date(2026, 2, 27) and len(seminar) == 12  # less Good Friday and 1 May
    subgroup_2 = icalendar.Calendar.from_ical((site / IE2_DIR / "921-2.ics").read_bytes())
    assert not [o for o in recurring_ical_events.of(subgroup_2).between(*window)
                if str(o["SUMMARY"]) == "[L] Programare Web"]
