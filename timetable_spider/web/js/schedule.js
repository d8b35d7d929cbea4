// Which classes a student sees: their group or subgroup's classes, minus hidden subjects and
// types, with some subjects taken with another subgroup, plus a subject's classes added from
// another group. The same rules as the personal feeds (personal_feeds.personal_events: take,
// then hide, then add, which hide does not remove), so a share link and a feed agree.

import { parseAdd, parseHide, parseTake } from "./choices.js";

export const TYPES = ["C", "S", "L"];

/** "921/1" for a subgroup, "921" for the whole group (subgroup null). */
export function formationName(group, subgroup) {
  return subgroup === null ? group : `${group}/${subgroup}`;
}

/** Whether a subgroup (or, with null, the whole group) attends a class held for a formation. */
export function attends(formation, group, subgroup) {
  return subgroup === null || !formation.includes("/") || formation === formationName(group, subgroup);
}

export function findGroup(timetable, name) {
  return timetable.groups.find((group) => group.name === name) ?? null;
}

/** The calendar of a group for a subgroup (1, 2, ...) or null for the whole group. */
export function findCalendar(group, subgroup) {
  return group.calendars.find((calendar) => calendar.subgroup === subgroup) ?? null;
}

/** The group's classes that a subgroup (or the whole group, with null) attends. */
export function groupClasses(timetable, groupName, subgroup) {
  const group = findGroup(timetable, groupName);
  if (!group) return [];
  return group.classes.map((n) => timetable.classes[n])
    .filter((one) => attends(one.formation, groupName, subgroup));
}

/**
 * The calendar an add= value's "<group>[/<subgroup>]" names in a timetable, as the feeds resolve
 * it (personal_feeds): a group of that very name first (a group's own name may hold a "/"), else
 * a subgroup of the group before the last "/". {group, subgroup (null: the whole group)}, or null.
 */
export function addedCalendar(timetable, name) {
  const whole = findGroup(timetable, name);
  if (whole) return findCalendar(whole, null) ? { group: whole.name, subgroup: null } : null;
  const at = name.lastIndexOf("/");
  const group = at > 0 ? findGroup(timetable, name.slice(0, at)) : null;
  const subgroup = /^[1-9][0-9]{0,2}$/.test(name.slice(at + 1)) ? Number(name.slice(at + 1)) : null;
  return group && subgroup !== null && findCalendar(group, subgroup) ? { group: group.name, subgroup } : null;
}

/**
 * What of a choice the published timetables have: {choice, refused}. A subgroup the group does
 * not have becomes the whole group (or its only calendar); a take= of a subgroup the group does
 * not have and an add= from a timetable or group not published are left out; each is named in
 * refused, {part, reason}. choice is null when the timetable or group itself is not published.
 * timetables maps a spec code to its timetable, null when it is not published.
 */
export function resolveChoice(asked, timetables) {
  const own = timetables[asked.code];
  if (!own) return { choice: null, refused: [{ part: `code=${asked.code}`, reason: "unknown-timetable" }] };
  const group = findGroup(own, asked.group);
  if (!group) return { choice: null, refused: [{ part: `group=${asked.group}`, reason: "unknown-group" }] };
  const refused = [];
  let subgroup = asked.subgroup;
  if (!findCalendar(group, subgroup)) {
    refused.push({ part: `subgroup=${subgroup ?? "all"}`, reason: "unknown-subgroup" });
    subgroup = findCalendar(group, null) ? null : group.calendars[0].subgroup;
  }
  const subgroups = group.calendars.map((calendar) => calendar.subgroup).filter((n) => n !== null);
  const take = asked.take.filter((value) => {
    const known = subgroups.includes(parseTake(value).subgroup);
    if (!known) refused.push({ part: `take=${value}`, reason: "unknown-subgroup" });
    return known;
  });
  const add = asked.add.filter((value) => {
    const { code, group: name } = parseAdd(value);
    const reason = !timetables[code] ? "unknown-timetable" : !addedCalendar(timetables[code], name) ? "unknown-group" : null;
    if (reason) refused.push({ part: `add=${value}`, reason });
    return !reason;
  });
  return { choice: { ...asked, subgroup, hide: [...asked.hide], take, add }, refused };
}

export function isHidden(one, hides) {
  return hides.some((hide) => hide.subject === one.subject_code && (hide.kind === "" || hide.kind === one.type));
}

/**
 * The classes shown and exported for a choice: each {class, dates, table, from, taken}: its dates
 * (ISO strings), its academic-calendar table, from, null for the student's own classes or the
 * "CODE/group[/subgroup]" they were added from, and taken, whether it is another subgroup's (take=).
 * timetables maps a spec code to its timetable (the student's own and those added from).
 */
export function visibleClasses(choice, timetables) {
  const own = timetables[choice.code];
  if (!own) return [];
  const hides = choice.hide.map(parseHide);
  const takes = new Map(choice.take.map(parseTake).map((take) => [take.subject, take.subgroup]));
  const group = findGroup(own, choice.group);
  const shown = new Map();
  for (const n of group?.classes ?? []) {
    const one = own.classes[n];
    const subgroup = takes.has(one.subject_code) ? takes.get(one.subject_code) : choice.subgroup;
    if (attends(one.formation, choice.group, subgroup) && !isHidden(one, hides)) {
      shown.set(one.uid, { class: one, dates: own.dates[one.dates], table: own.table, from: null,
        taken: subgroup !== choice.subgroup && one.formation.includes("/") });
    }
  }
  for (const addition of choice.add.map(parseAdd)) {
    const source = timetables[addition.code];
    const calendar = source && addedCalendar(source, addition.group);
    if (!calendar) continue;
    const who = `${addition.code}/${addition.group}`;
    for (const one of groupClasses(source, calendar.group, calendar.subgroup)) {
      if (one.subject_code === addition.subject && (addition.kind === "" || addition.kind === one.type) && !shown.has(one.uid)) {
        shown.set(one.uid, { class: one, dates: source.dates[one.dates], table: source.table, from: who, taken: false });
      }
    }
  }
  return [...shown.values()];
}

/** The subjects of a group, each {code, name, types: ["C", "L"], subgroups: [1, 2]} (subgroups with their own classes of it). */
export function subjectsOf(timetable, groupName) {
  const subjects = new Map();
  for (const one of groupClasses(timetable, groupName, null)) {
    const subject = subjects.get(one.subject_code) ?? { code: one.subject_code, name: one.subject, types: [], subgroups: [] };
    if (!subject.types.includes(one.type)) subject.types.push(one.type);
    const own = one.formation.startsWith(`${groupName}/`) ? Number(one.formation.split("/")[1]) : null;
    if (own !== null && !subject.subgroups.includes(own)) subject.subgroups.push(own);
    subjects.set(one.subject_code, subject);
  }
  for (const subject of subjects.values()) {
    subject.types.sort((a, b) => TYPES.indexOf(a) - TYPES.indexOf(b));
    subject.subgroups.sort();
  }
  return [...subjects.values()].sort((a, b) => a.name.localeCompare(b.name, "ro"));
}
