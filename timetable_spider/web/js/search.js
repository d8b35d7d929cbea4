// Finding a specialization or a group from a few typed letters, in any case, with or without
// diacritics ("informatica engl", "mate info maghiara", "921").

/** Lower case, no diacritics (ă â î ș ş ț ţ ő ü → a a i s s t t o u, ß → ss), words separated by single spaces. */
export function normalize(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/ß/g, "ss")
    .replace(/[^a-z0-9]+/g, " ").trim();
}

/** How well a typed word matches a word of a name: 3 same start, 2 inside, 1 one typo; 0 no match. */
function wordScore(typed, word) {
  if (word.startsWith(typed)) return 3;
  if (typed.length >= 3 && word.includes(typed)) return 2;
  if (typed.length >= 5 && withinOneEdit(typed, word.slice(0, typed.length + 1))) return 1;
  return 0;
}

/** Whether b starts with a, or is a with one letter changed, added or left out (a typo). */
function withinOneEdit(a, b) {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length) return true;
  const rest = a.slice(i + 1);
  return b.slice(i + 1).startsWith(rest) || b.slice(i).startsWith(rest) || b.slice(i + 1).startsWith(a.slice(i));
}

/** How well typed words (normalized) match a text: the sum of their best word scores, 0 unless all match. */
function textScore(typed, text) {
  const words = normalize(text).split(" ");
  let total = 0;
  for (const part of typed) {
    const best = Math.max(...words.map((word) => wordScore(part, word)));
    if (!best) return 0;
    total += best;
  }
  return total;
}

/**
 * Teachers, rooms or subjects (lists of {code, name, …}) matching the query, each
 * {kind, entry, score}; each matches by its name or code, a room also by where it is.
 */
export function searchNamed(lists, query, limit = 8) {
  const typed = normalize(query).split(" ").filter(Boolean);
  if (!typed.length) return [];
  const found = [];
  for (const [kind, list] of Object.entries(lists)) {
    for (const entry of list) {
      const score = textScore(typed, `${entry.name} ${entry.code} ${entry.location ?? ""}`);
      if (score) found.push({ kind, entry, score: score * 10 - entry.name.length / 100 });
    }
  }
  return found.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** How well a typed word matches a name's words, directly or through a word of the page's
 * language that it begins ("magy" → magyar → maghiara): languageWords maps such words to the index's. */
function translatedScore(part, languageWords, nameWords) {
  let best = Math.max(...nameWords.map((word) => wordScore(part, word)));
  for (const [word, meaning] of Object.entries(languageWords)) {
    const score = wordScore(part, word);
    if (score > best && meaning.split(" ").some((romanian) => nameWords.includes(romanian))) best = score;
  }
  return best;
}

/**
 * Every specialization and group matching the query, best first; languageWords (the language table's
 * searchWords) lets a specialization be found by the page's language's words too.
 * A result is {kind: "spec", spec} or {kind: "group", spec, year, group}.
 */
export function search(index, query, limit = 12, languageWords = {}) {
  const typed = normalize(query).split(" ").filter(Boolean);
  if (!typed.length) return [];
  const results = [];
  index.forEach((spec, position) => {
    const nameWords = normalize(spec.name).split(" ");
    const words = [...nameWords, ...spec.years.map((y) => normalize(y.code))];
    let total = 0;
    for (const part of typed) {
      const best = translatedScore(part, languageWords, words);
      if (!best) { total = 0; break; }
      total += best;
    }
    // a name that starts as typed, and a shorter name, is the closer match
    const starts = translatedScore(typed[0], languageWords, nameWords.slice(0, 1)) === 3 ? 5 : 0;
    if (total) results.push({ kind: "spec", spec, score: total * 10 + starts - nameWords.length / 10 - position / 1000 });
    if (typed.length === 1 && /^\d+$/.test(typed[0])) {
      for (const year of spec.years) {
        for (const group of year.groups) {
          if (normalize(group).startsWith(typed[0])) {
            results.push({ kind: "group", spec, year, group, score: 100 - group.length - position / 100 });
          }
        }
      }
    }
  });
  return results.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** The bachelor specializations with the most groups (the most students), biggest first, those
 * taught in studyLine (the page's language, "maghiara") before the rest; the index's order between equals. */
export function largestSpecs(index, count = 6, studyLine = "") {
  const groups = (spec) => spec.years.reduce((sum, year) => sum + year.groups.length, 0);
  const inLine = (spec) => (studyLine && normalize(spec.name).split(" ").includes(studyLine) ? 1 : 0);
  return index.filter((spec) => spec.degree === "bachelor")
    .map((spec, position) => ({ spec, line: inLine(spec), size: groups(spec), position }))
    .sort((a, b) => b.line - a.line || b.size - a.size || a.position - b.position)
    .slice(0, count).map(({ spec }) => spec);
}
