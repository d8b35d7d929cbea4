// The service worker: registered after the first view is drawn; says when a new version of
// the page or new data is waiting, and offers to reload.

import { t } from "./i18n.js";

function offerReload(banner, message, reload) {
  banner.querySelector(".banner-text").textContent = message;
  banner.querySelector("button").onclick = reload;
  banner.hidden = false;
}

/** Listens, from the start, for the worker saying it fetched data newer than the page shows. */
export function listenForNewData(banner) {
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data?.type === "data-updated") offerReload(banner, t("newData"), () => location.reload());
  });
}

/** Registers sw.js; keepPaths are the data files this view fetched before the worker ran. */
export async function startOffline(banner, keepPaths) {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  const registration = await navigator.serviceWorker.register("sw.js");
  const offerNewVersion = (worker) => offerReload(banner, t("newVersion"), () => {
    navigator.serviceWorker.addEventListener("controllerchange", () => location.reload());
    worker.postMessage({ type: "skip-waiting" });
  });
  if (registration.waiting && hadController) offerNewVersion(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && hadController) offerNewVersion(worker);
    });
  });
  await keepOffline(keepPaths());
}

/** Asks the worker to keep files (paths relative to the page) for offline use. */
export async function keepOffline(paths) {
  if (!("serviceWorker" in navigator)) return;
  const ready = await navigator.serviceWorker.ready;
  ready.active?.postMessage({ type: "keep", paths });
}
