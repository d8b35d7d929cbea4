// The student's choice as a share link and in localStorage. The link is a public interface
// (docs/choices.md): index.html?code=IE2&group=921&subgroup=1&date=2026-03-10&hide=…&take=…&add=…
// subgroup is "all" for the whole group and left out for a group without subgroups; hide, take
// and add repeat, read by the one grammar the personal feeds read (choices.js).

import { choicesQuery, readChoices } from "./choices.js";

const STORAGE_KEY = "timetable-choice";
const CHOICE_PARAMETERS = ["hide", "take", "add"];
const VIEWS = ["teacher", "room", "subject"];

/** {code, group, subgroup: number | null, hide: [], take: [], add: []}: canonical values. */
export function emptyChoice(code, group, subgroup) {
  return { code, group, subgroup, hide: [], take: [], add: [] };
}

/** Whether "2026-03-10" is a date of the calendar: its year, month and day all exist. */
function isDate(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split("-").map(Number);
  const parsed = new Date(Date.UTC(year, month - 1, day));
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
}

/**
 * What a URL's query asks for: {choice, view, date, refused}. choice and view are null when
 * absent; view is a teacher's, room's or subject's week, {kind, code}, from ?teacher=…, ?room=…
 * or ?subject=…. refused lists each part left out, {part, reason}: off the grammar, or a date or
 * subgroup that cannot be. Whether the timetable has the names is for the published data to say.
 */
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const refused = [];
  let date = params.get("date");
  if (date !== null && !isDate(date)) {
    refused.push({ part: `date=${date}`, reason: "bad-date" });
    date = null;
  }
  const kind = VIEWS.find((name) => params.get(name));
  if (kind) return { choice: null, view: { kind, code: params.get(kind) }, date, refused };
  const code = params.get("code");
  const group = params.get("group");
  if (!code || !group) return { choice: null, view: null, date, refused };
  const asked = params.get("subgroup");
  let subgroup = null;
  if (asked !== null && asked !== "all") {
    if (/^[1-9][0-9]{0,2}$/.test(asked)) subgroup = Number(asked);
    else refused.push({ part: `subgroup=${asked}`, reason: "bad-subgroup" });
  }
  const read = readChoices(search, CHOICE_PARAMETERS);
  return { choice: { ...emptyChoice(code, group, subgroup), ...pick(read.choices) }, view: null, date,
    refused: [...refused, ...read.refused] };
}

function pick({ hide, take, add }) {
  return { hide, take, add };
}

/** Whether two choices are the same timetable with the same changes. */
export function sameChoice(one, other) {
  return Boolean(one && other) && one.code === other.code && one.group === other.group
    && one.subgroup === other.subgroup
    && CHOICE_PARAMETERS.every((name) => [...one[name]].sort().join("&") === [...other[name]].sort().join("&"));
}

/**
 * The query for a choice. hasSubgroups says whether the group has subgroups, so the whole
 * group is "subgroup=all" and a group without them has no subgroup parameter.
 */
export function toQuery(choice, hasSubgroups, date = null) {
  const params = new URLSearchParams({ code: choice.code, group: choice.group });
  if (hasSubgroups) params.set("subgroup", choice.subgroup === null ? "all" : String(choice.subgroup));
  if (date) params.set("date", date);
  const choices = choicesQuery({ ...pick(choice), periods: false });
  return `?${params}${choices ? "&" + choices : ""}`;
}

export function save(choice) {
  const { code, group, subgroup, hide, take, add } = choice;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ code, group, subgroup, hide, take, add }));
  } catch { /* storage blocked: the share link still keeps the choice */ }
}

/** The saved choice, read with the link's grammar: a value saved by an older page that the
 * grammar refuses is dropped. */
export function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY));
    if (!saved?.code || !saved.group) return null;
    const query = CHOICE_PARAMETERS.flatMap((name) => (saved[name] ?? []).map((value) =>
      `${name}=${encodeURIComponent(value)}`)).join("&");
    return { ...emptyChoice(saved.code, saved.group, saved.subgroup ?? null), ...pick(readChoices(query).choices) };
  } catch {
    return null;
  }
}

/** Adds value to choice[list] when on is true, removes it otherwise. */
export function toggle(choice, list, value, on) {
  const rest = choice[list].filter((item) => item !== value);
  choice[list] = on ? [...rest, value] : rest;
}
