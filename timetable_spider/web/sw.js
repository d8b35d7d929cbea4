// Offline use after the first visit. The page's own files are cached at install, under a
// version that changes whenever they do (the crawl writes VERSION and SHELL into this file).
// Data under data/ and the change logs under changes/ are served from the cache at once and
// refreshed behind it; when a refreshed copy differs, the open pages are told, and offer to
// reload. A timetable found new brings its change log along before they are told, so the
// reloaded page lists the changes of the data it shows.

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = `shell-${VERSION}`;
const DATA_CACHE = "data";
const FIRST_DATA = ["data/site.json", "data/index.json", "data/status.json"];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    // past the HTTP cache, so a new version never stores an old file
    await (await caches.open(SHELL_CACHE)).addAll(SHELL.map((path) => new Request(path, { cache: "reload" })));
    await (await caches.open(DATA_CACHE)).addAll(FIRST_DATA);
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// A push alert from `scrapy notify`: {"title", "body", "url"}, shown as a notification that
// opens the page's week of the change.
self.addEventListener("push", (event) => {
  const alert = event.data?.json() ?? {};
  event.waitUntil(self.registration.showNotification(alert.title ?? "", {
    body: alert.body ?? "", icon: "icons/icon-192.png", tag: "timetable-change", data: { url: alert.url ?? "./" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(new URL(event.notification.data?.url ?? "./", self.registration.scope).href));
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
  // the data the page fetched before this worker controlled it
  if (event.data?.type === "keep") event.waitUntil(keep(event.data.paths));
});

async function keep(paths) {
  const cache = await caches.open(DATA_CACHE);
  for (const path of paths) {
    const url = new URL(path, self.registration.scope).href;
    if (!(await cache.match(url))) await cache.add(url).catch(() => {});
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname.slice(new URL(self.registration.scope).pathname.length);
  if (event.request.mode === "navigate" && (path === "" || path === "index.html")) {
    event.respondWith(cachedFirst(event.request, "index.html"));
  } else if (SHELL.includes(path)) {
    event.respondWith(cachedFirst(event.request, path));
  } else if (((path.startsWith("data/") || path.startsWith("changes/")) && path.endsWith(".json")) || path.endsWith(".ics")) {
    // the calendars too: a download is spliced from them, offline as well
    event.respondWith(cachedThenRefreshed(event, path));
  }
});

async function cachedFirst(request, path) {
  const cached = await caches.match(new URL(path, self.registration.scope).href, { cacheName: SHELL_CACHE });
  return cached ?? fetch(request);
}

/** The cached copy now, a fresh one into the cache, and a message when the fresh one differs. */
async function cachedThenRefreshed(event, path) {
  const cache = await caches.open(DATA_CACHE);
  const key = new URL(path, self.registration.scope).href;
  const cached = await cache.match(key);
  const cachedText = cached?.clone().text(); // read now: the page consumes the cached body
  const refreshed = fetch(key, { cache: "no-cache" }).then(async (response) => {
    if (!response.ok) return response;
    const fresh = await response.clone().text();
    await cache.put(key, response.clone());
    // status.json changes with every crawl, published or not: only new data is news; a change
    // log is new only with its timetable, which brings it along
    if (cached && path.startsWith("data/") && path !== "data/status.json" && fresh !== (await cachedText)) {
      const code = /^data\/timetables\/(.+)\.json$/.exec(path)?.[1];
      if (code) await refresh(cache, `changes/${code}.json`);
      announce(path);
    }
    return response;
  });
  if (!cached) return refreshed;
  event.waitUntil(refreshed.catch(() => {}));
  return cached;
}

/** Fetches path past the HTTP cache into cache; a site without that file keeps what it had. */
async function refresh(cache, path) {
  const key = new URL(path, self.registration.scope).href;
  const response = await fetch(key, { cache: "no-cache" }).catch(() => null);
  if (response?.ok) await cache.put(key, response);
}

async function announce(path) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage({ type: "data-updated", path });
}
