// Subscription addresses: the published calendar (webcal:// and https://, Google, Apple,
// Outlook, Thunderbird), or, when the site serves personal feeds, a feed tailored with the student's changes.

import { choicesQuery } from "./choices.js";
import { calendarPath } from "./data.js";

/** The absolute https:// (or http://) address of a published calendar, by its path in the site. */
export function publishedUrl(path, base = location.href) {
  return new URL(calendarPath(...path.split(/\/(?=[^/]*$)/)), base).href;
}

/** A personal feed's path and canonical query: /feeds/<CODE>/<file>?hide=…&take=…&add=…, and
 * with periods, its timetable's academic year (periods=1). */
export function feedPath(choice, file, periods = false) {
  const query = choicesQuery({ ...choice, periods });
  return `/feeds/${encodeURIComponent(choice.code)}/${encodeURIComponent(file)}${query ? "?" + query : ""}`;
}

/** The personal feed for a choice, at <feeds_url>. */
export function tailoredUrl(feedsUrl, choice, file, periods = false, base = location.href) {
  return new URL(`${feedsUrl.replace(/\/*$/, "/")}${feedPath(choice, file, periods).slice(1)}`, base).href;
}

export function webcal(url) {
  return url.replace(/^https?:/, "webcal:");
}

/** Each calendar app's link for an https:// address. Google's is its add-by-URL page, where the
 * copied https link is pasted: its render?cid= shortcut is often refused for outside calendars.
 * Outlook's subscribe page is on outlook.office.com for a university (Microsoft 365) account,
 * on outlook.live.com for an Outlook.com one; Thunderbird, like Apple Calendar, opens webcal. */
export function appLinks(url, name) {
  const query = `url=${encodeURIComponent(url)}&name=${encodeURIComponent(name)}`;
  return {
    google: "https://calendar.google.com/calendar/r/settings/addbyurl",
    apple: webcal(url),
    outlook: `https://outlook.office.com/calendar/0/addfromweb?${query}`,
    outlookCom: `https://outlook.live.com/calendar/0/addfromweb?${query}`,
    thunderbird: webcal(url),
  };
}
