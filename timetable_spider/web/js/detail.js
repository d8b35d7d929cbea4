// A class's details in a dialog: teacher, room and where it is, formation, and which weeks.

import { t } from "./i18n.js";
import { shortDate } from "./grid.js";
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
    ["when", `${t("days")[one.day]} ${one.start}–${one.end}`],
    ["weeks", weeksText(one, item.dates, table)],
    ["teacher", one.teacher],
    ["room", one.location || one.room],
    ["formation", one.formation],
  ];
  if (item.from) rows.push(["fromGroup", item.from]);
  const list = dialog.querySelector(".detail-rows");
  list.replaceChildren();
  for (const [key, value] of rows) {
    if (!value) continue;
    const term = document.createElement("dt");
    term.textContent = key === "fromGroup" ? t("added") : t(key);
    const description = document.createElement("dd");
    description.textContent = value;
    list.append(term, description);
  }
  dialog.showModal();
}
