// The .ics a student downloads, built here from the page's data with the published calendars'
// exact serialization (timetable_spider/writers/ics.py): same UIDs, DTSTAMPs, VTIMEZONE, property
// order, escaping and folding, so importing it after a published one updates events in place.

import { formationName } from "./schedule.js";
import { addDays } from "./weeks.js";

const LINE_LIMIT = 75; // octets
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f]/g;

/** RFC 5545 TEXT escaping; control characters become spaces. */
export function escapeText(value) {
  return value.replace(/\r\n?/g, "\n").replace(CONTROL, " ")
    .replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\n/g, "\\n");
}

function utf8Length(char) {
  const code = char.codePointAt(0);
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

/** Folds a content line below 75 octets a line, never splitting an escape ("\," stays whole). */
export function fold(line) {
  const pieces = [];
  let current = [];
  let size = 0;
  for (const char of line) {
    const width = utf8Length(char);
    if (current.length && size + width >= LINE_LIMIT) {
      const carried = current.length > 1 && "\\^".includes(current.at(-1)) ? current.pop() : null;
      pieces.push(current.join(""));
      current = carried ? [carried] : [];
      size = carried ? utf8Length(carried) : 0;
    }
    current.push(char);
    size += width;
  }
  pieces.push(current.join(""));
  return pieces.join("\r\n ");
}

const textLine = (name, value) => fold(`${name}:${escapeText(value)}`);

/** "2026-02-23", "12:00" → "20260223T120000". */
function local(day, time) {
  return `${day.replaceAll("-", "")}T${time.replace(":", "")}00`;
}

/** A wall-clock time in timeZone as a UTC "YYYYMMDDTHHMMSSZ". */
export function utcStamp(day, time, timeZone) {
  const [y, m, d] = day.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric",
    day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  const offsetAt = (instant) => {
    const p = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, Number(part.value)]));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - instant;
  };
  // two steps, so an instant near a change of offset gets the offset in force at it
  const instant = wall - offsetAt(wall - offsetAt(wall));
  return new Date(instant).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/** The Mondays-apart dates from first to last that a class skips (holidays, the other parity). */
function skippedDates(dates) {
  const held = new Set(dates);
  const skipped = [];
  for (let day = dates[0]; day <= dates.at(-1); day = addDays(day, 7)) {
    if (!held.has(day)) skipped.push(day);
  }
  return skipped;
}

/** One class's VEVENT, as the published calendars hold it, in icalendar's property order. */
export function eventLines(one, dates, timeZone) {
  const first = dates[0];
  const [endDay, endTime] = one.end === "24:00" ? [addDays(first, 1), "00:00"] : [first, one.end];
  const lines = [
    "BEGIN:VEVENT",
    textLine("SUMMARY", one.summary),
    `DTSTART;TZID=${timeZone}:${local(first, one.start)}`,
    `DTEND;TZID=${timeZone}:${local(endDay, endTime)}`,
    `DTSTAMP:${one.dtstamp}`,
    fold(`UID:${one.uid}`),
    `SEQUENCE:${one.sequence}`,
  ];
  if (dates.length > 1) {
    lines.push(`RRULE:FREQ=WEEKLY;UNTIL=${utcStamp(dates.at(-1), one.start, timeZone)}`);
    const skipped = skippedDates(dates);
    if (skipped.length) lines.push(fold(`EXDATE;TZID=${timeZone}:${skipped.map((day) => local(day, one.start)).join(",")}`));
  }
  lines.push(textLine("CATEGORIES", one.kind), textLine("DESCRIPTION", one.description));
  // a changed event says when: its DTSTAMP is the time of that change
  if (one.sequence > 0) lines.push(`LAST-MODIFIED:${one.dtstamp}`);
  lines.push(textLine("LOCATION", one.location), "END:VEVENT");
  return lines;
}

/**
 * A whole calendar: the published header (name, description, refresh hints), the site's
 * VTIMEZONE, and one VEVENT per {class, dates} item.
 */
export function calendarText(site, name, description, items) {
  const header = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:${site.prodid}`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    textLine("NAME", name),
    textLine("X-WR-CALNAME", name),
    textLine("X-WR-CALDESC", description),
    `X-WR-TIMEZONE:${site.timezone}`,
    "REFRESH-INTERVAL;VALUE=DURATION:P1D",
    "X-PUBLISHED-TTL:P1D",
  ];
  const events = items.filter((item) => item.dates.length)
    .map((item) => eventLines(item.class, item.dates, site.timezone).join("\r\n") + "\r\n");
  return header.join("\r\n") + "\r\n" + site.vtimezone + events.join("") + "END:VCALENDAR\r\n";
}

/**
 * The published calendar's name and description (spec_pages.calendar_title), for a group or
 * subgroup; with the student's changes, named as a personal feed names it ("Personal …").
 */
export function calendarTitle(timetable, semester, group, subgroup, customized) {
  const who = formationName(group, subgroup);
  const name = `${timetable.code} ${who} · ${timetable.name} · Year ${timetable.year}`;
  const description = `UBB FMI timetable ${semester} · ${timetable.name} · Year ${timetable.year} · group ${who}`;
  return [customized ? `Personal ${name}` : name, description];
}

export function download(text, fileName) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
