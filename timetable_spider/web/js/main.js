// The students' page: wires the finder, the week grid, the changes and the keep-it actions
// to the choice, and keeps the choice in the address bar and in localStorage.

import { findYear, indexData, runStatus, siteData, timetable as fetchTimetable } from "./data.js";
import { showChanges } from "./changes.js";
import { Finder } from "./finder.js";
import { startFreeRooms } from "./freerooms.js";
import { renderWeek } from "./grid.js";
import { dateRange, dayName, lang, LANGUAGES, setLanguage, shortDate, t, translateDocument } from "./i18n.js";
import { announce } from "./announce.js";
import { keepFocus } from "./focus.js";
import { watchBelow } from "./more-below.js";
import { clashKeys, findClashes } from "./clashes.js";
import { renderClashes } from "./clash-notice.js";
import { listenForNewData, startOffline } from "./offline.js";
import { parseAdd } from "./choices.js";
import { findCalendar, findGroup, formationName, resolveChoice, visibleClasses } from "./schedule.js";
import { emptyChoice, fromQuery, load, sameChoice, save, toQuery } from "./state.js";
import { mainTable, timetableOf, viewItems, viewQuery } from "./views.js";
import { addDays, mondayOf, openingWeek, today, TIME_ZONE, weekNumber, weekRange, weekday } from "./weeks.js";

const app = {
  site: null,
  index: null,
  choice: null,
  timetables: {}, // code -> timetable, the chosen spec's and those classes are added from
  monday: null,
  day: 0, // the day shown on a phone, 0 = Monday
  keepDate: null, // the share link's date, kept in the address bar until the student moves
  changedUids: new Set(), // classes the last crawl with changes changed or added, marked in the grid
  view: null, // {kind, code, entry, timetable} while a teacher's, room's or subject's week is shown
  started: false, // the service worker is asked to keep files only after the first view
  visiting: false, // the choice shown is a shared link's, not saved: the student's own stays as it is
  // a link's lang= stays in the address (and the share link) until the student picks a language
  linkLang: new URLSearchParams(location.search).get("lang") === lang ? lang : null,
};

const $ = (id) => document.getElementById(id);
let refreshBelow = () => {}; // the phone's cue to a day's classes below the fold, once wired
const finder = new Finder(async (code, group, subgroup) => {
  const choice = emptyChoice(code, group, subgroup);
  if (app.choice?.code === code) {
    // another group or subgroup of the same year: its subjects are the same, so the changes stay
    for (const list of ["hide", "take", "add"]) choice[list] = [...app.choice[list]];
  }
  // the student's own pick: it becomes their saved choice
  if (await choose(choice)) announce(t("announceShowing", { who: $("choice-summary").textContent, week: weekSaid() }));
}, async (kind, code) => {
  await showView({ kind, code });
  if (app.view?.code === code) announce(t("announceShowing", { who: $("choice-summary").textContent, week: weekSaid() }));
});

async function start() {
  listenForNewData($("banner"));
  translateDocument();
  wireControls();
  startFreeRooms($("free-rooms"));
  const asked = fromQuery(location.search);
  app.keepDate = asked.date;
  const saved = load();
  // A link is a visit: it never replaces the saved choice, unless it names the saved timetable
  // itself (a push alert's link names the group only: the student's changes stay).
  const opensSaved = saved && asked.choice && (sameChoice(asked.choice, saved) || (sameTimetable(asked.choice, saved)
    && !asked.choice.hide.length && !asked.choice.take.length && !asked.choice.add.length));
  const choice = asked.view ? null : opensSaved ? saved : asked.choice ?? saved;
  const visiting = Boolean(asked.choice) && !opensSaved;
  if (visiting) { // said at once, from the link alone: it is the largest text of a first view
    app.visiting = true;
    showSharedBar(asked.choice);
  }
  $("finder").open = (!choice && !asked.view) || wide();
  indexData().then((index) => {
    app.index = index;
    finder.setIndex(index);
    if (app.choice) showFinderChoice();
  }).catch(showLoadError);
  runStatus().then(showTrust).catch(() => {});
  try {
    app.site = await siteData();
    if (asked.view) await showView(asked.view, asked.date, asked.refused);
    else if (choice) await choose(choice, { date: asked.date, visiting, refused: asked.refused });
    else if (asked.refused.length) showLinkNotice(asked.refused, false);
  } catch (error) {
    showLoadError(error);
  }
  followSubscription(); // a change the server did not take last time
  addEventListener("online", () => followSubscription());
  // after the page has loaded, so the worker's downloads never delay the first view
  if (document.readyState !== "complete") await new Promise((done) => addEventListener("load", done, { once: true }));
  await startOffline($("banner"), () => ["data/site.json", "data/index.json", "data/status.json",
    ...Object.keys(app.timetables).map((code) => `data/timetables/${encodeURIComponent(code)}.json`)]);
  app.started = true;
  keepCalendarsOffline();
}

