// A week without teaching, told from the study line's own academic-calendar table: the exam
// session, a holiday, the summer, with the next teaching week one tap away. Loaded only when
// such a week is shown, so a teaching week's first view does not pay for it.

import { t } from "./i18n.js";
import { addDays, beginsTheYear, breakOf, holidayName } from "./weeks.js";

/** What the week is, or null when the table does not say: {title, wording, next} (wording: the
 * period's own words, [[text, lang]] parts; next: a Monday or null). */
export function describeBreak(table, monday) {
  const periods = table.periods;
  const next = table.weeks.find((week) => week > monday) ?? null;
  const period = breakOf(table, monday);
  if (!period) {
    const firstTeaching = periods.find((p) => p.teaching);
    // the weeks before a table that begins the academic year are the summer before semester I
    if (firstTeaching && beginsTheYear(table) && addDays(monday, 6) < periods[0].start) {
      return { title: t("summerBreak", { date: longDate(firstTeaching.start) }), wording: [], next };
    }
    return null;
  }
  const wording = periodWording(period);
  if (isSummer(table, period)) return { title: t("summerBreak", { date: longDate(addDays(period.end, 1)) }), wording, next };
  return { title: t("breakTitle", { period: capitalized(periodName(period.label)), dates: dateRange(period.start, period.end) }), wording, next };
}

/** Draws the week's description into box; go(monday) opens the next teaching week. False when there is none. */
export function renderBreak(box, table, monday, go) {
  const told = describeBreak(table, monday);
  if (!told) return false;
  const title = Object.assign(document.createElement("h3"), { className: "between-title", textContent: told.title });
  const parts = [title];
  if (told.wording.length) {
    const line = Object.assign(document.createElement("p"), { className: "hint" });
    told.wording.forEach((part, n) => line.append(...(n ? [" · "] : []), ...part.map(([text, lang]) =>
      (lang ? Object.assign(document.createElement("span"), { lang, textContent: text }) : text))));
    parts.push(line);
  }
  if (told.next) {
    const button = Object.assign(document.createElement("button"), {
      type: "button", className: "action",
      textContent: t("nextTeachingWeek", { n: table.weeks.indexOf(told.next) + 1, date: longDate(told.next) }),
    });
    button.addEventListener("click", () => go(told.next));
    parts.push(button);
  }
  box.replaceChildren(...parts);
  return true;
}

const WEEKS = /^(\d+)\s+săptămân[iă]/i;

/**
 * The academic calendar's words for a period in the page's language, each part [[text, lang]]:
 * its kind and length translated ("holiday", "8 weeks"), each day off it names by its date and
 * its proper name, which stays Romanian ("Friday 10 April: Vinerea Mare"); words not understood
 * stay as written, marked Romanian.
 */
function periodWording(period) {
  const parts = [[[periodName(period.label)]]];
  const notes = period.notes ?? "";
  const weeks = WEEKS.exec(notes);
  if (!weeks) return notes ? [...parts, [[notes, "ro"]]] : parts;
  parts.push([[t("weeksCount", { n: Number(weeks[1]) })]]);
  const rest = notes.slice(weeks[0].length).trim().replace(/^\((.*)\)$/, "$1").trim();
  const days = [...rest.matchAll(/(\d\d)\.(\d\d)\.(\d{4})/g)].map(([, d, m, y]) => `${y}-${m}-${d}`);
  if (days.length) return [...parts, ...days.map((day) => [[`${dayAndDate(day)}: `], [holidayName(notes, day), "ro"]])];
  if (/^unde este cazul$/i.test(rest)) return [...parts, [[t("whereApplicable")]]];
  return rest ? [...parts, [[rest, "ro"]]] : parts;
}

/** "2026-04-10" → "Friday 10 April" ("vineri, 10 aprilie"); from Intl. */
function dayAndDate(iso) {
  return new Intl.DateTimeFormat(t("dateLocale"), { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(toDate(iso));
}

/** The summer holiday: the plain holiday ("vacanță") that ends a table. */
function isSummer(table, period) {
  return period === table.periods.at(-1) && /^vacan\S*$/.test(folded(period.label));
}

function folded(label) {
  return label.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[*]/g, "").trim().toLowerCase();
}

/** "vacanța de Paști" → "Easter holiday" in English; the table's own words in Romanian. */
function periodName(label) {
  const plain = folded(label);
  return t("periods")[plain] ?? label.replace(/\*+$/, "");
}

function capitalized(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dateFormat() {
  return new Intl.DateTimeFormat(t("dateLocale"), { day: "numeric", month: "long", timeZone: "UTC" });
}

function toDate(iso) {
  return new Date(`${iso}T00:00:00Z`);
}

/** "2026-09-28" → "28 September" ("28 septembrie"). */
function longDate(iso) {
  return dateFormat().format(toDate(iso));
}

/** "8–28 June", "13 July – 2 August": as the language table writes a span of days; in one month
 * daySpan has the first day alone ({from}) and whole ({fromDate}), and the last day alone ({toDay}), for languages that put the month first. */
function dateRange(start, end) {
  if (start.slice(0, 7) === end.slice(0, 7)) {
    return t("daySpan", { from: Number(start.slice(8)), fromDate: longDate(start), to: longDate(end), toDay: Number(end.slice(8)) });
  }
  return t("dateSpan", { from: longDate(start), to: longDate(end) });
}
