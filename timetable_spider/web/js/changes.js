// What changed in the student's timetable, from changes/<CODE>.json (the newest crawls first):
// a list in the panel with a link to the spec's Atom feed, and the changed classes marked in the grid.

import { fetchJson } from "./data.js";
import { dayName, t } from "./i18n.js";
import { attends } from "./schedule.js";
import { TIME_ZONE } from "./weeks.js";

const SHOWN = 8;

/** The changes of the last crawls that concern a group or subgroup: [{finished, change}], newest first. */
export function changesFor(log, group, subgroup) {
  return log.crawls.flatMap((crawl) => crawl.changes
    .filter((change) => change.groups.includes(group) && attends(change.formation, group, subgroup))
    .map((change) => ({ finished: crawl.finished, change })));
}

const DAYS = ["luni", "marti", "miercuri", "joi", "vineri", "sambata", "duminica"];

/** The timetable's Romanian day ("Marti", "Sâmbătă") in the page's language; as written when unknown. */
function day(name) {
  const n = DAYS.indexOf(name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase());
  return n < 0 ? name : dayName(n);
}

/** A time as the crawl writes it, "Marti 18:00-20:00", with its day in the page's language. */
function dayFirst(time) {
  return time.replace(/^\S+/, day);
}

/** "Changed: [C] Programare Web (IE2): room 2/I → C510" in the page's language. */
export function sentence(change) {
  const about = change.class;
  const kind = { curs: "C", seminar: "S", laborator: "L" }[about.type.toLowerCase()] ?? about.type;
  const what = `[${kind}] ${about.subject} (${change.formation})`;
  if (change.change !== "changed") {
    return `${t(change.change === "added" ? "changeAdded" : "changeRemoved")}: ${what}, ${day(about.day)} ${about.start}–${about.end}, ${about.room}, ${about.teacher}`;
  }
  const parts = Object.entries(change.fields).map(([name, [before, after]]) =>
    name === "weeks" ? (before[0] === after[0] ? t("fieldWeekDates") : `${t("field_weeks")} ${before[0]} → ${after[0]}`)
      : name === "time" ? `${t("field_time")} ${dayFirst(before)} → ${dayFirst(after)}`
        : `${t(`field_${name}`)} ${before} → ${after}`);
  return `${t("changeChanged")}: ${what}: ${parts.join("; ")}`;
}

/** Fills the changes card for a choice; resolves to the UIDs changed or added lately, to mark them. */
export async function showChanges(card, code, group, subgroup) {
  let log;
  try {
    log = await fetchJson(`changes/${encodeURIComponent(code)}.json`);
  } catch {
    card.hidden = true; // a site published before change logs existed
    return new Set();
  }
  const found = changesFor(log, group, subgroup);
  const list = card.querySelector(".change-list");
  const format = new Intl.DateTimeFormat(t("dateLocale"), { dateStyle: "medium", timeZone: TIME_ZONE });
  list.replaceChildren(...found.slice(0, SHOWN).map(({ finished, change }) => {
    const item = document.createElement("li");
    const when = document.createElement("time");
    when.dateTime = finished;
    when.textContent = format.format(new Date(finished));
    item.append(when, " ", sentence(change));
    return item;
  }));
  card.querySelector(".no-changes").hidden = found.length > 0;
  card.querySelector(".feed").href = log.feed;
  card.querySelector(".change-count").textContent = found.length ? String(found.length) : "";
  card.hidden = false;
  const latest = log.crawls.find((crawl) => crawl.changes.length);
  return new Set(found.filter(({ finished, change }) => finished === latest?.finished && change.change !== "removed")
    .map(({ change }) => change.uid));
}
