// The page's language: one table a language in lang/<code>.js, and only the chosen one is
// loaded. index.html's head chooses it before the first paint (the share link's lang=, else the
// student's saved pick, else the browser's languages) and preloads its table beside the page's
// modules, so it costs no extra round trip; this module loads that table.

/** The page's languages, each named in itself for the switch. */
export const LANGUAGES = { ro: "Română", en: "English", hu: "Magyar", de: "Deutsch" };

const STORAGE_KEY = "timetable-lang";

export let lang = document.documentElement.dataset.lang in LANGUAGES ? document.documentElement.dataset.lang : "en";
let strings = await table(lang);

async function table(code) {
  return (await import(`./lang/${code}.js`)).default;
}

/** Switches to the language code and remembers it as the student's pick. */
export async function setLanguage(code) {
  strings = await table(code);
  lang = code;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* storage blocked: kept for this visit */ }
}

/** The string for key in the page's language, with {name} placeholders filled in. A string
 * that depends on a count is a table of the language's plural forms ({one, few, other}, as
 * Intl.PluralRules names them), chosen by values.n. */
export function t(key, values = {}) {
  let text = strings[key] ?? key;
  if (typeof text === "object" && "other" in text && typeof values.n === "number") {
    text = text[new Intl.PluralRules(strings.dateLocale).select(values.n)] ?? text.other;
  }
  return typeof text === "string" ? text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "") : text;
}

function utcDate(iso) {
  return new Date(`${iso}T00:00:00Z`);
}

/** Weekday n (0 = Monday) in the page's language: "Tuesday", "marți" → "Marți", "Di."; from Intl. */
export function dayName(n, width = "long") {
  const name = new Intl.DateTimeFormat(t("dateLocale"), { weekday: width, timeZone: "UTC" })
    .format(utcDate(`2024-01-0${n + 1}`)); // 1 January 2024 was a Monday
  return name.charAt(0).toLocaleUpperCase(t("dateLocale")) + name.slice(1);
}

/** "2026-03-23" → "23 Mar", "23 mar.", "márc. 23.", "23. März"; from Intl. */
export function shortDate(iso) {
  return new Intl.DateTimeFormat(t("dateLocale"), { day: "numeric", month: "short", timeZone: "UTC" }).format(utcDate(iso));
}

/** "9–14 Mar", "30 Mar – 4 Apr", "márc. 9–14.", "9.–14. März": a span of days, from Intl; with
 * year, Intl writes the year once, or both across New Year: "28 Dec 1998 – 2 Jan 1999". */
export function dateRange(from, to, { year = false } = {}) {
  return new Intl.DateTimeFormat(t("dateLocale"), { day: "numeric", month: "short", year: year ? "numeric" : undefined, timeZone: "UTC" })
    .formatRange(utcDate(from), utcDate(to));
}

/** Static markup: data-i18n sets an element's text, data-i18n-attrs="aria-label=key,title=key" its attributes. */
export function translateDocument(root = document) {
  document.documentElement.lang = lang;
  document.title = t("pageTitle");
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-attrs]")) {
    for (const pair of element.dataset.i18nAttrs.split(",")) {
      const [attribute, key] = pair.split("=");
      element.setAttribute(attribute, t(key));
    }
  }
}
