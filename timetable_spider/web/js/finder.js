// Choosing a timetable: a search box (an ARIA combobox) over specializations and group
// numbers, then the year and group (native selects) and the subgroup or the whole group.
// The same box finds a teacher, a room or a subject, whose week opens as it is published.

import { focusFirstShown, keepFocus } from "./focus.js";
import { t } from "./i18n.js";
import { largestSpecs, search, searchNamed } from "./search.js";
import { KINDS, listOf } from "./views.js";

export class Finder {
  /**
   * onChoose(code, group, subgroup) is called with a complete choice (subgroup null: whole group),
   * onView(kind, code) with a teacher, room or subject; each returns a promise of the week shown.
   */
  constructor(onChoose, onView) {
    this.onChoose = onChoose;
    this.onView = onView;
    this.index = [];
    this.lists = {}; // teachers, rooms and subjects, fetched when the student first types
    this.offline = false; // whether fetching them failed for want of a connection
    this.spec = null;
    this.results = [];
    this.active = -1;
    this.input = document.getElementById("search");
    this.list = document.getElementById("results");
    this.year = document.getElementById("year");
    this.group = document.getElementById("group");
    this.subgroups = document.getElementById("subgroup-options");
    this.input.addEventListener("input", () => this.update());
    addEventListener("online", () => { if (this.offline && this.input.value.trim()) this.update(); });
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    this.year.addEventListener("change", () => this.yearChanged());
    this.group.addEventListener("change", async () => {
      if (!this.group.value) return;
      await this.onChoose(this.year.value, this.group.value, null);
      this.afterChoice(this.group, true);
    });
  }

  setIndex(index) {
    this.index = index;
    this.showLargest();
    if (this.input.value) this.update();
  }

