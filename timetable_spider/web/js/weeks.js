// Dates as "YYYY-MM-DD" strings, times of day as minutes, weeks by their Monday, and what the academic calendar says
// about a week: its teaching-week number and parity, or the period (holiday, exam session)
// that explains why it has no classes.

const DAY = 86400000;

function toTime(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

function fromTime(time) {
  return new Date(time).toISOString().slice(0, 10);
}

export function addDays(iso, days) {
  return fromTime(toTime(iso) + days * DAY);
}

/** 0 for Monday … 6 for Sunday. */
export function weekday(iso) {
  return (new Date(toTime(iso)).getUTCDay() + 6) % 7;
}

export function mondayOf(iso) {
  return addDays(iso, -weekday(iso));
}

export function daysBetween(from, to) {
  return Math.round((toTime(to) - toTime(from)) / DAY);
}

/** "16:30" → 990, minutes since midnight. */
export function minutes(time) {
  const [h, m] = time.split(":").map(Number);
  return h * 60 + m;
}

/** 990 → "16:30". */
export function clock(minutes) {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export const TIME_ZONE = "Europe/Bucharest"; // where the classes are

/** Today's date in Bucharest. */
export function today(timeZone = TIME_ZONE) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** The hour (0-23) it is now in Bucharest. */
export function hourNow() {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone: TIME_ZONE, hour: "numeric", hourCycle: "h23" }).format(new Date()));
}

/** The teaching week (1, 2, ...) whose Monday is monday, or null. */
export function weekNumber(table, monday) {
  const n = table.weeks.indexOf(monday);
  return n < 0 ? null : n + 1;
}

/** The week to open on: the week holding day (a holiday or an exam session says what it is);
 * before the table, its first week. After the table's last period (which runs to the next
 * semester, so only while the next semester's timetable is not published yet) day's own week
 * too, outside the semester as the trust line says, never a teaching week months back. A table
 * without periods: the week holding day, or its next or last teaching week. */
export function openingWeek(table, day) {
  const monday = mondayOf(day);
  if (table.periods.length) {
    const [first] = weekRange(table);
    return monday < first ? first : monday;
  }
  return table.weeks.find((week) => week >= monday) ?? table.weeks.at(-1) ?? monday;
}

/** The period of the academic calendar holding day, or null. */
export function periodOf(table, day) {
  return table.periods.find((period) => period.start <= day && day <= period.end) ?? null;
}

/** The non-teaching period covering most of a week's Monday–Friday, to say why it has no classes. */
export function breakOf(table, monday) {
  const counts = new Map();
  for (let n = 0; n < 5; n++) {
    const period = periodOf(table, addDays(monday, n));
    if (period && !period.teaching) counts.set(period, (counts.get(period) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The first and last Mondays a student can page to: the weeks of the table's periods, and the
 * summer before semester I from 1 September. */
export function weekRange(table) {
  const periods = table.periods;
  if (!periods.length) return [table.weeks[0], table.weeks.at(-1)];
  const first = beginsTheYear(table) ? `${periods[0].start.slice(0, 4)}-09-01` : periods[0].start;
  return [mondayOf(first), mondayOf(periods.at(-1).end)];
}

/** Whether a table is semester I's, which begins the academic year in September. */
export function beginsTheYear(table) {
  return table.periods[0]?.start.slice(5, 7) === "09";
}

/** Days off (holidays named in the calendar's notes) in a week, each with its name from the notes. */
export function daysOff(table, monday) {
  const off = new Map();
  for (const period of table.periods) {
    for (const day of period.days_off) {
      if (daysBetween(monday, day) >= 0 && daysBetween(monday, day) < 7) off.set(day, holidayName(period.notes, day));
    }
  }
  return off;
}

const WEEKDAY = "(?:luni|marți|marti|miercuri|joi|vineri|sâmbătă|sambata|duminică|duminica)";

/**
 * What the notes call a day: "7 săptămâni (vineri, 10.04.2026, Vinerea Mare - zi liberă)" gives
 * "Vinerea Mare" for 2026-04-10; the whole note when the day is not written out in it.
 */
export function holidayName(notes, day) {
  const [y, m, d] = day.split("-");
  const at = notes.indexOf(`${d}.${m}.${y}`);
  if (at < 0) return notes;
  const rest = notes.slice(at + 10).replace(/^\s*,\s*/, "");
  const end = rest.search(new RegExp(`\\)|,\\s*${WEEKDAY}|\\s+(?:și|si)\\s+${WEEKDAY},`, "i"));
  const name = (end < 0 ? rest : rest.slice(0, end)).replace(/\s*-\s*zi(le)?\s+liber\S*\s*$/i, "").trim();
  return name || notes;
}
