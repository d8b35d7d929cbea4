// Which calendar app a student most likely has, from the browser's user agent, and so which way
// of subscribing to offer first: on Android a webcal link opens nothing, so Google Calendar's
// add-by-URL page; on iPhones, iPads and Macs webcal opens Apple Calendar; on Windows, Outlook;
// in Thunderbird, webcal. A Linux desktop's browser gets Google first, then Thunderbird.

/** "android", "ios", "macos", "windows", "thunderbird", "linux" or "other". iPadOS says it is a
 * Mac; touchPoints (navigator.maxTouchPoints) tells them apart. */
export function platformOf(userAgent, touchPoints = 0) {
  if (/Android/i.test(userAgent)) return "android";
  if (/iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && touchPoints > 1)) return "ios";
  if (/Thunderbird\//.test(userAgent)) return "thunderbird";
  if (/Macintosh|Mac OS X/.test(userAgent)) return "macos";
  if (/Windows/.test(userAgent)) return "windows";
  if (/Linux|X11|BSD/.test(userAgent) && !/CrOS/.test(userAgent)) return "linux";
  return "other";
}

const ORDER = {
  android: ["google", "outlook", "outlookCom", "apple", "thunderbird"],
  ios: ["apple", "google", "outlook", "outlookCom", "thunderbird"],
  macos: ["apple", "google", "outlook", "outlookCom", "thunderbird"],
  windows: ["outlook", "outlookCom", "google", "thunderbird", "apple"],
  thunderbird: ["thunderbird", "google", "outlook", "outlookCom", "apple"],
  linux: ["google", "thunderbird", "outlook", "outlookCom", "apple"],
  other: ["google", "outlook", "outlookCom", "apple", "thunderbird"],
};

/** The calendar apps in the order to offer them on a platform: the first is the one that works there. */
export function appOrder(platform) {
  return ORDER[platform] ?? ORDER.other;
}