/** The .ics files the chosen timetable's download is made of, kept for a download offline. */
async function keepCalendarsOffline() {
  if (!app.started || !app.choice) return;
  const [{ calendarPaths }, { keepOffline }] = await Promise.all([import("./personal-calendar.js"), import("./offline.js")]);
  keepOffline(calendarPaths(app.choice, app.timetables));
}

function sameTimetable(one, other) {
  return one.code === other.code && one.group === other.group && one.subgroup === other.subgroup;
}

/**
 * Makes choice the shown timetable, opening on date's week (or the current or next teaching
 * week). visiting: a shared link's, shown without being saved; refused: the link's parts left
 * out already. What the published timetables do not have is left out too, and said. Whether
 * it could be shown.
 */
async function choose(asked, { date = null, visiting = false, refused = [] } = {}) {
  const codes = [asked.code, ...asked.add.map((value) => parseAdd(value).code)];
  $("grid").setAttribute("aria-busy", "true");
  const failures = [];
  await Promise.all([...new Set(codes)].filter((code) => !app.timetables[code]).map(async (code) => {
    app.timetables[code] = await fetchTimetable(code).catch((error) => { failures.push(error); return null; });
  }));
  $("grid").removeAttribute("aria-busy");
  if (failures.some((error) => !error.status)) { // no answer at all: offline, not a bad link
    showLoadError(failures[0]);
    return false;
  }
  const resolved = resolveChoice(asked, app.timetables);
  if (!resolved.choice) {
    showLinkNotice([...refused, ...resolved.refused], true);
    return false;
  }
  const choice = resolved.choice;
  showLinkNotice([...refused, ...resolved.refused], false);
  const own = app.timetables[choice.code];
  const previous = app.choice;
  app.choice = choice;
  app.visiting = visiting;
  app.view = null;
  $("back").hidden = true;
  if (!previous || previous.code !== choice.code || date) {
    const table = tableOf(own);
    const day = date ?? nextSchoolDay(today());
    app.monday = date ? mondayOf(date) : openingWeek(table, day);
    app.day = app.monday === mondayOf(day) ? Math.min(weekday(day), 5) : 0;
  }
  $("finder").open = wide();
  $("customize").hidden = false;
  $("week").hidden = false;
  $("week").classList.remove("failed");
  showSharedBar();
  $("academic-year").hidden = !app.site.academic_year_calendars?.[choice.code];
  $("week").dataset.ready = "true";
  document.documentElement.classList.add("has-choice");
  showFinderChoice();
  changed();
  keepCalendarsOffline();
  if (!previous || previous.code !== choice.code || previous.group !== choice.group || previous.subgroup !== choice.subgroup) {
    app.changedUids = new Set();
    showChanges($("changes"), choice.code, choice.group, choice.subgroup).then((uids) => {
      if (app.choice !== choice) return; // another choice was made meanwhile
      app.changedUids = uids;
      drawWeek();
    });
  }
  return true;
}

