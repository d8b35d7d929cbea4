// Finding a free room: the rooms with no class at a date and time, from rooms/busy.json,
// fetched only when the student opens the finder.

import { fetchJson, offline } from "./data.js";
import { t } from "./i18n.js";
import { hourNow, today } from "./weeks.js";
import { viewQuery } from "./views.js";

/** The rooms of busy ({dates, rooms: [{code, name, location, busy: [[start, end, dates index]]}]}) free from..to on date. */
export function freeRooms(busy, date, from, to) {
  const meets = busy.dates.map((dates) => dates.includes(date));
  return busy.rooms.filter((room) => !room.busy.some(([start, end, n]) => meets[n] && start < to && from < end));
}

const HOURS = Array.from({ length: 15 }, (_, n) => `${String(n + 8).padStart(2, "0")}:00`); // 08:00 … 22:00

function option(value) {
  return new Option(value, value);
}

/** Wires the finder card; it loads rooms/busy.json the first time it is opened. */
export function startFreeRooms(card) {
  const date = card.querySelector("#free-date");
  const from = card.querySelector("#free-from");
  const to = card.querySelector("#free-to");
  const list = card.querySelector(".free-list");
  const count = card.querySelector(".free-count");
  from.replaceChildren(...HOURS.slice(0, -1).map(option));
  to.replaceChildren(...HOURS.slice(1).map(option));
  date.value = today();
  const hour = Math.min(Math.max(hourNow(), 8), 20);
  from.value = HOURS[hour - 8];
  to.value = HOURS[hour - 6];
  let busy = null;

  const update = () => {
    if (!busy || !date.value) return;
    if (to.value <= from.value) to.value = HOURS[HOURS.indexOf(from.value) + 1];
    const free = freeRooms(busy, date.value, from.value, to.value);
    count.textContent = t("freeCount", { n: free.length, all: busy.rooms.length });
    list.replaceChildren(...free.map((room) => {
      const item = document.createElement("li");
      const link = Object.assign(document.createElement("a"), { href: viewQuery("room", room.code, date.value), textContent: room.name });
      item.append(link, room.location ? ` · ${room.location}` : "");
      return item;
    }));
  };
  for (const input of [date, from, to]) input.addEventListener("change", update);
  const load = async () => {
    if (!card.open || busy) return;
    try {
      busy = await fetchJson("rooms/busy.json");
      update();
    } catch (error) {
      count.textContent = t(offline(error) ? "freeOffline" : "freeUnavailable");
    }
  };
  card.addEventListener("toggle", load);
  addEventListener("online", load); // said offline: tried again when the connection is back
}