  /** The largest specializations one tap away, for a first visit (CSS shows them until a choice). */
  showLargest() {
    document.getElementById("largest").replaceChildren(...largestSpecs(this.index, 6, t("studyLine")).map((spec) => {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "chip", textContent: spec.name });
      button.addEventListener("click", () => this.pick({ kind: "spec", spec }));
      const item = document.createElement("li");
      item.append(button);
      return item;
    }));
  }

  update() {
    if (!this.listsLoading && this.input.value.trim()) {
      this.listsLoading = Promise.all(KINDS.map(listOf)).then((lists) => {
        this.lists = Object.fromEntries(KINDS.map((kind, n) => [kind, lists[n]]));
        this.offline = false;
      }, () => {
        // offline: said so, and tried again at the next letter typed or when the connection is back
        this.offline = true;
        this.listsLoading = null;
      }).then(() => {
        if (this.input.value.trim()) this.update();
      });
    }
    this.results = [...search(this.index, this.input.value, 10, t("searchWords")), ...searchNamed(this.lists, this.input.value, 6)];
    this.active = this.results.length ? 0 : -1;
    this.list.replaceChildren(...this.results.map((result, n) => this.option(result, n)));
    if (!this.results.length && this.input.value.trim() && this.index.length) {
      const empty = document.createElement("li");
      empty.className = "no-match";
      empty.textContent = t(this.offline ? "searchOffline" : "noMatch", { q: this.input.value.trim() });
      this.list.append(empty);
    }
    this.list.hidden = !this.list.children.length;
    this.input.setAttribute("aria-expanded", String(!this.list.hidden));
    this.highlight();
  }

  option(result, n) {
    const item = document.createElement("li");
    item.id = `result-${n}`;
    item.setAttribute("role", "option");
    const main = document.createElement("span");
    main.className = "result-main";
    const detail = document.createElement("span");
    detail.className = "result-detail";
    if (result.kind === "group") {
      main.textContent = t("groupResult", { group: result.group });
      detail.textContent = `${result.spec.name} · ${t("yearN", { n: result.year.year })}`;
    } else if (result.entry) {
      const entry = result.entry;
      main.textContent = entry.name;
      const about = result.kind === "room" ? entry.location
        : result.kind === "subject" ? entry.specializations.map((spec) => spec.code).join(", ")
          : t("classesN", { n: entry.classes });
      detail.textContent = [t(result.kind), about].filter(Boolean).join(" · ");
    } else {
      main.textContent = result.spec.name;
      detail.textContent = `${t(result.spec.degree)} · ${result.spec.years.map((y) => y.code).join(", ")}`;
    }
    item.append(main, detail);
    item.addEventListener("pointerdown", (event) => event.preventDefault()); // keep focus in the box
    item.addEventListener("click", () => this.pick(result));
    return item;
  }

  highlight() {
    [...this.list.querySelectorAll("[role=option]")].forEach((item, n) => item.setAttribute("aria-selected", String(n === this.active)));
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", `result-${this.active}`);
      document.getElementById(`result-${this.active}`)?.scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  key(event) {
    const count = this.results.length;
    if (event.key === "ArrowDown" && count) this.active = (this.active + 1) % count;
    else if (event.key === "ArrowUp" && count) this.active = (this.active - 1 + count) % count;
    else if (event.key === "Enter" && this.active >= 0 && !this.list.hidden) this.pick(this.results[this.active]);
    else if (event.key === "Escape") this.close();
    else return;
    event.preventDefault();
    this.highlight();
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  /** After a choice: a group with subgroups (askSubgroup) keeps the finder open on the subgroup
   * step, which a phone's finder closing at once would hide, and there the subgroup takes focus;
   * elsewhere focus stays on control (arrowing through the groups), else goes to the week. */
  afterChoice(control, askSubgroup) {
    const radios = [...this.subgroups.querySelectorAll("input")];
    const finder = document.getElementById("finder");
    const reopened = askSubgroup && radios.length > 1 && !finder.open;
    if (reopened) {
      finder.open = true;
      focusFirstShown(radios.find((radio) => radio.checked) ?? radios[0]);
    }
    keepFocus(control, document.getElementById("week"));
  }

  pick(result) {
    this.close();
    this.input.value = "";
    if (result.kind === "group") {
      this.onChoose(result.year.code, result.group, null).then(() => this.afterChoice(this.input, true));
      return;
    }
    if (result.entry) {
      this.onView(result.kind, result.entry.code).then(() => this.afterChoice(this.input, false));
      return;
    }
    this.showSpec(result.spec);
    const years = result.spec.years.filter((year) => year.groups.length);
    if (years.length === 1) {
      this.year.value = years[0].code;
      this.yearChanged();
    }
    this.year.focus();
  }

  /** Shows a spec's years; code and group, when given, are selected. */
  showSpec(spec, code = "", group = "") {
    this.spec = spec;
    document.getElementById("picked").hidden = false;
    document.getElementById("picked-spec").textContent = `${spec.name} · ${t(spec.degree)}`;
    fill(this.year, spec.years.filter((year) => year.groups.length).map((year) => [year.code, t("yearN", { n: year.year })]), code);
    const year = spec.years.find((one) => one.code === code);
    fill(this.group, (year?.groups ?? []).map((name) => [name, name]), group);
    this.group.disabled = !year;
  }

  yearChanged() {
    const year = this.spec?.years.find((one) => one.code === this.year.value);
    fill(this.group, (year?.groups ?? []).map((name) => [name, name]), "");
    this.group.disabled = !year;
    this.subgroups.replaceChildren();
    document.getElementById("subgroups").hidden = true;
  }

  /** Shows the current choice: spec, year, group and the group's subgroup options. */
  showChoice(spec, timetable, group, subgroup) {
    if (spec) this.showSpec(spec, timetable.code, group.name);
    const calendars = [...group.calendars].sort((a, b) => (a.subgroup ?? 99) - (b.subgroup ?? 99));
    const fieldset = document.getElementById("subgroups");
    fieldset.hidden = calendars.length < 2;
    const hadFocus = this.subgroups.contains(document.activeElement); // the radio just chosen, drawn again below
    this.subgroups.replaceChildren(...calendars.map((calendar) => {
      const label = document.createElement("label");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "subgroup";
      radio.value = calendar.subgroup ?? "all";
      radio.checked = calendar.subgroup === subgroup;
      radio.addEventListener("change", async () => {
        await this.onChoose(timetable.code, group.name, calendar.subgroup);
        this.afterChoice(radio, false);
      });
      const text = document.createElement("span");
      text.textContent = calendar.subgroup === null ? t("wholeGroup") : t("subgroupN", { n: calendar.subgroup });
      label.append(radio, text);
      return label;
    }));
    if (hadFocus) this.subgroups.querySelector("input:checked")?.focus();
  }
}

/** Replaces a select's options with [value, text] pairs after a "—" placeholder. */
function fill(select, options, chosen) {
  const placeholder = new Option("—", "");
  placeholder.disabled = true;
  select.replaceChildren(placeholder, ...options.map(([value, text]) => new Option(text, value)));
  select.value = options.some(([value]) => value === chosen) ? chosen : "";
}