/** Shows the published week of a teacher, room or subject; the student's own choice stays saved. */
async function showView({ kind, code }, date = null, refused = []) {
  let failure = null;
  const timetable = await timetableOf(kind, code).catch((error) => { failure = error; return null; });
  if (!timetable) {
    if (failure?.status) showLinkNotice([...refused, { part: `${kind}=${code}`, reason: "unknown-view" }], true);
    else showLoadError(failure);
    return;
  }
  showLinkNotice(refused, false);
  app.visiting = false;
  hideSharedBar();
  $("week").hidden = false;
  $("week").classList.remove("failed");
  app.view = { kind, code, timetable };
  app.choice = null;
  app.changedUids = new Set();
  const table = tableNamed(mainTable(timetable));
  const day = date ?? nextSchoolDay(today());
  app.monday = date ? mondayOf(date) : openingWeek(table, day);
  app.day = app.monday === mondayOf(day) ? Math.min(weekday(day), 5) : 0;
  $("finder").open = wide();
  $("customize").hidden = true;
  $("academic-year").hidden = true;
  $("changes").hidden = true;
  $("week").dataset.ready = "true";
  document.documentElement.classList.add("has-choice");
  showViewSummary();
  drawWeek();
}

function showViewSummary() {
  const { kind, timetable } = app.view;
  $("finder").querySelector(".summary-title").textContent = t(kind);
  $("choice-summary").textContent = timetable.name;
  const saved = load();
  $("back").hidden = !saved;
  if (saved) {
    const who = formationName(saved.group, saved.subgroup);
    $("back").firstElementChild.href = toQuery(saved, true);
    $("back").firstElementChild.textContent = t("backToYours", { who: `${saved.code} · ${who}` });
  }
}

/** A screen wide enough for the panel beside the week (the CSS breakpoint). */
function wide() {
  return window.matchMedia("(min-width: 60rem)").matches;
}

/** On Sunday, the week to open is the coming one. */
function nextSchoolDay(day) {
  return weekday(day) === 6 ? addDays(day, 1) : day;
}

function tableOf(timetable) {
  return tableNamed(timetable.table);
}

function tableNamed(name) {
  return app.site.tables[name] ?? { weeks: [], periods: [] };
}

/** What the week shows: the student's classes, or the viewed teacher's, room's or subject's. */
function shown() {
  if (app.view) return { items: viewItems(app.view.timetable), table: tableNamed(mainTable(app.view.timetable)) };
  return { items: visibleClasses(app.choice, app.timetables), table: tableOf(app.timetables[app.choice.code]) };
}

function showFinderChoice() {
  const own = app.timetables[app.choice.code];
  const found = app.index && findYear(app.index, app.choice.code);
  finder.showChoice(found?.spec ?? null, own, findGroup(own, app.choice.group), app.choice.subgroup);
  const who = formationName(app.choice.group, app.choice.subgroup);
  $("finder").querySelector(".summary-title").textContent = t(app.visiting ? "sharedTimetable" : "yours");
  $("choice-summary").textContent = `${own.code} · ${who}`;
  $("choice-summary").title = `${own.name} · ${t("yearN", { n: own.year })}`;
}

/** A spec's timetable, fetched once. */
async function loadTimetable(code) {
  if (!app.timetables[code]) app.timetables[code] = await fetchTimetable(code);
  return app.timetables[code];
}

/** After any change of the choice: the panel, the grid, the address bar and localStorage. */
function changed() {
  drawCustomize();
  const count = app.choice.hide.length + app.choice.take.length + app.choice.add.length;
  $("changes-count").textContent = count ? t("changesCount", { n: count }) : "";
  drawWeek();
  if (!app.visiting) {
    save(app.choice);
    followSubscription();
  }
}

/** "Make it yours", drawn while it is open: its module is loaded when first opened, so a first view
 * does not pay for it. */
async function drawCustomize() {
  if (!$("customize").open || !app.choice) return;
  const { renderCustomize } = await import("./customize.js");
  const own = app.timetables[app.choice.code];
  renderCustomize($("customize-body"), app.choice, own, { index: app.index, timetables: app.timetables, load: loadTimetable }, () => {
    const added = app.choice.add.map((value) => parseAdd(value).code).filter((code) => !(code in app.timetables));
    if (added.length) choose(app.choice, { visiting: app.visiting });
    else changed();
  });
}

