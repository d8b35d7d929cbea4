"""Where things go under SITE_DIR. Names come from outside, so every one is made safe here.

The layout is the one of the generator this project replaces, so students' links keep working:
"<Spec name>/Year <n>/<group>-1.ics", "-2.ics", "-all.ics", or "<group>.ics".
"""
from __future__ import annotations

import re
import unicodedata

SEPARATORS = re.compile(r"[/\\]")
# Room under NAME_MAX (255 bytes) for a suffix such as "-all.ics" or ".json".
MAX_COMPONENT_BYTES = 200


def safe_component(name: str) -> str:
    """One readable, stable path component that cannot leave its directory.

    As in the replaced generator, "/" and "\\" become "-" and every other character stays
    (":" included), so the links students subscribed to keep working. Control characters go,
    and leading dots and spaces are dropped, so "..", "." and hidden names cannot happen.
    Long names are cut to MAX_COMPONENT_BYTES of UTF-8, at a character boundary.
    """
    text = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    text = " ".join(SEPARATORS.sub("-", text).split()).lstrip(". ")
    return text.encode()[:MAX_COMPONENT_BYTES].decode(errors="ignore") or "_"


def spec_directory(spec_name: str, year: int) -> str:
    return f"{safe_component(spec_name)}/Year {year}"


def calendar_file_name(group: str, subgroup: int | None, has_subgroups: bool) -> str:
    stem = safe_component(group)
    if not has_subgroups:
        return f"{stem}.ics"
    return f"{stem}-{'all' if subgroup is None else subgroup}.ics"


def data_file_name(code: str) -> str:
    return f"data/{safe_component(code)}.json"


def timetable_file_name(code: str) -> str:
    """The lean copy of a spec page's classes that the students' page reads."""
    return f"data/timetables/{safe_component(code)}.json"


def academic_year_file_name(code: str) -> str:
    """A spec page's academic year: its periods and days off (writers/academic_year.py)."""
    return f"academic-year/{safe_component(code)}.ics"
