"""site/calendars.html: every calendar, by specialization, year and group, as plain links that
work without JavaScript.

The page template is package data, so it ships inside the egg that Scrapyd runs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from importlib.resources import files
from string import Template
from urllib.parse import quote


@dataclass
class YearLink:
    year: int
    code: str
    directory: str  # "" when the page was not published this run
    # (group, [(calendar file, label)]), e.g. ("921", [("921-1.ics", "subgroup 1"), ...])
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


@dataclass
class SpecLink:
    name: str
    degree: str
    years: list[YearLink] = field(default_factory=list)


def links(index: list[dict], records: dict[str, dict]) -> list[SpecLink]:
    """data/index.json's specializations, each year with the calendars its spec record lists."""
    return [SpecLink(name=spec["name"], degree=spec["degree"],
                     years=[YearLink(year=year["year"], code=year["code"], directory=year["directory"] or "",
                                     groups=_calendars_by_group(records.get(year["code"])))
                            for year in spec["years"]])
            for spec in index]


def _calendars_by_group(record: dict | None) -> list[tuple[str, list[tuple[str, str]]]]:
    if not record:
        return []
    return [(g["name"], [(c["file"], c["label"]) for c in g["calendars"]])
            for g in record["groups"] if g["calendars"]]


DEGREE_TITLES = {"bachelor": "Bachelor (Studii Licență)", "master": "Master (Studii Master)"}


# The footer's <time datetime="2026-12-05T05:17Z">: when the list last changed.
CHANGED = re.compile(rb'<time class=changed datetime="(\d{4}-\d\d-\d\dT\d\d:\d\dZ)">')
CHANGED_FORMAT = "%Y-%m-%dT%H:%MZ"


def page(specs: list[SpecLink], semester: str, now: datetime, published: bytes | None) -> bytes:
    """The page, saying it changed now; or the published page, as it is, when only that date
    would differ. So a crawl that changes nothing leaves calendars.html's bytes (and the ETag a
    web server makes of them) as they were."""
    last = CHANGED.search(published) if published else None
    try:
        changed = datetime.strptime(last.group(1).decode(), CHANGED_FORMAT).replace(tzinfo=timezone.utc) \
            if last else None
    except ValueError:  # not a date (a hand-edited page): this crawl's stands
        changed = None
    if changed and render(specs, semester, changed) == published:
        return published
    return render(specs, semester, now)


def render(specs: list[SpecLink], semester: str, changed: datetime) -> bytes:
    template = Template(files("timetable_spider").joinpath("templates/index.html").read_text("utf-8"))
    sections = []
    for degree, title in DEGREE_TITLES.items():
        rows = [_spec(spec) for spec in specs if spec.degree == degree]
        if rows:
            sections.append(f'<section>\n<h2>{escape(title)}</h2>\n{"".join(rows)}</section>\n')
    return template.substitute(
        semester=escape(semester), changed=changed.strftime(CHANGED_FORMAT),
        changed_text=changed.strftime("%Y-%m-%d %H:%M UTC"), body="".join(sections)).encode()


def _spec(spec: SpecLink) -> str:
    years = []
    for year in spec.years:
        if not year.groups:
            years.append(f"<li>Year {year.year} <span class=missing>(no calendars)</span></li>\n")
            continue
        groups = "".join(
            f"<li><span class=group>{escape(group)}</span> "
            + " ".join(f'<a href="{escape(quote(f"{year.directory}/{name}"))}">{escape(label)}</a>'
                       for name, label in calendars)
            + "</li>\n"
            for group, calendars in year.groups)
        years.append(f"<li>Year {year.year} <span class=code>({escape(year.code)})</span>\n"
                     f"<ul class=groups>\n{groups}</ul></li>\n")
    return f"<h3>{escape(spec.name)}</h3>\n<ul class=years>\n{''.join(years)}</ul>\n"