/** The bar over a shared link's timetable: keep the saved one, or make this one the student's. */
function showSharedBar(shown = app.choice) {
  const bar = $("shared-bar");
  bar.hidden = !app.visiting;
  document.documentElement.classList.toggle("shared-link", app.visiting); // the place the first paint kept
  if (bar.hidden) return;
  const saved = load();
  const who = (choice) => `${choice.code} · ${formationName(choice.group, choice.subgroup)}`;
  $("shared-text").textContent = saved ? t("sharedViewing", { who: who(shown), mine: who(saved) })
    : t("sharedNoSaved", { who: who(shown) });
  $("shared-subscription").textContent = saved && app.site?.feeds_url && subscribed() ? t("makeItMineSubscription") : "";
  $("keep-mine").hidden = !saved;
  $("keep-mine").onclick = () => {
    app.keepDate = null; // the link's date was for its timetable
    history.replaceState(null, "", location.pathname);
    choose(saved).then(() => $("week-title").focus?.());
  };
  $("make-it-mine").onclick = () => {
    if (!app.choice) return; // the link's timetable is not there yet
    app.visiting = false;
    hideSharedBar();
    showFinderChoice();
    changed();
    $("link-notice").hidden = true;
    $("choice-summary").focus?.();
  };
}

function hideSharedBar() {
  $("shared-bar").hidden = true;
  document.documentElement.classList.remove("shared-link");
}

/** Whether this browser keeps a stable subscription (read without loading stable.js). */
function subscribed() {
  try { return Boolean(localStorage.getItem("timetable-subscription")); } catch { return false; }
}

/** The student's stable subscription follows their own choice, whatever changed it, undo included. */
async function followSubscription() {
  if (!app.site?.feeds_url || app.visiting || !subscribed()) return;
  const { follow, following } = await import("./stable.js");
  const current = following();
  if (!current) return;
  if (app.choice) {
    const { feedPath } = await import("./subscribe.js");
    const own = app.timetables[app.choice.code];
    const calendar = findCalendar(findGroup(own, app.choice.group), app.choice.subgroup);
    await follow(app.site.feeds_url, feedPath(app.choice, calendar.file, current.periods));
  } else if (current.pending) {
    await follow(app.site.feeds_url, current.pending);
  }
  if ($("subscribe-dialog").open && !app.view) showSubscriptionSync();
}

/** What the subscribe panel says of the stable subscription: when it last took a change, or
 * that the latest one is waiting for the server. */
