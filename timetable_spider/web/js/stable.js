// The student's stable subscription (docs/subscriptions.md): one feed link that stays the same
// while the choices behind it change, and push alerts of changes to its classes. Its edit key
// stays in this browser's localStorage; the server keeps only its hash.

import { readChoices } from "./choices.js";

const STORAGE_KEY = "timetable-subscription";
const JSON_TYPE = { "Content-Type": "application/json" };

function saved() {
  try { return JSON.parse(localStorage.getItem(STORAGE_KEY)); } catch { return null; }
}

function keep(subscription) {
  try { localStorage.setItem(STORAGE_KEY, JSON.stringify(subscription)); } catch { /* storage blocked: a new one next time */ }
}

/** The server could not do its part (it answered an error, or did not answer): not the browser's fault. */
export class ServerRefused extends Error {
  constructor(what, status) {
    super(`${what}: ${status ? `HTTP ${status}` : "no answer"}`);
    this.status = status;
  }
}

/** fetch, with a refusal or no answer at all thrown as ServerRefused. */
async function ask(what, url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    throw new ServerRefused(what, 0);
  }
  if (!response.ok) throw new ServerRefused(what, response.status);
  return response;
}

function api(feedsUrl, path) {
  return new URL(path, feedsUrl.replace(/\/*$/, "/"));
}

function withKey(subscription) {
  return { ...JSON_TYPE, Authorization: `Bearer ${subscription.key}` };
}

/**
 * The saved subscription: {id, key, feed, calendar, periods, synced, pending, error}, or null.
 * calendar is the personal feed it follows; pending, a calendar the server has not taken yet,
 * and error why; synced, when it last took one.
 */
export function following() {
  const current = saved();
  if (!current?.id) return null;
  const query = (current.pending ?? current.calendar ?? "").split("?")[1] ?? "";
  return { ...current, periods: readChoices(query).choices.periods };
}

/**
 * Makes the saved subscription follow calendar (a personal feed's path and query). A refusal
 * or no answer leaves the change pending, to be sent again; a subscription the server no
 * longer has (deleted, or another site's) is forgotten, and null returned.
 */
export async function follow(feedsUrl, calendar) {
  const current = saved();
  if (!current) return null;
  if (current.calendar === calendar && !current.pending) return current;
  let response = null;
  try {
    response = await fetch(api(feedsUrl, `subscriptions/${current.id}`),
      { method: "PUT", headers: withKey(current), body: JSON.stringify({ calendar }) });
  } catch { /* no answer: pending below */ }
  if (response && [403, 404, 410].includes(response.status)) {
    forget();
    return null;
  }
  const next = response?.ok ? { ...current, calendar, pending: null, error: null, synced: new Date().toISOString() }
    : { ...current, pending: calendar, error: response ? `HTTP ${response.status}` : "no answer" };
  keep(next);
  return next;
}

function forget() {
  try { localStorage.removeItem(STORAGE_KEY); } catch { /* storage blocked: nothing was kept */ }
}

/** The stable feed's address for calendar: the saved subscription, made to follow it, else a
 * new one. Throws when a new one cannot be made. */
export async function stableFeed(feedsUrl, calendar) {
  let current = saved() ? await follow(feedsUrl, calendar) : null;
  if (!current) {
    const response = await ask("making a subscription", api(feedsUrl, "subscriptions"),
      { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ calendar }) });
    const { feed, key } = await response.json();
    current = { id: feed.slice("/feeds/s/".length, -".ics".length), key, feed, calendar, synced: new Date().toISOString() };
    keep(current);
  }
  return api(feedsUrl, current.feed.slice(1)).href;
}

/** Whether this browser can get push alerts at all. */
export function canNotify() {
  return "PushManager" in window && "Notification" in window && Boolean(saved());
}

/** Whether alerts of this subscription come to this browser now. */
export async function notifying() {
  const registration = await navigator.serviceWorker?.getRegistration();
  return Boolean(await registration?.pushManager.getSubscription());
}

/** Asks for permission, subscribes through the service worker and attaches the browser to the
 * subscription; false when the student said no. */
export async function notifyMe(feedsUrl) {
  if (await Notification.requestPermission() !== "granted") return false;
  const current = saved();
  // The key first: a server that cannot send alerts must not be blamed on the browser.
  const key = await (await ask("the push key", api(feedsUrl, "push/key"))).text();
  const registration = await navigator.serviceWorker.ready;
  const push = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await ask("attaching alerts", api(feedsUrl, `subscriptions/${current.id}/push`),
    { method: "POST", headers: withKey(current), body: JSON.stringify(push) });
  return true;
}

/** No more alerts to this browser. */
export async function stopNotifying(feedsUrl) {
  const current = saved();
  const push = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
  if (!push) return;
  await fetch(api(feedsUrl, `subscriptions/${current.id}/push`),
    { method: "DELETE", headers: withKey(current), body: JSON.stringify({ endpoint: push.endpoint }) });
  await push.unsubscribe();
}
