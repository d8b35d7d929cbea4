// After an action redraws or hides the control that had focus, focus goes to the first of the
// given elements that is on screen, so a keyboard or screen-reader user is never left at <body>.

/** Focuses the first candidate that is rendered; null candidates are skipped. */
export function focusFirstShown(...candidates) {
  const shown = candidates.find((element) => element?.isConnected && element.checkVisibility());
  shown?.focus();
  return shown ?? null;
}

/** After an action: focus stays where it is while that is on screen; else it goes to the first
 * fallback on screen (a control that a redraw replaced or hid leaves focus at <body>). */
export function keepFocus(...fallbacks) {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected && active.checkVisibility() && !active.disabled) return;
  focusFirstShown(...fallbacks);
}