async function showSubscriptionSync() {
  const { following } = await import("./stable.js");
  const current = following();
  const line = $("subscribe-sync");
  line.hidden = !current;
  if (!current) return;
  const when = (iso) => new Intl.DateTimeFormat(t("dateLocale"), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  line.textContent = current.pending ? t("subscriptionPending", { why: current.error ?? "" })
    : current.synced ? t("subscriptionSynced", { when: when(current.synced) }) : "";
}

/** A link's parts left out and why; broken: nothing of it could be shown, so the saved
 * timetable and the search are offered instead. */
function showLinkNotice(refused, broken) {
  const notice = $("link-notice");
  notice.hidden = !refused.length && !broken;
  if (notice.hidden) return;
  $("link-notice-title").textContent = t(broken ? "linkNotOpened" : "linkLeftOut");
  $("link-refused").replaceChildren(...refused.map(({ part, reason }) => {
    const item = document.createElement("li");
    item.append(Object.assign(document.createElement("code"), { textContent: part }), `: ${t(`refused.${reason}`)}`);
    return item;
  }));
  const saved = load();
  const open = $("open-mine");
  open.hidden = !saved || !broken;
  if (saved) {
    open.textContent = t("openMine", { who: `${saved.code} · ${formationName(saved.group, saved.subgroup)}` });
    open.onclick = () => {
      history.replaceState(null, "", location.pathname);
      notice.hidden = true;
      choose(saved);
    };
  }
  if (broken) {
    app.choice = null;
    app.view = null;
    $("week").hidden = true;
    $("customize").hidden = true;
    hideSharedBar();
    document.documentElement.classList.remove("has-choice");
    $("finder").open = true;
  }
  if (broken) notice.focus();
}

function hasSubgroups(timetable, choice) {
  return findGroup(timetable, choice.group).calendars.some((calendar) => calendar.subgroup !== null);
}

/** The address of what is shown, with the week's date unless it is the week that opens anyway,
 * and the link's language while it rules. */
function address() {
  const date = app.keepDate ?? (app.monday === openingWeek(shown().table, nextSchoolDay(today())) ? null : app.monday);
  const query = app.view ? viewQuery(app.view.kind, app.view.code, date)
    : toQuery(app.choice, hasSubgroups(app.timetables[app.choice.code], app.choice), date);
  return app.linkLang ? `${query}&lang=${app.linkLang}` : query;
}

/** What the week bar says: "Week 4 · 16–21 Mar 2026, even week (sapt. 2)". */
function weekSaid() {
  return `${$("week-title").innerText}, ${$("week-parity").textContent}`; // innerText: the span shown
}

function drawWeek() {
  const { items, table } = shown();
  const monday = app.monday;
  const number = weekNumber(table, monday);
  const saturday = addDays(monday, 5);
  // the span with its year, and on a phone (CSS shows one of the two) without
  const span = (className, year) => Object.assign(document.createElement("span"), { className, textContent: dateRange(monday, saturday, { year }) });
  // one inline box: the phone's title is a flex box, which would trim the space before the span
  const title = document.createElement("span");
  title.append(number ? t("weekN", { n: number }) + " · " : "", span("week-year", true), span("week-no-year", false));
  $("week-title").replaceChildren(title);
  $("week-parity").textContent = number ? t(number % 2 ? "odd" : "even") : t("noTeaching");
  const clashes = app.view ? [] : findClashes(items);
  renderClashes($("clashes"), clashes, showDate);
  renderWeek($("grid"), { monday, items, table, todayIso: today(), selectedDay: app.day, changed: app.changedUids,
    clashing: clashKeys(clashes), crowded: $("crowded"), onOpen: openDetail });
  const drawn = $("grid").querySelectorAll("[data-uid]").length;
  const between = !number && !drawn;
  $("week-note").textContent = number && !drawn ? t("noClassesWeek") : "";
  $("grid").classList.toggle("empty-week", !drawn);
  $("week").classList.remove("between-teaching");
  if (between) showBetween(table, monday);
  drawDayTabs(monday);
  refreshBelow();
  const [first, last] = weekRange(table);
  $("prev-week").disabled = monday <= first;
  $("next-week").disabled = monday >= last;
  history.replaceState(null, "", address());
}

/** A class's details, whose module loads at the first one opened, so a first view does not pay for it. */
async function openDetail(item) {
  const { showDetail } = await import("./detail.js");
  showDetail($("detail"), item, tableNamed(item.table));
}

/** A week without teaching: what that time is (an exam session, a holiday, the summer) instead
 * of an empty grid, and the next teaching week one tap away; else "outside the semester". */
async function showBetween(table, monday) {
  const { renderBreak } = await import("./breaks.js");
  if (app.monday !== monday) return; // the student moved on meanwhile
  const told = renderBreak($("between"), table, monday, (date) => {
    showDate(date);
    keepFocus($("week")); // the break card and its button are gone
  });
  $("week").classList.toggle("between-teaching", told);
  $("week-note").textContent = told ? "" : t("outsideSemester");
}

/** Shows the week of date, with date's day chosen on a phone (Saturday for a Sunday). */
function showDate(date) {
  app.keepDate = null;
  app.monday = mondayOf(date);
  app.day = Math.min(weekday(date), 5);
  drawWeek();
  announce(weekSaid());
}

function drawDayTabs(monday) {
  const hadFocus = $("day-tabs").contains(document.activeElement);
  const tabs = Array.from({ length: 6 }, (_, n) => dayName(n, "short")).map((name, n) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "day-tab";
    button.setAttribute("aria-pressed", String(n === app.day));
    button.append(name, document.createElement("br"), addDays(monday, n).slice(8));
    button.addEventListener("click", () => selectDay(n));
    return button;
  });
  $("day-tabs").replaceChildren(...tabs);
  if (hadFocus) tabs[app.day].focus(); // a swipe or tab past Saturday drew the next week's tabs
}

