// On a phone the shown day flows with the page and the fixed action bar covers the page's
// bottom: a button just above the bar says how many of the day's classes lie below the fold,
// and brings the next of them into view, so no class is out of sight without a cue.

import { t } from "./i18n.js";

/** Watches grid's shown day; returns refresh(), to call after the grid is drawn again. */
export function watchBelow(grid, button, bar) {
  const hiddenBelow = () => {
    // the action bar is fixed at the bottom on a phone only; elsewhere the window's edge is the fold
    const fold = getComputedStyle(bar).position === "fixed" ? bar.getBoundingClientRect().top : innerHeight;
    return [...grid.querySelectorAll(".day.selected .class")].filter((one) => one.getBoundingClientRect().bottom > fold);
  };
  const refresh = () => {
    const below = hiddenBelow();
    button.hidden = !below.length;
    button.textContent = t("moreBelow", { n: below.length });
  };
  button.addEventListener("click", () => {
    const [next] = hiddenBelow();
    if (!next) return;
    next.scrollIntoView({ block: "center" });
    next.focus();
    refresh();
  });
  let queued = false;
  const soon = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; refresh(); });
  };
  addEventListener("scroll", soon, { passive: true });
  addEventListener("resize", soon, { passive: true });
  return refresh;
}
