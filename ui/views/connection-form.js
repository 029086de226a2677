// The "Connect to Genesys Cloud" form, used on first run and in Connections.
import { api } from "../api.js";
import { h, field } from "../dom.js";
import { clearErrors, errorSummary, showApiError, showFieldErrors } from "./forms.js";

/** @typedef {import('../types.js').Connection} Connection */
/** @typedef {import('../types.js').ApiError} ApiError */
/** @typedef {import('../app.js').Ctx} Ctx */

/** The region choice that reveals the address field. */
const OTHER = "__other__";

/**
 * @param {{ctx: Ctx, connection?: Connection|null, onSaved: (c: Connection) => void, onCancel?: () => void,
 *   saveLabel?: string}} p
 */
export async function connectionForm({ ctx, connection, onSaved, onCancel, saveLabel }) {
  const regions = await ctx.getRegions();
  const editing = !!connection;

  const name = h("input", { type: "text", autocomplete: "off", value: connection?.name ?? "Genesys Cloud" });
  const known = !connection || regions.some((r) => r.domain === connection.environment);
  const region = h("select", null,
    h("option", { value: "" }, "Choose your region…"),
    regions.map((r) => h("option", { value: r.domain, selected: connection?.environment === r.domain },
      `${r.name || r.key} — ${r.domain}`)),
    h("option", { value: OTHER, selected: !known }, "Other address (private deployment or test server)…"));
  const address = h("input", { type: "url", autocomplete: "off", spellcheck: "false", inputmode: "url",
    placeholder: "https://api.example.com", value: known ? "" : connection?.environment ?? "" });
  const regionField = field({ label: "Region", control: region, field: "environment",
    hint: "The region is in the address you use for Genesys Cloud: apps.mypurecloud.ie is EMEA (Dublin)." });
  const addressField = field({ label: "Address", control: address, field: "address",
    hint: "The API address of your Genesys Cloud deployment, for example https://api.example.com. Plain http only works on this computer (http://127.0.0.1:…)." });
  /** Show the address field only for "Other address"; backend errors about `environment` then go under it. */
  const syncAddress = () => {
    const other = region.value === OTHER;
    addressField.hidden = !other;
    regionField.dataset.field = other ? "region" : "environment";
    addressField.dataset.field = other ? "environment" : "address";
  };
  region.addEventListener("change", () => {
    clearErrors(form);
    syncAddress();
    if (region.value === OTHER) address.focus();
  });
  /** What the backend gets as `environment`: a region's domain or the typed address. */
  const environment = () => (region.value === OTHER ? address.value.trim() : region.value);
  const clientId = h("input", { type: "text", autocomplete: "off", spellcheck: "false", value: connection?.clientId ?? "" });
  const secret = h("input", { type: "password", autocomplete: "new-password", spellcheck: "false", value: "" });
  const status = h("div", { class: "test-result", role: "status", "aria-live": "polite" });

  const form = h("form", { class: "stack", novalidate: true });
  const testBtn = h("button", { type: "button", class: "btn" }, "Test connection");
  const saveBtn = h("button", { type: "submit", class: "btn primary" }, saveLabel ?? "Save connection");

  form.append(
    errorSummary(),
    field({ label: "Name", control: name, field: "name", hint: "Any name that helps you recognise it, for example “Contact centre”." }),
    regionField,
    addressField,
    field({ label: "Client ID", control: clientId, field: "clientId",
      hint: "From your Genesys Cloud administrator: an OAuth client of type “Client Credentials”." }),
    field({ label: "Client secret", control: secret, field: "secret",
      hint: editing && connection?.hasSecret
        ? "A secret is saved on this computer. Leave this empty to keep it. A new address or client ID needs it again."
        : "Kept safely in this computer's keychain. It is never shown again." }),
    status,
    h("div", { class: "actions" }, onCancel ? h("button", { type: "button", class: "btn", onclick: onCancel }, "Cancel") : null,
      testBtn, saveBtn));
  syncAddress();

  /** Client-side checks. @param {boolean} forSave */
  const check = (forSave) => {
    /** @type {Record<string, string>} */
    const errs = {};
    if (forSave && !name.value.trim()) errs.name = "Enter a name for this connection.";
    if (!region.value) errs.environment = "Choose the region of your Genesys Cloud organization.";
    else if (region.value === OTHER && !address.value.trim()) errs.environment = "Enter the address, for example https://api.example.com.";
    if (!clientId.value.trim()) errs.clientId = "Enter the client ID.";
    // The app refuses a new address or client id without the secret (field "secret").
    const needSecret = !(editing && (connection?.hasSecret || connection?.secretUnknown));
    if (!secret.value && needSecret) errs.secret = "Enter the client secret.";
    return errs;
  };

  testBtn.addEventListener("click", async () => {
    clearErrors(form);
    status.replaceChildren();
    if (showFieldErrors(form, check(false))) return;
    const changed = connection && (environment() !== connection.environment || clientId.value.trim() !== connection.clientId);
    if (changed && !secret.value) {
      status.replaceChildren(h("p", { class: "bad" }, "Enter the client secret to test the changed details, or save them first."));
      return;
    }
    testBtn.disabled = true;
    status.replaceChildren(h("p", { class: "muted" }, "Testing the connection…"));
    try {
      const res = secret.value || !connection
        ? await api.testNewConnection({ name: name.value.trim(), environment: environment(), clientId: clientId.value.trim() }, secret.value)
        : await api.testSavedConnection(connection.id);
      status.replaceChildren(h("p", { class: res.ok ? "ok" : "bad" }, h("span", { class: "icon", "aria-hidden": "true" }, res.ok ? "✓" : "!"), " ", res.message));
    } catch (e) {
      status.replaceChildren();
      showApiError(form, /** @type {ApiError} */ (e));
    } finally {
      testBtn.disabled = false;
    }
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (showFieldErrors(form, check(true))) return;
    saveBtn.disabled = true;
    const input = { name: name.value.trim(), environment: environment(), clientId: clientId.value.trim() };
    if (connection) Object.assign(input, { id: connection.id });
    const s = secret.value;
    secret.value = ""; // never kept in the page longer than needed
    try {
      const saved = await api.saveConnection(input, s || undefined);
      ctx.announce(`Connection ${saved.name} saved.`);
      onSaved(saved);
    } catch (err) {
      showApiError(form, /** @type {ApiError} */ (err));
    } finally {
      saveBtn.disabled = false;
    }
  });
  return form;
}
