// Pickers: entities (queues, agents, wrap-up codes) searched by name, and ordered columns.
import { api } from "../api.js";
import { h, uid } from "../dom.js";
import { explain } from "../format.js";

/** @typedef {import('../types.js').Entity} Entity */
/** @typedef {import('../types.js').EntityKind} EntityKind */
/** @typedef {import('../types.js').ColumnInfo} ColumnInfo */
/** @typedef {import('../types.js').ApiError} ApiError */

/**
 * Choose any number of queues / agents / wrap-up codes, searching by name.
 * @param {{kind: EntityKind, legend: string, noun: string, nouns: string, connectionId: () => string,
 *   selected: string[], onchange: (ids: string[]) => void, field?: string}} p
 */
export function entityPicker({ kind, legend, noun, nouns, connectionId, selected, onchange, field }) {
  /** @type {Map<string, string>} id → name */
  const names = new Map();
  let chosen = [...selected];
  const chips = h("ul", { class: "chips", "aria-label": `Chosen ${nouns}` });
  const searchId = uid("search");
  const search = h("input", { type: "search", id: searchId, autocomplete: "off", placeholder: "Type a name" });
  const results = h("ul", { class: "results", "aria-label": `Matching ${nouns}` });
  const status = h("p", { class: "hint", role: "status" });
  const fs = h("fieldset", { class: "picker", "data-field": field ?? null },
    h("legend", null, legend),
    h("p", { class: "hint" }, `Leave empty to include all ${nouns}.`),
    chips,
    h("label", { for: searchId, class: "sub-label" }, `Search ${nouns} by name`),
    search, status, results,
    h("p", { class: "field-error", hidden: true }));

  const renderChips = () => {
    chips.replaceChildren(...chosen.map((id) => h("li", { class: "chip" },
      h("span", null, names.get(id) ?? `Unknown ${noun}`),
      h("button", { type: "button", class: "chip-x", "aria-label": `Remove ${names.get(id) ?? noun}`,
        onclick: () => toggle(id, false) }, "×"))));
    chips.hidden = chosen.length === 0;
  };

  /** @param {string} id @param {boolean} on */
  const toggle = (id, on) => {
    chosen = on ? [...new Set([...chosen, id])] : chosen.filter((x) => x !== id);
    renderChips();
    for (const cb of results.querySelectorAll("input[type=checkbox]")) {
      const c = /** @type {HTMLInputElement} */ (cb);
      c.checked = chosen.includes(c.value);
    }
    onchange(chosen);
  };

  /** @param {Entity[]} list @param {boolean} truncated @param {number} limit */
  const renderResults = (list, truncated, limit) => {
    results.replaceChildren(...list.slice(0, 50).map((e) => {
      const id = uid(`ent-${kind}`);
      const cb = h("input", { type: "checkbox", id, value: e.id, checked: chosen.includes(e.id) });
      cb.addEventListener("change", () => toggle(e.id, cb.checked));
      return h("li", null, cb, h("label", { for: id }, e.name));
    }));
    const typed = search.value.trim();
    status.textContent = list.length === 0
      ? (typed ? `No ${nouns} match “${typed}”.` : `No ${nouns} found.`)
      : truncated && !typed ? `Showing ${list.length > 50 ? "50 of " : ""}the first ${limit} ${nouns}; type a name to search them all.`
      : truncated ? `Only the first ${limit} ${nouns} were searched; type more of the name.`
      : list.length > 50 ? `Showing 50 of ${list.length}; type more of the name to narrow down.` : "";
  };

  let seq = 0;
  /** @param {string} q */
  const load = async (q) => {
    const mine = ++seq;
    const conn = connectionId();
    if (!conn) { status.textContent = "Choose a connection first."; return; }
    try {
      const { entities: list, truncated, limit } = await api.listEntities(conn, kind, q || undefined);
      if (mine !== seq) return;
      for (const e of list) names.set(e.id, e.name);
      renderResults(list, truncated, limit);
      renderChips();
    } catch (e) {
      if (mine === seq) status.textContent = explain(/** @type {ApiError} */ (e)).title;
    }
  };
  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => load(search.value.trim()), 200);
  });
  search.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });

  renderChips();
  load("");
  return { el: fs, reload: () => load(search.value.trim()) };
}

