// "Make it yours": hide subjects or some of their types, take a subject's lab or seminar with
// the other subgroup, add a subject's classes, or only its course, seminar or lab, from another
// group or subgroup of any year (to retake it, or to move it there: hide it and add it). Every change is a hide, take or add entry of the choice, and the
// grid is drawn again at once. The panel is drawn again too: each control carries a data-key, so
// the control that had focus has it again, and the live region says what changed.

import { announce } from "./announce.js";
import { keepFocus } from "./focus.js";
import { t } from "./i18n.js";
import { parseAdd, parseHide } from "./choices.js";
import { TYPES, addedCalendar, formationName, groupClasses, subjectsOf } from "./schedule.js";
import { toggle } from "./state.js";

function node(tag, props = {}, ...children) {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

function checkbox(labelText, checked, onChange, { className = "check", key, ...props } = {}) {
  const input = node("input", { type: "checkbox", checked, ...props });
  input.dataset.key = key;
  input.addEventListener("change", () => onChange(input.checked));
  return node("label", { className }, input, node("span", {}, labelText));
}

/**
 * Draws the panel for a choice on its spec's timetable; changed() after every change. sources
 * is {index, timetables (by code, those loaded), load(code) → Promise of a timetable}, for
 * adding classes from another year.
 */
export function renderCustomize(body, choice, timetable, sources, changed) {
  const focused = body.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  const subjects = subjectsOf(timetable, choice.group);
  const hides = choice.hide.map(parseHide);
  const hidden = (code, type) => hides.some((h) => h.subject === code && (h.kind === "" || h.kind === type));
  const present = TYPES.filter((type) => subjects.some((s) => s.types.includes(type)));
  const update = (change, said) => { change(); changed(); announce(said); };
  const shownOrHidden = (on, what) => t(on ? "announceShown" : "announceHidden", { what });

  const types = node("fieldset", { className: "types" }, node("legend", {}, t("types")));
  for (const type of present) {
    const shown = !subjects.some((s) => s.types.includes(type) && hidden(s.code, type) && !choice.hide.includes(s.code));
    types.append(checkbox(t(`type${type}`), shown, (on) => update(() => {
      for (const s of subjects.filter((one) => one.types.includes(type))) toggle(choice, "hide", `${s.code}:${type}`, !on);
    }, shownOrHidden(on, t(`type${type}`))), { className: `chip type-${type}`, key: `type:${type}` }));
  }

  const list = node("ul", { className: "subjects" });
  for (const subject of subjects) {
    const whole = !choice.hide.includes(subject.code);
    const row = node("li", { className: "subject" });
    row.append(checkbox(subject.name, whole, (on) => update(() => toggle(choice, "hide", subject.code, !on),
      shownOrHidden(on, subject.name)), { className: "check", key: `subject:${subject.code}` }));
    const chips = node("div", { className: "subject-types" });
    if (subject.types.length > 1) {
      for (const type of subject.types) {
        chips.append(checkbox(type, whole && !hidden(subject.code, type),
          (on) => update(() => toggle(choice, "hide", `${subject.code}:${type}`, !on), shownOrHidden(on, `${subject.name}: ${t(`type${type}`)}`)),
          { className: `chip small type-${type}`, disabled: !whole, title: t(`kind${type}`), key: `subject:${subject.code}:${type}`,
            ariaLabel: `${subject.name}: ${t(`type${type}`)}` }));
      }
    }
    const others = subject.subgroups.filter((n) => n !== choice.subgroup);
    if (choice.subgroup !== null && others.length && whole) chips.append(takeSelect(choice, timetable, subject, others, update));
    row.append(chips);
    list.append(row);
  }

  body.replaceChildren(types, node("h2", {}, t("subjects")), list, addForm(choice, timetable, sources, update));
  if (choice.hide.length + choice.take.length + choice.add.length) {
    const reset = node("button", { type: "button", className: "quiet", textContent: t("resetChoices") });
    reset.dataset.key = "reset";
    reset.addEventListener("click", () => update(() => { choice.hide = []; choice.take = []; choice.add = []; }, t("announceReset")));
    body.append(reset);
  }
  if (focused) {
    // a removed addition or the reset button are gone: the Add button, else the panel's first control
    keepFocus(body.querySelector(`[data-key="${CSS.escape(focused)}"]`),
      focused.startsWith("remove:") ? body.querySelector('[data-key="add"]') : null, body.querySelector("[data-key]"));
  }
}

/** "Lab with: my subgroup / subgroup 2" for a subject whose subgroups have their own classes. */
function takeSelect(choice, timetable, subject, others, update) {
  const kinds = groupClasses(timetable, choice.group, null)
    .filter((one) => one.subject_code === subject.code && one.formation.includes("/")).map((one) => one.type);
  const kind = t(`kind${kinds[0] ?? "L"}`);
  const taken = choice.take.find((value) => value.startsWith(`${subject.code}:`));
  const select = node("select", { ariaLabel: `${subject.name}: ${t("takeWith", { kind })}` });
  select.dataset.key = `take:${subject.code}`;
  select.append(new Option(t("mySubgroup"), ""), ...others.map((n) => new Option(t("otherSubgroup", { n }), `${subject.code}:${n}`)));
  select.value = taken ?? "";
  select.addEventListener("change", () => update(() => {
    choice.take = choice.take.filter((value) => !value.startsWith(`${subject.code}:`));
    if (select.value) choice.take.push(select.value);
  }, t("announceTake", { subject: subject.name, kind, who: select.selectedOptions[0].text })));
  return node("label", { className: "take" }, node("span", {}, t("takeWith", { kind })), select);
}

/** Adding a subject's classes (all, or one type) from another group or subgroup of any year, and the list of additions. */
function addForm(choice, timetable, sources, update) {
  const box = node("div", { className: "add" }, node("h2", {}, t("addTitle")));
  const year = node("select", { id: "add-year" });
  for (const spec of sources.index ?? []) {
    const options = spec.years.filter((one) => one.timetable).map((one) => new Option(`${spec.name} · ${t("yearN", { n: one.year })}`, one.code));
    if (options.length) year.append(node("optgroup", { label: spec.name }, ...options));
  }
  if (!year.options.length) year.append(new Option(timetable.code, timetable.code));
  year.value = timetable.code;
  const from = node("select", { id: "add-from" });
  const subject = node("select", { id: "add-subject" });
  const type = node("select", { id: "add-type" });
  let source = timetable;

  const fillTypes = () => {
    const { group, subgroup } = addedCalendar(source, from.value) ?? {};
    const types = new Set(groupClasses(source, group, subgroup).filter((one) => one.subject_code === subject.value).map((one) => one.type));
    type.replaceChildren(new Option(t("addAllTypes"), ""), ...TYPES.filter((one) => types.has(one)).map((one) => new Option(t(`kind${one}`), one)));
  };
  const fillSubjects = () => {
    const { group, subgroup } = addedCalendar(source, from.value) ?? {};
    const offered = new Map(groupClasses(source, group, subgroup).map((one) => [one.subject_code, one.subject]));
    subject.replaceChildren(...[...offered].sort((a, b) => a[1].localeCompare(b[1], "ro")).map(([code, name]) => new Option(name, code)));
    fillTypes();
  };
  const fillGroups = () => {
    const own = (group, subgroup) => source.code === choice.code && group === choice.group && (subgroup === null || subgroup === choice.subgroup);
    from.replaceChildren(...source.groups.flatMap((group) => group.calendars
      .filter((calendar) => !own(group.name, calendar.subgroup))
      .map((calendar) => formationName(group.name, calendar.subgroup)))
      .map((who) => new Option(who, who)));
    fillSubjects();
  };
  year.addEventListener("change", async () => {
    source = await sources.load(year.value).catch(() => timetable);
    fillGroups();
  });
  from.addEventListener("change", fillSubjects);
  subject.addEventListener("change", fillTypes);
  fillGroups();

  const add = node("button", { type: "button", className: "action", textContent: t("addButton") });
  add.dataset.key = "add";
  add.addEventListener("click", () => {
    if (!from.value || !subject.value) return;
    const value = `${source.code}/${from.value}:${subject.value}${type.value ? `:${type.value}` : ""}`;
    const what = `${source.code}/${from.value} · ${subject.selectedOptions[0].text}${type.value ? ` (${t(`kind${type.value}`)})` : ""}`;
    update(() => toggle(choice, "add", value, true), t("announceAdded", { what }));
  });
  box.append(
    node("label", { htmlFor: "add-year" }, t("addYear")), year,
    node("label", { htmlFor: "add-from" }, t("addGroup")), from,
    node("label", { htmlFor: "add-subject" }, t("addSubject")), subject,
    node("label", { htmlFor: "add-type" }, t("addType")), type,
    node("div", { className: "add-row" }, add));
  if (choice.add.length) {
    const added = node("ul", { className: "added" });
    for (const value of choice.add) {
      const parsed = parseAdd(value);
      const name = subjectName(sources.timetables?.[parsed.code] ?? timetable, parsed.subject);
      const what = `${parsed.code}/${parsed.group} · ${name}${parsed.kind ? ` (${t(`kind${parsed.kind}`)})` : ""}`;
      const remove = node("button", { type: "button", className: "remove", textContent: "×", ariaLabel: t("remove", { what }) });
      remove.dataset.key = `remove:${value}`;
      remove.addEventListener("click", () => update(() => toggle(choice, "add", value, false), t("announceRemoved", { what })));
      added.append(node("li", {}, node("span", {}, what), remove));
    }
    box.append(node("p", { className: "added-title" }, t("added")), added);
  }
  return box;
}

function subjectName(timetable, code) {
  return timetable.classes.find((one) => one.subject_code === code)?.subject ?? code;
}
