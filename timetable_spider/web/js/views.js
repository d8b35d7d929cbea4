// The weeks of a teacher, a room or a subject: their lists (teachers/index.json, rooms/…,
// subjects/…) and timetables (data/timetables/teachers/<code>.json, …), shown as they are
// published; what a student keeps of them is the published calendar itself.

import { fetchJson, offline } from "./data.js";

export const KINDS = ["teacher", "room", "subject"];

/** The list of a kind, [] where the site has none (published before these calendars existed);
 * rejects when offline, so that the lists are tried again. */
export function listOf(kind) {
  return fetchJson(`${kind}s/index.json`).catch((error) => {
    if (offline(error)) throw error;
    return [];
  });
}

export async function findEntry(kind, code) {
  return (await listOf(kind)).find((entry) => entry.code === code) ?? null;
}

export function timetableOf(kind, code) {
  return fetchJson(`data/timetables/${kind}s/${encodeURIComponent(code)}.json`);
}

/** The classes to draw, each {class, dates, table, from}. */
export function viewItems(timetable) {
  return timetable.classes.map((one) => ({ class: one, dates: timetable.dates[one.dates], table: one.table, from: null }));
}

/** The academic-calendar table most of the classes follow, for week numbers and holidays. */
export function mainTable(timetable) {
  const counts = new Map();
  for (const one of timetable.classes) counts.set(one.table, (counts.get(one.table) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** index.html?teacher=susa (and &date=…): the link to a view. */
export function viewQuery(kind, code, date = null) {
  const params = new URLSearchParams({ [kind]: code });
  if (date) params.set("date", date);
  return "?" + params.toString();
}
