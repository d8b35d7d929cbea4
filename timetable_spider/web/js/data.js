// The published JSON, fetched once per page view. A spec's timetable is fetched only when
// that spec is chosen (or classes are added from it).

const loaded = new Map();

/** The JSON at a percent-encoded path relative to the page; the same promise for the same path. */
export function fetchJson(path) {
  if (!loaded.has(path)) {
    const request = fetch(path).then((response) => {
      // the status tells a file the site does not have (a bad link) from no answer at all
      if (!response.ok) throw Object.assign(new Error(`${path}: HTTP ${response.status}`), { status: response.status });
      return response.json();
    });
    request.catch(() => loaded.delete(path)); // a failed fetch may be tried again
    loaded.set(path, request);
  }
  return loaded.get(path);
}

/** Whether fetchJson failed for want of a connection (fetch rejects with a TypeError), not for a
 * file the site does not have. */
export function offline(error) {
  return error instanceof TypeError;
}

export const siteData = () => fetchJson("data/site.json");
export const indexData = () => fetchJson("data/index.json");
export const runStatus = () => fetchJson("data/status.json");
export const timetable = (code) => fetchJson(`data/timetables/${encodeURIComponent(code)}.json`);

/** The index entry of a spec code: {spec, year}, or null. */
export function findYear(index, code) {
  for (const spec of index) {
    const year = spec.years.find((one) => one.code === code);
    if (year) return { spec, year };
  }
  return null;
}

/** A published calendar's path relative to the site, percent-encoded. */
export function calendarPath(directory, file) {
  return `${directory}/${file}`.split("/").map(encodeURIComponent).join("/");
}
