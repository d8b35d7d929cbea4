// The calendar a student downloads for a choice, chosen as personal_feeds.personal_events
// chooses: the group's classes that take= and the calendar keep, minus hide=, then add='s
// classes, which hide does not remove; spliced from the published .ics files (ics.js).

import { parseAdd, parseHide, parseTake } from "./choices.js";
import { calendarPath } from "./data.js";
import { personalHead, splitCalendar, eventUid } from "./ics.js";
import { addedCalendar, attends, findCalendar, findGroup } from "./schedule.js";

/** The group's calendars in the feeds' order: the whole group's first, then by subgroup. */
function calendarsInOrder(group) {
  return [...group.calendars].sort((a, b) => (a.subgroup ?? 0) - (b.subgroup ?? 0));
}

/** {head, events: [{uid, text}], tail} of a published calendar; fetchText(path) gives its text. */
async function published(timetable, calendar, fetchText) {
  const { head, events, tail } = splitCalendar(await fetchText(calendarPath(timetable.directory, calendar.file)));
  return { head, tail, events: events.map((text) => ({ uid: eventUid(text), text })) };
}

/** The published paths of the .ics files a choice's download is made of, for keeping offline. */
export function calendarPaths(choice, timetables) {
  const own = timetables[choice.code];
  const group = own && findGroup(own, choice.group);
  if (!group) return [];
  const paths = calendarsInOrder(group).map((calendar) => calendarPath(own.directory, calendar.file));
  for (const { code, group: name } of choice.add.map(parseAdd)) {
    const source = timetables[code];
    const found = source && addedCalendar(source, name);
    if (found) paths.push(calendarPath(source.directory, findCalendar(findGroup(source, found.group), found.subgroup).file));
  }
  return paths;
}

/** The .ics text of a choice: the published calendar itself when nothing is changed. */
export async function personalCalendarText(choice, timetables, fetchText) {
  const own = timetables[choice.code];
  const group = findGroup(own, choice.group);
  const calendar = findCalendar(group, choice.subgroup);
  const mine = await published(own, calendar, fetchText);
  if (!choice.hide.length && !choice.take.length && !choice.add.length) {
    return mine.head + mine.events.map((event) => event.text).join("") + mine.tail;
  }
  const groupEvents = new Map();
  for (const one of calendarsInOrder(group)) {
    const { events } = one === calendar ? mine : await published(own, one, fetchText);
    for (const event of events) if (!groupEvents.has(event.uid)) groupEvents.set(event.uid, event);
  }
  const classes = new Map(own.classes.map((one) => [one.uid, one]));
  const inCalendar = new Set(mine.events.map((event) => event.uid));
  const taken = new Map(choice.take.map(parseTake).map((take) => [take.subject, take.subgroup]));
  const hides = choice.hide.map(parseHide);
  const keeps = (one, uid) => {
    const attended = taken.has(one.subject_code) ? attends(one.formation, group.name, taken.get(one.subject_code)) : inCalendar.has(uid);
    return attended && !hides.some((hide) => hide.subject === one.subject_code && (hide.kind === "" || hide.kind === one.type));
  };
  const chosen = [...groupEvents.values()].filter((event) => keeps(classes.get(event.uid), event.uid));
  const present = new Set(chosen.map((event) => event.uid));
  for (const addition of choice.add.map(parseAdd)) {
    const source = timetables[addition.code];
    const found = addedCalendar(source, addition.group);
    const from = await published(source, findCalendar(findGroup(source, found.group), found.subgroup), fetchText);
    const sourceClasses = new Map(source.classes.map((one) => [one.uid, one]));
    const adding = from.events.filter((event) => {
      const one = sourceClasses.get(event.uid);
      return one.subject_code === addition.subject && (addition.kind === "" || addition.kind === one.type);
    });
    chosen.push(...adding.filter((event) => !present.has(event.uid)));
    for (const event of adding) present.add(event.uid);
  }
  return personalHead(mine.head) + chosen.map((event) => event.text).join("") + mine.tail;
}