function selectDay(n) {
  if (n < 0 || n > 5) {
    moveWeek(n < 0 ? -1 : 1, n < 0 ? 5 : 0);
    return;
  }
  app.day = n;
  for (const column of $("grid").querySelectorAll(".day")) column.classList.toggle("selected", Number(column.dataset.day) === n);
  for (const [m, tab] of [...$("day-tabs").children].entries()) tab.setAttribute("aria-pressed", String(m === n));
  refreshBelow();
  const count = $("grid").querySelectorAll(`.day[data-day="${n}"] [data-uid]`).length;
  announce(t("dayClasses", { day: `${dayName(n)} ${shortDate(addDays(app.monday, n))}`, n: count }));
  keepFocus($("day-tabs").children[n], $("week"));
}

function moveWeek(step, day = app.day) {
  app.keepDate = null;
  app.monday = addDays(app.monday, 7 * step);
  app.day = day;
  drawWeek();
  announce(weekSaid());
  // an arrow disabled at the first or last week loses focus: the other arrow takes it
  keepFocus($(step < 0 ? "next-week" : "prev-week"), $("week"));
}

function wireControls() {
  $("customize").addEventListener("toggle", drawCustomize);
  $("prev-week").addEventListener("click", () => moveWeek(-1));
  $("next-week").addEventListener("click", () => moveWeek(1));
  $("today").addEventListener("click", () => showDate(nextSchoolDay(today())));
  $("language").replaceChildren(...Object.entries(LANGUAGES).map(([code, name]) =>
    Object.assign(new Option(name, code, false, code === lang), { lang: code })));
  $("language").addEventListener("change", async (event) => {
    await setLanguage(event.target.value);
    app.linkLang = null;
    if (app.choice || app.view) history.replaceState(null, "", address());
    translateDocument();
    runStatus().then(showTrust).catch(() => {});
    if (app.index) finder.setIndex(app.index);
    if (app.view) {
      showViewSummary();
      drawWeek();
    }
    if (app.choice) {
      showFinderChoice();
      changed();
      showChanges($("changes"), app.choice.code, app.choice.group, app.choice.subgroup);
    }
  });
  swipe($("grid"), (direction) => selectDay(app.day + direction));
  refreshBelow = watchBelow($("grid"), $("more-below"), document.querySelector(".actions"));
  $("download").addEventListener("click", downloadCalendar);
  $("subscribe").addEventListener("click", async () => {
    if (subscribed() && !app.visiting) { // the academic year as the subscription has it
      const { following } = await import("./stable.js");
      $("subscribe-periods").checked = Boolean(following()?.periods);
    }
    openSubscribe();
  });
  $("academic-year").addEventListener("click", openAcademicYear);
  $("subscribe-periods").addEventListener("change", openSubscribe);
  $("share").addEventListener("click", openShare);
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = $(button.dataset.copy);
      input.select();
      await navigator.clipboard?.writeText(input.value).catch(() => document.execCommand("copy"));
      button.textContent = t("copied");
      setTimeout(() => { button.textContent = t("copyLink"); }, 2000);
    });
  }
}

/** Calls go(+1) or go(-1) for a horizontal swipe on a phone. */
function swipe(area, go) {
  let start = null;
  area.addEventListener("touchstart", (event) => { start = event.touches[0]; }, { passive: true });
  area.addEventListener("touchend", (event) => {
    if (!start) return;
    const end = event.changedTouches[0];
    const dx = end.clientX - start.clientX;
    const dy = end.clientY - start.clientY;
    start = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > 2 * Math.abs(dy)) go(dx < 0 ? 1 : -1);
  }, { passive: true });
}

