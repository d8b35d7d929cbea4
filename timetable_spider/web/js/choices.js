// The student's choices as a query: hide=, take=, add= and periods= (docs/choices.md). One
// grammar for share links and feed URLs: personal_feeds.read_query reads the same, and
// tests/fixtures/choice_queries.json holds the cases that both run.

export const KINDS = ["C", "S", "L"];
const SUBJECT = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SUBGROUP = /^[1-9][0-9]{0,2}$/;
const NAME = /^[^/:\x00-\x1f\x7f]+$/u;
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** Python's str.partition: [before, separator, after], or [text, "", ""] without it. */
function partition(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, "", ""] : [text.slice(0, at), separator, text.slice(at + separator.length)];
}

/** "MLE5028" or "MLE5028:L" → {subject, kind ("" for every kind)}, or null off the grammar. */
export function parseHide(value) {
  const [subject, colon, kind] = partition(value, ":");
  return SUBJECT.test(subject) && (!colon || KINDS.includes(kind)) ? { subject, kind } : null;
}

/** "MLE5028:2" → {subject, subgroup}, or null. */
export function parseTake(value) {
  const [subject, , subgroup] = partition(value, ":");
  return SUBJECT.test(subject) && SUBGROUP.test(subgroup) ? { subject, subgroup: Number(subgroup) } : null;
}

/** "IE3/931:MLE5012", "IE3/931/2:MLE5012:L" → {code, group ("931", "931/2"), subject, kind}, or null.
 * Whether "931/2" is subgroup 2 of 931 or a group of that name is for the published site to say. */
export function parseAdd(value) {
  const [where, , chosen] = partition(value, ":");
  const [subject, colon, kind] = partition(chosen, ":");
  const [code, slash, group] = partition(where, "/");
  const parts = group.split("/");
  const valid = SUBJECT.test(subject) && (!colon || KINDS.includes(kind)) && slash && NAME.test(code)
    && parts.length <= 2 && parts.every((part) => NAME.test(part));
  return valid ? { code, group, subject, kind } : null;
}

const decode = (text) => decodeURIComponent(text.replace(/\+/g, " "));

/** [name, "=", value] percent-decoded ("+" is a space), "=" empty when there is none; null for a
 * malformed escape or one that is not UTF-8. */
function decoded(raw) {
  if (MALFORMED_ESCAPE.test(raw)) return null;
  const [name, equals, value] = partition(raw, "=");
  try {
    return [decode(name), equals, decode(value)];
  } catch {
    return null;
  }
}

/** The choices with nothing chosen. */
export function noChoices() {
  return { hide: [], take: [], add: [], periods: false };
}

const READERS = {
  hide: [parseHide, (hide) => (hide.kind ? `${hide.subject}:${hide.kind}` : hide.subject)],
  take: [parseTake, (take) => `${take.subject}:${take.subgroup}`],
  add: [parseAdd, (add) => `${add.code}/${add.group}:${add.subject}${add.kind ? ":" + add.kind : ""}`],
};

/**
 * A query's choices, {hide, take, add: canonical values, periods: boolean}, and each parameter
 * refused, {part, reason}. Empty parameters are skipped; a second take= of a subject already
 * taken is refused and the first stands. names, when given, are the parameters to read: the
 * page's own (code=, group=, …) are read elsewhere.
 */
export function readChoices(query, names = null) {
  const choices = noChoices();
  const refused = [];
  const taken = new Map();
  for (const raw of query.replace(/^\?/, "").split("&")) {
    if (!raw) continue;
    const parts = decoded(raw);
    if (!parts) {
      refused.push({ part: raw, reason: "bad-encoding" });
      continue;
    }
    const [name, equals, value] = parts;
    if (names && !names.includes(name)) continue;
    const part = `${name}=${value}`;
    if (!equals) {
      refused.push({ part: name, reason: "not-a-pair" });
    } else if (name in READERS) {
      const [parse, canonical] = READERS[name];
      const chosen = parse(value);
      if (!chosen) {
        refused.push({ part, reason: `bad-${name}` });
      } else if (name === "take" && taken.has(chosen.subject) && taken.get(chosen.subject) !== chosen.subgroup) {
        refused.push({ part, reason: "take-twice" });
      } else {
        if (name === "take") taken.set(chosen.subject, chosen.subgroup);
        if (!choices[name].includes(canonical(chosen))) choices[name].push(canonical(chosen));
      }
    } else if (name === "periods") {
      if (value === "1") choices.periods = true;
      else refused.push({ part, reason: "bad-periods" });
    } else {
      refused.push({ part, reason: "unknown-parameter" });
    }
  }
  for (const name of Object.keys(READERS)) choices[name] = sortedValues(name, choices[name]);
  return { choices, refused };
}

/** Compares by code points, as Python compares strings. */
function comparePoints(a, b) {
  const left = Array.from(a, (char) => char.codePointAt(0));
  const right = Array.from(b, (char) => char.codePointAt(0));
  for (let n = 0; n < Math.min(left.length, right.length); n++) {
    if (left[n] !== right[n]) return left[n] - right[n];
  }
  return left.length - right.length;
}

/** Canonical values in the feed's order: field by field, as personal_feeds sorts its dataclasses. */
function sortedValues(name, values) {
  const [parse] = READERS[name];
  const fields = (value) => Object.values(parse(value));
  return [...values].sort((a, b) => {
    const [left, right] = [fields(a), fields(b)];
    for (let n = 0; n < left.length; n++) {
      const order = typeof left[n] === "number" ? left[n] - right[n] : comparePoints(left[n], right[n]);
      if (order) return order;
    }
    return 0;
  });
}

/** Percent-encodes as Python's quote(value, safe="/:"), so both sides write the same query. */
function quote(value) {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%2F", "/").replaceAll("%3A", ":");
}

/** The canonical query of choices: equal choices, however written, give the same string. */
export function choicesQuery(choices) {
  const pairs = [];
  for (const name of Object.keys(READERS)) {
    for (const value of sortedValues(name, choices[name] ?? [])) pairs.push(`${name}=${quote(value)}`);
  }
  if (choices.periods) pairs.push("periods=1");
  return pairs.join("&");
}
