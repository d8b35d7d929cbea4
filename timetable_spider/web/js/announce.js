// One polite live region (#announcer in index.html) says what a student's action changed (the
// week shown, a day, a hidden type, an added class), for those who cannot see the page change.

/** Says text in the live region; the same words twice in a row are said again. */
export function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  // a region emptied and filled in the same task is not always read out: fill it a frame later
  requestAnimationFrame(() => { region.textContent = text; });
}
