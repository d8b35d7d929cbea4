// The clash notice above the week's actions, so it is read before a download or a subscription:
// each pair of colliding classes with its first date and time, one tap to that week, and the
// other dates it happens on.

import { dayName, shortDate, t } from "./i18n.js";
import { clock, weekday } from "./weeks.js";

function label(item) {
  return `[${item.class.type}] ${item.class.subject} (${item.class.formation})`;
}

/** Shows clashes (see clashes.findClashes) in box, hidden when there are none; onGo(date) opens a date's week. */
export function renderClashes(box, clashes, onGo) {
  box.hidden = !clashes.length;
  if (!clashes.length) return box.replaceChildren();
  const list = document.createElement("ul");
  for (const clash of clashes) {
    const [first, ...others] = clash.dates;
    const go = Object.assign(document.createElement("button"), { type: "button", className: "link",
      textContent: t("clashLine", { when: `${dayName(weekday(first), "short")} ${shortDate(first)} ${clock(clash.start)}`,
        first: label(clash.first), second: label(clash.second) }) });
    go.addEventListener("click", () => onGo(first));
    const item = document.createElement("li");
    item.append(go);
    if (others.length) item.append(Object.assign(document.createElement("span"), { className: "clash-also",
      textContent: ` ${t("clashAlso", { dates: others.map(shortDate).join(", ") })}` }));
    list.append(item);
  }
  box.replaceChildren(Object.assign(document.createElement("p"), { className: "clash-title", textContent: t("clashTitle") }), list);
}
