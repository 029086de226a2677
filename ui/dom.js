// Tiny DOM helpers. Everything is built with createElement and text nodes:
// no HTML strings, so no injection and nothing for the strict CSP to block.

/** @typedef {Node|string|number|null|undefined|false} Child */

const PROPS = new Set(["value", "checked", "disabled", "selected", "hidden", "indeterminate", "multiple"]);

/**
 * Create an element: `h("button", {class: "btn", onclick: fn}, "Save")`.
 * Keys starting with `on` add listeners; value/checked/disabled/... are set as properties;
 * everything else becomes an attribute (`true` → empty attribute, `false`/null → absent).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>|null} [props]
 * @param {...(Child|Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else if (PROPS.has(k)) {
      /** @type {any} */ (el)[k] = v;
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Array<Child|Child[]>} children
 */
export function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "object" ? c : String(c));
  }
}

/** Replace all children. @param {Element} el @param {...(Child|Child[])} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let idCounter = 0;
/** A unique id for label/aria wiring. @param {string} prefix */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * A labelled form field: label, control, optional hint, and a slot for its error message.
 * @param {{label: string, control: HTMLElement, hint?: string|Node, field?: string, optional?: boolean}} p
 */
export function field({ label, control, hint, field: name, optional }) {
  const id = control.id || uid("f");
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  const errEl = h("p", { class: "field-error", id: `${id}-err`, hidden: true });
  const described = [hintEl ? hintEl.id : null].filter(Boolean).join(" ");
  if (described) control.setAttribute("aria-describedby", described);
  const wrap = h("div", { class: "field", "data-field": name ?? null },
    h("label", { for: id }, label, optional ? h("span", { class: "optional" }, " (optional)") : null),
    hintEl, control, errEl);
  return wrap;
}

/**
 * Show or clear the error message of a field made by {@link field} (or any element with
 * `data-field` holding a `.field-error`).
 * @param {Element} wrap
 * @param {string|null} message
 */
export function setFieldError(wrap, message) {
  const err = /** @type {HTMLElement|null} */ (wrap.querySelector(":scope > .field-error, :scope > legend ~ .field-error"));
  const control = wrap.querySelector("input, select, textarea");
  if (err) {
    err.hidden = !message;
    err.textContent = message ?? "";
  }
  wrap.classList.toggle("has-error", !!message);
  if (control) {
    if (message) {
      control.setAttribute("aria-invalid", "true");
      const ids = new Set((control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean));
      if (err) ids.add(err.id);
      control.setAttribute("aria-describedby", [...ids].join(" "));
    } else {
      control.removeAttribute("aria-invalid");
      const ids = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((i) => i && i !== err?.id);
      if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
      else control.removeAttribute("aria-describedby");
    }
  }
}

/**
 * A group of radio buttons or checkboxes in a fieldset.
 * @param {{legend: string, name: string, type: "radio"|"checkbox", options: Array<{value: string, label: string, hint?: string}>,
 *   selected: string[], onchange?: (values: string[]) => void, field?: string, hint?: string, inline?: boolean, cards?: boolean}} p
 */
export function choiceGroup({ legend, name, type, options, selected, onchange, field: fieldName, hint, inline, cards }) {
  const fs = h("fieldset", { class: `choices${inline ? " inline" : ""}${cards ? " cards" : ""}`, "data-field": fieldName ?? null },
    h("legend", null, legend),
    hint ? h("p", { class: "hint" }, hint) : null);
  const list = h("div", { class: "choice-list" });
  const read = () => [...fs.querySelectorAll(`input[name="${name}"]`)]
    .filter((i) => /** @type {HTMLInputElement} */ (i).checked)
    .map((i) => /** @type {HTMLInputElement} */ (i).value);
  for (const o of options) {
    const id = uid(name);
    const input = h("input", { type, name, value: o.value, id, checked: selected.includes(o.value) });
    input.addEventListener("change", () => onchange?.(read()));
    list.append(h("div", { class: "choice" }, input,
      h("label", { for: id }, h("span", { class: "choice-label" }, o.label),
        o.hint ? h("span", { class: "choice-hint" }, o.hint) : null)));
  }
  fs.append(list, h("p", { class: "field-error", id: uid("err"), hidden: true }));
  return fs;
}

/** Move keyboard focus to the first heading of a view (for screen readers and keyboard users). @param {Element} root */
export function focusHeading(root) {
  const hd = /** @type {HTMLElement|null} */ (root.querySelector("h1"));
  if (hd) {
    hd.tabIndex = -1;
    hd.focus({ preventScroll: true });
  }
}
