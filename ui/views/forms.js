// Shared form pieces: error summary and mapping backend field errors to fields.
import { h, replace, setFieldError } from "../dom.js";
import { explain } from "../format.js";

/** @typedef {import('../types.js').ApiError} ApiError */

/**
 * Field names the backend may use, mapped to the `data-field` of the UI control.
 * The backend's field is matched on its last path segment (`options.columns` → `columns`).
 */
const ALIASES = /** @type {Record<string, string>} */ ({
  preset: "range", range: "range", environment: "environment", region: "environment",
  connection: "connectionId", connectionId: "connectionId", template: "fileNameTemplate",
  fileName: "fileNameTemplate", fileNameTemplate: "fileNameTemplate",
});

/**
 * The part of a form that lists problems. Focusable so it can be announced.
 */
export function errorSummary() {
  const box = h("div", { class: "banner error", role: "alert", tabindex: "-1", hidden: true });
  return box;
}

/** @param {HTMLElement} form */
export function clearErrors(form) {
  for (const w of form.querySelectorAll("[data-field].has-error")) setFieldError(w, null);
  const s = /** @type {HTMLElement|null} */ (form.querySelector(".banner.error"));
  if (s) { s.hidden = true; s.replaceChildren(); }
}

/**
 * Show field errors (client-side checks) on a form; returns true if there were any.
 * @param {HTMLElement} form @param {Record<string, string>} errors field → message
 */
export function showFieldErrors(form, errors) {
  const entries = Object.entries(errors);
  if (!entries.length) return false;
  const summary = /** @type {HTMLElement|null} */ (form.querySelector(".banner.error"));
  const items = [];
  for (const [name, message] of entries) {
    const wrap = form.querySelector(`[data-field="${name}"]`);
    if (wrap) setFieldError(wrap, message);
    items.push(h("li", null, message));
  }
  if (summary) {
    summary.replaceChildren(
      h("p", { class: "banner-title" }, entries.length === 1 ? "Please fix this:" : `Please fix these ${entries.length} things:`),
      h("ul", null, items));
    summary.hidden = false;
  }
  const first = form.querySelector("[data-field].has-error input, [data-field].has-error select, [data-field].has-error textarea");
  if (first instanceof HTMLElement) first.focus();
  else summary?.focus();
  return true;
}

/**
 * Show a rejected command on a form: field-level when the backend named a field we have,
 * otherwise in the summary with a plain explanation.
 * @param {HTMLElement} form @param {ApiError} err
 */
export function showApiError(form, err) {
  if (err.kind === "invalid_input" && err.field) {
    const last = err.field.split(".").pop() ?? err.field;
    const name = ALIASES[last] ?? last;
    if (form.querySelector(`[data-field="${name}"]`)) {
      showFieldErrors(form, { [name]: err.message });
      return;
    }
  }
  const summary = /** @type {HTMLElement|null} */ (form.querySelector(".banner.error"));
  if (!summary) return;
  const { title, next } = err.kind === "invalid_input"
    ? { title: err.message, next: "" }
    : explain(err);
  replace(summary,
    h("p", { class: "banner-title" }, title),
    next ? h("p", null, next) : null,
    err.kind !== "invalid_input" && err.message ? h("p", { class: "details" }, `Details: ${err.message}`) : null);
  summary.hidden = false;
  summary.focus();
}
