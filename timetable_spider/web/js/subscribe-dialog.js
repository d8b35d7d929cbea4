// The Subscribe dialog's calendar apps: the one that works on this device first, with its how-to,
// and the others one tap away below it. Google's and Thunderbird's buttons copy the link on the
// way, since both need it pasted.

import { t } from "./i18n.js";
import { appOrder, platformOf } from "./platform.js";
import { appLinks, webcal } from "./subscribe.js";

const $ = (id) => document.getElementById(id);
const PASTED_INTO = ["google", "thunderbird"];

/** Puts this device's calendar app first, and makes the buttons that need the link copy it. */
function arrange() {
  const box = $("subscribe-apps");
  const platform = platformOf(navigator.userAgent, navigator.maxTouchPoints);
  const [first, ...others] = appOrder(platform).map((app) => box.querySelector(`[data-app="${app}"]`));
  $("subscribe-webcal").parentElement.hidden = platform === "android"; // webcal opens nothing there
  first.classList.add("first");
  box.replaceChildren(first, $("subscribe-others"), ...others);
  for (const app of PASTED_INTO) {
    $(`subscribe-${app}`).addEventListener("click", () => copy($("subscribe-url").value));
  }
}

/** Copies text to the clipboard and says so. */
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    return; // no clipboard (a page not on https): the address is in the dialog to copy by hand
  }
  $("subscribe-copied").textContent = t("linkCopied");
}

/** Opens the dialog for url, named name in calendar apps; with file, a download link too. */
export function showSubscribeDialog(url, name, file = null) {
  const links = appLinks(url, name);
  for (const [app, href] of Object.entries(links)) $(`subscribe-${app}`).href = href;
  $("subscribe-file").hidden = !file;
  $("subscribe-file").firstElementChild.href = file ?? "";
  $("subscribe-copied").textContent = "";
  $("subscribe-url").value = url;
  $("subscribe-webcal").href = webcal(url);
  $("subscribe-webcal").textContent = webcal(url);
  if (!$("subscribe-dialog").open) $("subscribe-dialog").showModal();
}

arrange();