/**
 * Choose columns and their order.
 * @param {{columns: ColumnInfo[], chosen: string[], onchange: (ids: string[]) => void}} p
 */
export function columnsEditor({ columns, chosen, onchange }) {
  let order = chosen.filter((id) => columns.some((c) => c.id === id));
  if (!order.length) order = columns.filter((c) => c.default).map((c) => c.id);
  const info = (/** @type {string} */ id) => columns.find((c) => c.id === id);
  const inFile = h("ol", { class: "col-list chosen", "aria-label": "Columns in the file, in order" });
  const available = h("ul", { class: "col-list available", "aria-label": "Columns you can add" });
  const el = h("fieldset", { class: "columns", "data-field": "columns" },
    h("legend", null, "Columns"),
    h("p", { class: "hint" }, "The file has these columns, left to right. Use the arrows to change the order."),
    h("div", { class: "col-grid" },
      h("div", null, h("h3", null, "In the file"), inFile,
        h("button", { type: "button", class: "btn small", onclick: () => { order = columns.filter((c) => c.default).map((c) => c.id); render(); onchange(order); } }, "Reset to the usual columns")),
      h("div", null, h("h3", null, "Available"), available)),
    h("p", { class: "field-error", hidden: true }));

  /** @param {string} id @param {string} action */
  const focusAfter = (id, action) => {
    const b = /** @type {HTMLElement|null} */ (el.querySelector(`[data-col="${id}"][data-act="${action}"]:not(:disabled)`))
      ?? /** @type {HTMLElement|null} */ (el.querySelector(`li[data-col="${id}"] button:not(:disabled)`));
    b?.focus();
  };

  const render = () => {
    inFile.replaceChildren(...order.map((id, i) => {
      const c = info(id);
      const label = c?.header ?? id;
      return h("li", { "data-col": id },
        h("span", { class: "col-name" }, label),
        h("span", { class: "col-btns" },
          h("button", { type: "button", class: "icon-btn", "data-col": id, "data-act": "up", disabled: i === 0,
            "aria-label": `Move ${label} up`, onclick: () => move(i, -1) }, "↑"),
          h("button", { type: "button", class: "icon-btn", "data-col": id, "data-act": "down", disabled: i === order.length - 1,
            "aria-label": `Move ${label} down`, onclick: () => move(i, 1) }, "↓"),
          h("button", { type: "button", class: "icon-btn", "data-col": id, "data-act": "remove",
            "aria-label": `Remove ${label}`, onclick: () => remove(id) }, "×")));
    }));
    available.replaceChildren(...columns.filter((c) => !order.includes(c.id)).map((c) =>
      h("li", { "data-col": c.id },
        h("span", { class: "col-name" }, c.header, c.definition ? h("span", { class: "col-def" }, c.definition) : null),
        h("button", { type: "button", class: "btn small", "data-col": c.id, "data-act": "add", "aria-label": `Add ${c.header}`,
          onclick: () => add(c.id) }, "Add"))));
  };
  /** @param {number} i @param {number} d */
  const move = (i, d) => {
    const j = i + d;
    if (j < 0 || j >= order.length) return;
    [order[i], order[j]] = [order[j], order[i]];
    const id = order[j];
    render();
    onchange(order);
    focusAfter(id, d < 0 ? "up" : "down");
  };
  /** @param {string} id */
  const remove = (id) => {
    const i = order.indexOf(id);
    order = order.filter((x) => x !== id);
    render();
    onchange(order);
    const next = order[Math.min(i, order.length - 1)];
    if (next) focusAfter(next, "remove");
  };
  /** @param {string} id */
  const add = (id) => {
    order = [...order, id];
    render();
    onchange(order);
    focusAfter(id, "down");
  };
  render();
  onchange(order);
  return el;
}
