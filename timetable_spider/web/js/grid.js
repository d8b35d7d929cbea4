// The week grid: Monday to Saturday by real dates, 08:00–22:00 (wider when a class is earlier or
// later), overlapping classes side by side. Each class is one button carrying data-uid, the UID
// of its event in the published .ics. On a phone, CSS shows one day at a time.

import { dayName, shortDate, t } from "./i18n.js";
import { addDays, clock, daysOff, minutes, weekday } from "./weeks.js";

const DAYS_SHOWN = 6; // Monday to Saturday

/** The classes of a week by weekday: [{item, day, start, end}] for days 0–5. */
export function weekClasses(items, monday) {
  const days = Array.from({ length: DAYS_SHOWN }, (_, n) => addDays(monday, n));
  const byDay = days.map(() => []);
  for (const item of items) {
    const held = new Set(item.dates);
    days.forEach((day, n) => {
      if (held.has(day)) byDay[n].push({ item, day, start: minutes(item.class.start), end: minutes(item.class.end) });
    });
  }
  return byDay;
}

/** Gives each class a lane, its cluster (classes overlapping one another) and the cluster's lane
 * count, so overlapping classes sit side by side. */
export function laneOut(classes) {
  const sorted = [...classes].sort((a, b) => a.start - b.start || b.end - a.end);
  let cluster = [];
  let clusterEnd = -1;
  let clusters = 0;
  const close = () => {
    const lanes = Math.max(0, ...cluster.map((one) => one.lane + 1));
    for (const one of cluster) Object.assign(one, { lanes, cluster: clusters });
    clusters += 1;
    cluster = [];
  };
  for (const one of sorted) {
    if (one.start >= clusterEnd) close();
    const laneEnds = [];
    for (const other of cluster) laneEnds[other.lane] = Math.max(laneEnds[other.lane] ?? 0, other.end);
    let lane = laneEnds.findIndex((end) => end <= one.start);
    one.lane = lane < 0 ? laneEnds.length : lane;
    cluster.push(one);
    clusterEnd = Math.max(clusterEnd, one.end);
  }
  close();
  return sorted;
}

/** A day's share of the desktop grid's width: wider as more classes sit side by side, but not
 * so wide that the other days' names break; a crowded hour is also listed whole below the grid. */
function dayWidth(classes) {
  return Math.max(1, 0.7 * Math.max(0, ...classes.map((one) => one.lanes)));
}

const CROWDED = 3; // classes side by side from which their names may not fit

/** Below the grid, each crowded hour of the week with its classes' names whole, one tap each. */
function renderCrowded(box, byDay, onOpen) {
  const hours = new Map();
  for (const one of byDay.flat()) {
    if (one.lanes < CROWDED) continue;
    const key = `${one.day} ${one.cluster}`;
    hours.set(key, [...(hours.get(key) ?? []), one]);
  }
  box.hidden = !hours.size;
  box.replaceChildren(...(hours.size ? [element("h3", "crowded-title", t("crowdedTitle"))] : []), ...[...hours.values()].map((classes) => {
    const start = Math.min(...classes.map((one) => one.start));
    const end = Math.max(...classes.map((one) => one.end));
    const hour = element("div", "crowded-hour");
    hour.append(element("p", "crowded-when", `${dayName(weekday(classes[0].day))} ${shortDate(classes[0].day)}, ${clock(start)}–${clock(end)}`));
    const list = element("ul");
    for (const one of classes) {
      const entry = one.item.class;
      const open = element("button", `link type-${entry.type}`, `${entry.start}–${entry.end} [${entry.type}] ${entry.subject} · ${[entry.room, entry.formation].filter(Boolean).join(" · ")}`);
      open.type = "button";
      open.addEventListener("click", () => onOpen(one.item));
      const item = element("li");
      item.append(open);
      list.append(item);
    }
    hour.append(list);
    return hour;
  }));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draws the week into grid; onOpen(item) is called when a class is chosen. */
export function renderWeek(grid, { monday, items, table, todayIso, selectedDay, changed = new Set(), clashing = new Set(), crowded, onOpen }) {
  const byDay = weekClasses(items, monday).map(laneOut);
  renderCrowded(crowded, byDay, onOpen);
  const all = byDay.flat();
  const first = Math.min(8 * 60, ...all.map((one) => Math.floor(one.start / 60) * 60));
  const last = Math.max(22 * 60, ...all.map((one) => Math.ceil(one.end / 60) * 60));
  const span = last - first;
  const off = daysOff(table, monday);
  grid.replaceChildren();
  grid.style.setProperty("--hours", span / 60);
  grid.style.setProperty("--days", byDay.map((classes) => `minmax(0, ${dayWidth(classes)}fr)`).join(" "));

  const hours = element("div", "hours");
  hours.setAttribute("aria-hidden", "true");
  hours.append(element("div", "day-head"));
  const hourBody = element("div", "hour-body");
  for (let at = first; at < last; at += 60) hourBody.append(element("span", "hour", `${String(at / 60).padStart(2, "0")}:00`));
  hours.append(hourBody);
  grid.append(hours);

  byDay.forEach((classes, n) => {
    const day = addDays(monday, n);
    const column = element("section", "day");
    column.dataset.day = String(n);
    column.dataset.date = day;
    if (day === todayIso) column.classList.add("today");
    if (n === selectedDay) column.classList.add("selected");
    const head = element("h3", "day-head");
    head.append(element("span", "day-name", dayName(n, "short")), " ", element("span", "day-date", shortDate(day)));
    column.setAttribute("aria-label", `${dayName(n)} ${shortDate(day)}`);
    const body = element("div", "day-body");
    if (off.has(day)) {
      column.classList.add("off");
      head.append(element("span", "off-badge", t("dayOff")));
      body.append(element("p", "off-note", `${t("dayOff")}: ${off.get(day)}`));
    }
    column.append(head, body);
    for (const one of classes) {
      const marks = { changed: changed.has(one.item.class.uid), clash: clashing.has(`${one.item.class.uid} ${day}`) };
      body.append(classButton(one, first, span, marks, onOpen));
    }
    grid.append(column);
  });
}

/** A class's button; marks: {changed, clash}, whether the last crawl changed it and whether it clashes that day. */
function classButton(one, first, span, marks, onOpen) {
  const entry = one.item.class;
  const button = element("button", `class type-${entry.type}${one.item.from ? " added" : ""}${one.lanes > 1 ? " narrow" : ""}${marks.changed ? " changed" : ""}${marks.clash ? " clash" : ""}`);
  button.type = "button";
  button.dataset.uid = entry.uid;
  button.style.top = `${((one.start - first) / span) * 100}%`;
  button.style.height = `${((one.end - one.start) / span) * 100}%`;
  button.style.left = `${(one.lane / one.lanes) * 100}%`;
  button.style.width = `${100 / one.lanes}%`;
  // named by what it shows (so speech input can say it), with what the eye gets from its colour,
  // place and marks said before and after
  const said = (text) => element("span", "visually-hidden", text);
  const after = [dayName(entry.day), marks.changed && t("changedMark"), marks.clash && t("clashMark")].filter(Boolean);
  button.append(
    said(`${t(`kind${entry.type}`)}: `),
    element("span", "class-time", `${entry.start}–${entry.end}`), " ",
    element("span", "class-subject", entry.subject), " ",
    element("span", "class-meta", [entry.type, entry.room, entry.formation].filter(Boolean).join(" · ")),
    said(`, ${after.join(", ")}`),
  );
  button.addEventListener("click", () => onOpen(one.item));
  return button;
}
