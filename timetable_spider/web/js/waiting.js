// Waiting on the browser or a server with a limit: a push service that never answers (a browser
// with notifications allowed but no push service) would otherwise leave the student with nothing.

export class TookTooLong extends Error {}

/** promise, or a TookTooLong rejection after ms milliseconds, whichever comes first. */
export function within(promise, ms) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new TookTooLong()), ms); });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
