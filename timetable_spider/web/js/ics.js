// The .ics a student downloads, made as the personal feeds make theirs (personal_feeds.py): the
// published calendar's head, then published VEVENTs taken byte for byte and chosen by UID,
// then its tail. Nothing is serialized again, so UIDs, SEQUENCE and DTSTAMP are the published
// ones and a download equals the feed /feeds/<CODE>/<file>?<choices> of the same choices.

const BEGIN_EVENT = "BEGIN:VEVENT\r\n";
const END_EVENT = "\r\nEND:VEVENT\r\n";
const END_CALENDAR = "END:VCALENDAR\r\n";
const PERSONAL_PREFIX = "Personal ";
const LINE_LIMIT = 75; // octets

/** {head, events (each VEVENT's text), tail} of a calendar as the crawl writes it. */
export function splitCalendar(text) {
  if (!text.endsWith(END_CALENDAR)) throw new Error("a calendar must end with END:VCALENDAR");
  const tailAt = text.length - END_CALENDAR.length;
  const first = text.indexOf("\r\n" + BEGIN_EVENT);
  let position = first < 0 ? tailAt : first + 2;
  const head = text.slice(0, position);
  const events = [];
  while (position < tailAt) {
    if (!text.startsWith(BEGIN_EVENT, position)) throw new Error(`something other than a VEVENT at ${position}`);
    const end = text.indexOf(END_EVENT, position);
    if (end < 0) throw new Error(`a VEVENT at ${position} does not end`);
    events.push(text.slice(position, end + END_EVENT.length));
    position = end + END_EVENT.length;
  }
  return { head, events, tail: text.slice(tailAt) };
}

/** The UID of a VEVENT, unfolded. */
export function eventUid(event) {
  const start = event.indexOf("\r\nUID:");
  if (start < 0) throw new Error("a VEVENT without a UID");
  const lines = [];
  for (const line of event.slice(start + "\r\nUID:".length).split("\r\n")) {
    if (lines.length && !/^[ \t]/.test(line)) break;
    lines.push(lines.length ? line.slice(1) : line);
  }
  return lines.join("");
}

const octets = (char) => new TextEncoder().encode(char).length;

/** Folds a content line under 75 octets a line, never splitting an escape ("\," stays whole):
 * writers/ics.py's fold, which tests/fixtures/fold_lines.json holds cases of for both. */
export function fold(line) {
  const pieces = [];
  let current = [];
  let size = 0;
  for (const char of line) {
    const width = octets(char);
    if (current.length && size + width >= LINE_LIMIT) {
      const carried = current.length > 1 && "\\^".includes(current.at(-1)) ? current.pop() : null;
      pieces.push(current.join(""));
      current = carried ? [carried] : [];
      size = carried ? octets(carried) : 0;
    }
    current.push(char);
    size += width;
  }
  pieces.push(current.join(""));
  return pieces.join("\r\n ");
}

/** The head with NAME and X-WR-CALNAME prefixed by "Personal "; every other line as published. */
export function personalHead(head) {
  const logical = [];
  for (const line of head.split("\r\n").slice(0, -1)) {
    if (/^[ \t]/.test(line) && logical.length) logical.at(-1).push(line);
    else logical.push([line]);
  }
  return logical.map((physical) => {
    if (!/^(NAME|X-WR-CALNAME):/.test(physical[0])) return physical.join("\r\n");
    const whole = physical[0] + physical.slice(1).map((line) => line.slice(1)).join("");
    const at = whole.indexOf(":");
    return fold(`${whole.slice(0, at)}:${PERSONAL_PREFIX}${whole.slice(at + 1)}`);
  }).join("\r\n") + "\r\n";
}

export function download(text, fileName) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
