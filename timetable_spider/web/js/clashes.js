// Clashes: a class the student added from another group (add=) or took with another subgroup
// (take=) held at the same time as another of their classes, on a real date both are held. The
// items carry their dates, so an odd-week and an even-week class at the same hour never share
// one, and a day off is in neither's dates.

import { minutes } from "./weeks.js";

/** Whether an item (see schedule.visibleClasses) is there by the student's own change. */
function chosen(item) {
  return item.from !== null || Boolean(item.taken);
}

/**
 * Every pair of shown items that collide, at least one of them chosen by the student, as
 * {first, second, start, dates}: first is the chosen one, start the time the overlap begins,
 * dates the shared dates (ISO, sorted). Sorted by first date and time.
 */
export function findClashes(items) {
  const clashes = [];
  items.forEach((first, i) => {
    if (!chosen(first)) return;
    items.forEach((second, j) => {
      if (j === i || (chosen(second) && j < i)) return; // two chosen items: the pair once
      const start = Math.max(minutes(first.class.start), minutes(second.class.start));
      if (start >= Math.min(minutes(first.class.end), minutes(second.class.end))) return;
      const held = new Set(second.dates);
      const dates = first.dates.filter((date) => held.has(date)).sort();
      if (dates.length) clashes.push({ first, second, start, dates });
    });
  });
  return clashes.sort((a, b) => a.dates[0].localeCompare(b.dates[0]) || a.start - b.start);
}

/** The "uid date" keys of the items in clashes, to mark them in the week. */
export function clashKeys(clashes) {
  const keys = new Set();
  for (const { first, second, dates } of clashes) {
    for (const date of dates) keys.add(`${first.class.uid} ${date}`).add(`${second.class.uid} ${date}`);
  }
  return keys;
}