function customized() {
  return Boolean(app.choice && app.choice.hide.length + app.choice.take.length + app.choice.add.length);
}

async function downloadCalendar() {
  const { download } = await import("./ics.js");
  if (app.view) { // the published calendar itself
    const { publishedUrl } = await import("./subscribe.js");
    const response = await fetch(publishedUrl(app.view.timetable.calendar)).catch(() => null);
    if (!response?.ok) {
      showLoadError(new Error(app.view.timetable.calendar));
      return;
    }
    download(await response.text(), app.view.timetable.calendar.split("/").pop());
    return;
  }
  const own = app.timetables[app.choice.code];
  const calendar = findCalendar(findGroup(own, app.choice.group), app.choice.subgroup);
  const { personalCalendarText } = await import("./personal-calendar.js");
  const fetchText = async (path) => {
    const response = await fetch(path);
    if (!response.ok) throw Object.assign(new Error(`${path}: HTTP ${response.status}`), { status: response.status });
    return response.text();
  };
  let text;
  try {
    text = await personalCalendarText(app.choice, app.timetables, fetchText);
  } catch (error) {
    showLoadError(error);
    return;
  }
  download(text, `${own.code}-${calendar.file.replace(/\.ics$/, "")}${customized() ? "-custom" : ""}.ics`);
}

async function openSubscribe() {
  const { feedPath, publishedUrl, tailoredUrl } = await import("./subscribe.js");
  let url, name, stable = false;
  $("subscribe-sync").hidden = true;
  if (app.view) {
    url = publishedUrl(app.view.timetable.calendar);
    name = app.view.timetable.name;
    $("subscribe-text").textContent = t("subscribeView", { who: name });
  } else {
    const own = app.timetables[app.choice.code];
    const calendar = findCalendar(findGroup(own, app.choice.group), app.choice.subgroup);
    const who = formationName(app.choice.group, app.choice.subgroup);
    const withYear = Boolean(app.site.feeds_url) && $("subscribe-periods").checked;
    const tailored = Boolean(app.site.feeds_url) && (customized() || withYear);
    url = tailored ? tailoredUrl(app.site.feeds_url, app.choice, calendar.file, withYear)
      : publishedUrl(`${own.directory}/${calendar.file}`);
    let unstable = null; // why the server could not give the lasting link
    // One link for the semester, whose choices follow the student's own: made when they first
    // tailor their calendar, kept from then on (undo included). A shared timetable never touches it.
    if (app.site.feeds_url && !app.visiting && (tailored || subscribed())) {
      const { stableFeed } = await import("./stable.js");
      url = await stableFeed(app.site.feeds_url, feedPath(app.choice, calendar.file, withYear))
        .then((found) => { stable = true; return found; }, (error) => {
          console.warn(error);
          unstable = error.message;
          return url;
        });
    }
    name = `${own.code} ${who}`;
    $("subscribe-text").textContent = stable ? t("subscribeStable")
      : unstable && tailored ? t("subscribeNotStable", { why: unstable })
        : customized() && tailored ? t("subscribeTailored")
          : withYear ? t("subscribeWithYear", { who: name })
            : t(customized() ? "subscribeStatic" : "subscribeStaticNoChanges", { who: name });
    if (stable) showSubscriptionSync();
    else if (app.visiting && app.site.feeds_url) {
      $("subscribe-sync").textContent = t("subscribeVisiting");
      $("subscribe-sync").hidden = false;
    }
  }
  showAlerts(stable);
  // personal feeds can add the academic year (periods=1); a teacher's, room's or subject's week has none
  $("subscribe-periods-row").hidden = !app.site.feeds_url || Boolean(app.view);
  const { showSubscribeDialog } = await import("./subscribe-dialog.js");
  showSubscribeDialog(url, name);
}

const ALERTS_WAIT = 15000; // ms a push service gets to answer before the student is told it did not

