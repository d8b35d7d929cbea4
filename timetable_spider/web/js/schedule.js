// Which classes a student sees: their group or subgroup's classes, minus hidden subjects and
// types, with some subjects taken with another subgroup, plus a subject's classes added from
// another group. The same rules as the personal feeds (personal_feeds.personal_events: take,
// then hide, then add, which hide does not remove), so a share link and a feed agree.

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

/** "MLE5028" or "MLE5028:L" → {subject, type}; type is null for the whole subject. */
export function parseHide(value) {
  const [subject, type = null] = value.split(":");
  return { subject, type: TYPES.includes(type) ? type : null };
}

/** "MLE5028:2" → {subject, subgroup: 2}. */
export function parseTake(value) {
  const [subject, subgroup] = value.split(":");
  return { subject, subgroup: Number(subgroup) };
}

/** "IE2/922/1:MLE5028" or "…:MLE5028:L" → {code, group, subgroup (null: the whole group), subject, type (null: all)}. */
export function parseAdd(value) {
  const [where, subject, type = null] = value.split(":");
  const [code, group, subgroup] = where.split("/");
  return { code, group, subgroup: subgroup ? Number(subgroup) : null, subject, type: TYPES.includes(type) ? type : null };
}

export function isHidden(one, hides) {
  return hides.some((hide) => hide.subject === one.subject_code && (hide.type === null || hide.type === one.type));
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
    if (!source) continue;
    const who = [addition.code, addition.group, addition.subgroup].filter((part) => part !== null).join("/");
    for (const one of groupClasses(source, addition.group, addition.subgroup)) {
      if (one.subject_code === addition.subject && (addition.type === null || addition.type === one.type) && !shown.has(one.uid)) {
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
