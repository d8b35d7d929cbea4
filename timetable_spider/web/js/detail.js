// A class's details in a dialog: teacher, room and where it is, formation, and which weeks,
// with links to the teacher's, room's and subject's weeks where those are published.

import { dayName, shortDate, t } from "./i18n.js";
import { findEntry, viewQuery } from "./views.js";
import { addDays, mondayOf, weekNumber } from "./weeks.js";

const PARITY = { null: "everyWeek", 1: "oddWeeks", 2: "evenWeeks" };

/** "odd weeks (sapt. 1) · 7 dates, 23 Feb – 18 May · not on 13 Apr" */
export function weeksText(one, dates, table) {
  const parts = [t(PARITY[one.parity])];
  if (dates.length) parts.push(t("datesCount", { n: dates.length, first: shortDate(dates[0]), last: shortDate(dates.at(-1)) }));
  const held = new Set(dates);
  const missed = [];
  for (let day = dates[0]; dates.length && day <= dates.at(-1); day = addDays(day, 7)) {
    const week = weekNumber(table, mondayOf(day));
    const otherParity = one.parity !== null && week !== null && week % 2 !== one.parity % 2;
    if (!held.has(day) && !otherParity) missed.push(shortDate(day));
  }
  if (missed.length) parts.push(t("notOn", { dates: missed.join(", ") }));
  return parts.join(" · ");
}

/** Fills and opens the dialog for one shown class ({class, dates, from}). */
export function showDetail(dialog, item, table) {
  const one = item.class;
  dialog.querySelector(".detail-kind").textContent = t(`kind${one.type}`);
  dialog.querySelector(".detail-kind").className = `detail-kind type-${one.type}`;
  dialog.querySelector(".detail-title").textContent = one.subject;
  const rows = [
    ["when", `${dayName(one.day)} ${one.start}–${one.end}`],
    ["weeks", weeksText(one, item.dates, table)],
    ["teacher", one.teacher, "teacher", one.teacher_code],
    ["room", one.location || one.room, "room", one.room_code],
    ["formation", one.formations ? one.formations.map(formationText).join("; ") : one.formation],
    ["subject", one.subject, "subject", one.subject_code],
  ];
  if (item.from) rows.push(["addedFrom", item.from]);
  const list = dialog.querySelector(".detail-rows");
  list.replaceChildren();
  for (const [key, value, kind, code] of rows) {
    if (!value) continue;
    const term = document.createElement("dt");
    term.textContent = t(key);
    const description = document.createElement("dd");
    description.textContent = value;
    if (kind && code) linkToView(description, kind, code);
    list.append(term, description);
  }
  dialog.showModal();
}

/** "921/1 (Informatica - in limba engleza, Year 2)" for a class of a teacher, room or subject. */
function formationText(formation) {
  return `${formation.formation} (${formation.name}, ${t("yearN", { n: formation.year })})`;
}

/** Appends " · see the week" to a row when that teacher, room or subject has a published week. */
async function linkToView(description, kind, code) {
  if (!(await findEntry(kind, code).catch(() => null))) return; // offline: no link this time
  const link = document.createElement("a");
  link.href = viewQuery(kind, code);
  link.textContent = t("seeWeek");
  link.setAttribute("aria-label", `${t(kind)} ${description.textContent}: ${t("seeWeek")}`);
  description.append(" · ", link);
}