/** "Notify me of changes", for a stable subscription in a browser that can get push alerts. */
async function showAlerts(stable) {
  const row = $("subscribe-alerts");
  const { canNotify, notifying } = await import("./stable.js");
  row.hidden = !stable || !canNotify();
  if (row.hidden) return;
  const button = $("subscribe-notify");
  const on = await notifying().catch(() => false);
  button.textContent = t(on ? "stopAlerts" : "notifyMe");
  $("subscribe-alerts-status").textContent = on ? t("alertsOn") : "";
  button.onclick = async () => {
    const { notifyMe, stopNotifying, ServerRefused } = await import("./stable.js");
    const { within, TookTooLong } = await import("./waiting.js");
    // said at once: the browser's push service may take long to answer, or never
    $("subscribe-alerts-status").textContent = t(on ? "alertsStopping" : "alertsWaiting");
    button.disabled = true;
    try {
      if (on) await within(stopNotifying(app.site.feeds_url), ALERTS_WAIT);
      else if (!await within(notifyMe(app.site.feeds_url), ALERTS_WAIT)) $("subscribe-alerts-status").textContent = t("alertsDenied");
    } catch (error) {
      console.warn("push alerts:", error);
      const server = error instanceof ServerRefused;
      $("subscribe-alerts-status").textContent = error instanceof TookTooLong ? t("alertsTimeout")
        : t(!server ? "alertsFailed" : error.status === 409 ? "alertsTooManyBrowsers" : "alertsServerFailed");
      return;
    } finally {
      button.disabled = false;
    }
    showAlerts(true);
  };
}

/** The chosen timetable's academic year (academic-year/<CODE>.ics): subscribe to it or download it. */
async function openAcademicYear() {
  const { publishedUrl } = await import("./subscribe.js");
  const code = app.choice.code;
  const url = publishedUrl(app.site.academic_year_calendars[code]);
  $("subscribe-text").textContent = t("academicYearText", { code });
  $("subscribe-periods-row").hidden = true;
  $("subscribe-alerts").hidden = true;
  const { showSubscribeDialog } = await import("./subscribe-dialog.js");
  showSubscribeDialog(url, `${code} ${t("academicYear")}`, url);
}

function openShare() {
  const link = new URL(address(), location.href).href;
  $("share-url").value = link;
  const native = $("share-native");
  native.hidden = !navigator.share;
  native.onclick = () => navigator.share({ title: document.title, url: link }).catch(() => {});
  $("share-dialog").showModal();
}

function showTrust(status) {
  const format = (iso) => new Intl.DateTimeFormat(t("dateLocale"),
    { dateStyle: "medium", timeStyle: "short", timeZone: TIME_ZONE }).format(new Date(iso));
  // the semester shown: a failed or waiting run's own may not be published
  const parts = [t("semester", { s: status.last_published?.semester ?? status.semester })];
  const published = status.last_published?.finished;
  if (published) parts.push(t("updated", { when: format(published) }));
  const outcome = status.outcome === "published" ? t("crawlOk") : status.outcome === "partial" ? t("crawlPartial")
    : status.outcome === "waiting" ? t("notPublishedYet", { next: status.waiting.semester, shown: status.waiting.published_semester })
    : t("crawlFailed", { when: published ? format(published) : "—" });
  const trust = $("trust");
  trust.replaceChildren(parts.join(" · ") + " · ", Object.assign(document.createElement("span"),
    { className: `outcome ${status.outcome}`, textContent: outcome }));
}

/** No answer (offline, or the server is down): what is shown stays, with a note; with nothing
 * shown yet, the message takes the grid's place and no week control is offered. */
function showLoadError(error) {
  console.warn("timetable not loaded:", error);
  if (app.choice || app.view) {
    $("week-note").textContent = t("loadFailed");
    return;
  }
  document.documentElement.classList.remove("has-choice");
  $("week").hidden = false;
  $("grid").replaceChildren(Object.assign(document.createElement("p"), { className: "grid-empty", textContent: t("loadFailed") }));
  $("week").classList.add("failed");
  $("finder").open = true;
}

start();
