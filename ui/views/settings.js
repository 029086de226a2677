// Settings: default folder, time zone, CSV defaults; sharing profiles.
import { api } from "../api.js";
import { h, field, choiceGroup } from "../dom.js";
import { explain, systemTimeZone, timeZones } from "../format.js";
import { clearErrors, errorSummary, showApiError, showFieldErrors } from "./forms.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../types.js').Settings} Settings */
/** @typedef {import('../types.js').ApiError} ApiError */

/** @param {HTMLElement} root @param {Ctx} ctx */
export async function settingsView(root, ctx) {
  const current = await api.getSettings();
  /** @type {Settings} */
  const s = { ...current, defaultFolder: current.defaultFolder ?? null, timeZone: current.timeZone || systemTimeZone(),
    csvDelimiter: current.csvDelimiter ?? "comma", csvBom: current.csvBom ?? true };
  const zones = timeZones();
  const sys = systemTimeZone();

  const folder = h("input", { type: "text", value: s.defaultFolder ?? "", autocomplete: "off", spellcheck: "false" });
  const tz = h("select", null, zones.map((z) => h("option", { value: z, selected: z === s.timeZone }, z === sys ? `${z} (this computer)` : z)));
  if (!zones.includes(s.timeZone)) tz.prepend(h("option", { value: s.timeZone, selected: true }, s.timeZone));
  const delim = choiceGroup({ legend: "CSV files: separate values with", name: "set-delim", type: "radio", inline: true, field: "csvDelimiter",
    options: [{ value: "comma", label: "Commas ( , )" }, { value: "semicolon", label: "Semicolons ( ; )" }], selected: [s.csvDelimiter],
    onchange: ([v]) => { s.csvDelimiter = /** @type {any} */ (v); } });
  const bom = choiceGroup({ legend: "CSV files: accents in Excel", name: "set-bom", type: "checkbox", field: "csvBom",
    options: [{ value: "bom", label: "Add a marker so Excel shows accents correctly", hint: "Recommended." }],
    selected: s.csvBom ? ["bom"] : [], onchange: (v) => { s.csvBom = v.includes("bom"); } });
  const status = h("p", { class: "ok", role: "status" });
  const form = h("form", { class: "stack", novalidate: true },
    errorSummary(),
    field({ label: "Default folder for exports", control: folder, field: "defaultFolder", optional: true,
      hint: "The save window opens here, for example /home/you/Documents/Exports. Leave empty for your Documents folder." }),
    field({ label: "Time zone", control: tz, field: "timeZone", hint: "Used for new profiles. Each profile can have its own." }),
    delim, bom,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn primary" }, "Save settings"), status));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    status.textContent = "";
    s.defaultFolder = folder.value.trim() || null;
    s.timeZone = tz.value;
    if (showFieldErrors(form, s.timeZone ? {} : { timeZone: "Choose a time zone." })) return;
    try {
      await api.saveSettings(s);
      status.textContent = "Settings saved.";
    } catch (err) { showApiError(form, /** @type {ApiError} */ (err)); }
  });

  const shareMsg = h("p", { role: "status" });
  /** @param {() => Promise<string|null>} fn */
  const share = (fn) => async () => {
    shareMsg.className = "";
    shareMsg.textContent = "";
    try {
      const text = await fn();
      if (text) { shareMsg.className = "ok"; shareMsg.textContent = text; }
    } catch (e) {
      const x = explain(/** @type {ApiError} */ (e));
      if (/** @type {ApiError} */ (e).kind === "cancelled") return;
      shareMsg.className = "bad";
      shareMsg.textContent = `${x.title} ${x.next}`;
    }
  };

  root.append(
    h("div", { class: "page-head" }, h("h1", null, "Settings")),
    h("section", { class: "panel", "aria-labelledby": "set-general" }, h("h2", { id: "set-general" }, "Defaults"), form),
    h("section", { class: "panel", "aria-labelledby": "set-share" },
      h("h2", { id: "set-share" }, "Share profiles with your team"),
      h("p", null, "Save your profiles to a file that colleagues can import. Secrets are never included."),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "btn", onclick: share(async () => {
          const r = await api.exportProfiles();
          return r?.count ? `${r.count} ${r.count === 1 ? "profile" : "profiles"} saved to ${r.path}.` : null;
        }) }, "Save profiles to a file…"),
        h("button", { type: "button", class: "btn", onclick: share(async () => {
          const r = await api.importProfiles();
          if (!r || (r.imported === 0 && !r.skipped?.length)) return null; // the open dialog was closed
          const skipped = r.skipped.length ? ` ${r.skipped.join(" ")}` : "";
          return `${r.imported} ${r.imported === 1 ? "profile" : "profiles"} imported.${skipped}`;
        }) }, "Import profiles from a file…")),
      shareMsg));
}
