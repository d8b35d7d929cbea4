// The student's choice as a share link and in localStorage. The link is a public interface:
// index.html?code=IE2&group=921&subgroup=1&date=2026-03-10&hide=…&take=…&add=…
// subgroup is "all" for the whole group and left out for a group without subgroups;
// hide, take and add repeat, with the personal feeds' syntax.

const STORAGE_KEY = "timetable-choice";

/** {code, group, subgroup: number | null, hide: [], take: [], add: []}, or null. */
export function emptyChoice(code, group, subgroup) {
  return { code, group, subgroup, hide: [], take: [], add: [] };
}

/**
 * What a URL's query asks for: {choice, view, date}, each null when absent; view is a teacher's,
 * room's or subject's week, {kind, code}, from ?teacher=…, ?room=… or ?subject=….
 */
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(params.get("date") ?? "") ? params.get("date") : null;
  const kind = ["teacher", "room", "subject"].find((name) => params.get(name));
  if (kind) return { choice: null, view: { kind, code: params.get(kind) }, date };
  const code = params.get("code");
  const group = params.get("group");
  if (!code || !group) return { choice: null, view: null, date };
  const subgroup = params.get("subgroup");
  const choice = emptyChoice(code, group, subgroup && subgroup !== "all" ? Number(subgroup) : null);
  for (const name of ["hide", "take", "add"]) choice[name] = unique(params.getAll(name).filter(Boolean));
  return { choice, view: null, date };
}

/**
 * The query for a choice. hasSubgroups says whether the group has subgroups, so the whole
 * group is "subgroup=all" and a group without them has no subgroup parameter.
 */
export function toQuery(choice, hasSubgroups, date = null) {
  const params = new URLSearchParams({ code: choice.code, group: choice.group });
  if (hasSubgroups) params.set("subgroup", choice.subgroup === null ? "all" : String(choice.subgroup));
  if (date) params.set("date", date);
  for (const name of ["hide", "take", "add"]) for (const value of choice[name]) params.append(name, value);
  return "?" + params.toString();
}

export function save(choice) {
  const { code, group, subgroup, hide, take, add } = choice;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ code, group, subgroup, hide, take, add }));
  } catch { /* storage blocked: the share link still keeps the choice */ }
}

export function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY));
    if (!saved?.code || !saved.group) return null;
    return { ...emptyChoice(saved.code, saved.group, saved.subgroup ?? null),
      hide: saved.hide ?? [], take: saved.take ?? [], add: saved.add ?? [] };
  } catch {
    return null;
  }
}

/** Adds value to choice[list] when on is true, removes it otherwise. */
export function toggle(choice, list, value, on) {
  const rest = choice[list].filter((item) => item !== value);
  choice[list] = on ? [...rest, value] : rest;
}

function unique(values) {
  return [...new Set(values)];
}
