// The profile editor, in plain words.
import { api } from "../api.js";
import { h, field, choiceGroup } from "../dom.js";
import { DIRECTIONS, FORMATS, MEDIA, PRESETS, systemTimeZone, timeZones } from "../format.js";
import { clearErrors, errorSummary, showApiError, showFieldErrors } from "./forms.js";
import { columnsEditor, entityPicker } from "./picker.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../types.js').QueryProfile} QueryProfile */
/** @typedef {import('../types.js').Settings} Settings */
/** @typedef {import('../types.js').Connection} Connection */
/** @typedef {import('../types.js').Grain} Grain */
/** @typedef {import('../types.js').ApiError} ApiError */

export const GRAINS = [
  { value: "conversation", label: "One row per conversation", hint: "The simplest: one line for each call, chat or email." },
  { value: "participant", label: "One row per participant", hint: "The customer, the IVR, each agent… on their own line." },
  { value: "session", label: "One row per session", hint: "Each participant's sessions (for example after a transfer) on their own line." },
  { value: "segment", label: "One row per segment", hint: "Every step: talking, holding, wrap-up… The most detail." },
];

export const DEFAULT_TEMPLATE = "{profile} {from}–{to}";

/**
 * A new profile with sensible defaults.
 * @param {Connection[]} connections @param {Settings|null} settings @returns {QueryProfile}
 */
export function newProfile(connections, settings) {
  const tz = settings?.timeZone || systemTimeZone();
  const conn = connections.find((c) => !c.isDemo) ?? connections[0];
  return {
    name: "",
    connectionId: conn?.id ?? "",
    range: { kind: "preset", preset: "last_week" },
    timeZone: tz,
    filters: { queueIds: [], mediaTypes: [], directions: [], userIds: [], wrapUpCodes: [], divisionIds: [] },
    options: {
      grain: "conversation", columns: [], format: "xlsx", timeZone: tz, durationFormat: "seconds",
      includeIds: false, csvDelimiter: settings?.csvDelimiter ?? "comma", csvBom: settings?.csvBom ?? true,
    },
    folder: null,
    fileNameTemplate: DEFAULT_TEMPLATE,
  };
}

/** @param {Date} d */
const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

/**
 * Checks that need no backend. Returns field → message.
 * @param {QueryProfile} p @param {string[]} knownZones
 */
export function validateProfile(p, knownZones) {
  /** @type {Record<string, string>} */
  const e = {};
  if (!p.name.trim()) e.name = "Give the profile a name, for example “Sales calls last week”.";
  else if (p.name.trim().length > 100) e.name = "Use a shorter name (at most 100 characters).";
  if (!p.connectionId) e.connectionId = "Choose the Genesys Cloud connection to export from.";
  if (p.range.kind === "fixed") {
    if (!p.range.from) e.from = "Choose the first day to export.";
    if (!p.range.to) e.to = "Choose the last day to export.";
    if (p.range.from && p.range.to && p.range.to < p.range.from) e.to = "The last day must be on or after the first day.";
  }
  if (!p.timeZone) e.timeZone = "Choose a time zone.";
  else if (knownZones.length > 2 && !knownZones.includes(p.timeZone)) e.timeZone = "Choose a time zone from the list.";
  if (p.options.format !== "jsonl" && p.options.columns.length === 0) e.columns = "Choose at least one column.";
  const t = p.fileNameTemplate.trim();
  if (!t) e.fileNameTemplate = "Enter a file name.";
  else if (/[\\/:*?"<>|]/.test(t)) e.fileNameTemplate = "A file name cannot contain any of these: \\ / : * ? \" < > |";
  return e;
}

/** The file name the template gives, for the example under the field. @param {QueryProfile} p */
export function exampleFileName(p) {
  const today = new Date();
  const from = p.range.kind !== "preset" && p.range.from ? p.range.from : isoDay(new Date(today.getTime() - 7 * 864e5));
  const to = p.range.kind !== "preset" && p.range.to ? p.range.to : isoDay(new Date(today.getTime() - 864e5));
  const now = new Date();
  const base = p.fileNameTemplate
    .replaceAll("{profile}", p.name.trim() || "Profile name")
    .replaceAll("{from}", from.slice(0, 10)).replaceAll("{to}", to.slice(0, 10))
    .replaceAll("{today}", isoDay(now))
    .replaceAll("{now}", `${isoDay(now)} ${String(now.getHours()).padStart(2, "0")}${String(now.getMinutes()).padStart(2, "0")}`);
  const ext = FORMATS[p.options.format].ext;
  return base.toLowerCase().endsWith(`.${ext}`) ? base : `${base}.${ext}`;
}

/** @param {HTMLElement} root @param {Ctx} ctx @param {{profileId?: string}} params */
export async function editorView(root, ctx, params) {
  const [profiles, connections, settings] = await Promise.all([
    api.listProfiles(), api.listConnections(), api.getSettings().catch(() => null),
  ]);
  const existing = params.profileId ? profiles.find((p) => p.id === params.profileId) : null;
  if (params.profileId && !existing) {
    ctx.flash = "That profile no longer exists.";
    await ctx.go("home");
    return;
  }
  /** @type {QueryProfile} */
  const draft = existing ? structuredClone(existing) : newProfile(connections, settings);
  delete draft.lastRun;
  draft.timeZone ||= draft.options.timeZone || systemTimeZone();
  const zones = timeZones();

  const form = h("form", { class: "editor", novalidate: true, "aria-labelledby": "editor-title" });

  // --- Name and connection
  const name = h("input", { type: "text", value: draft.name, maxlength: "120", autocomplete: "off" });
  name.addEventListener("input", () => { draft.name = name.value; updateExample(); });
  const conn = h("select", null,
    h("option", { value: "" }, "Choose a connection…"),
    connections.map((c) => h("option", { value: c.id, selected: c.id === draft.connectionId }, c.isDemo ? `${c.name} (demo)` : c.name)));
  conn.addEventListener("change", () => { draft.connectionId = conn.value; pickers.forEach((p) => p.reload()); });

  // --- Dates
  const isFixed = draft.range.kind !== "preset";
  const exact = draft.range.kind === "fixed_date_times";
  // Exact date-times (from the CLI) are kept unless a date is changed; the date part is shown.
  const fromIn = h("input", { type: "date", value: isFixed && "from" in draft.range ? draft.range.from.slice(0, 10) : "" });
  const toIn = h("input", { type: "date", value: isFixed && "to" in draft.range ? draft.range.to.slice(0, 10) : "" });
  const fixedBox = h("div", { class: "two-col tight", hidden: !isFixed },
    field({ label: "First day", control: fromIn, field: "from" }),
    field({ label: "Last day (included)", control: toIn, field: "to" }),
    exact && draft.range.kind === "fixed_date_times"
      ? h("p", { class: "hint" }, `This profile uses exact times: from ${draft.range.from.replace("T", " ")} up to ${draft.range.to.replace("T", " ")}. Changing a day replaces them with whole days.`)
      : null);
  const readFixed = () => { draft.range = { kind: "fixed", from: fromIn.value, to: toIn.value }; updateExample(); };
  fromIn.addEventListener("change", readFixed);
  toIn.addEventListener("change", readFixed);
  const rangeGroup = choiceGroup({
    legend: "Which days?", name: "range", type: "radio", inline: true, field: "range",
    options: [...PRESETS, { value: "fixed", label: "Choose dates…" }],
    selected: [draft.range.kind === "preset" ? draft.range.preset : "fixed"],
    onchange: ([v]) => {
      fixedBox.hidden = v !== "fixed";
      if (v === "fixed") readFixed();
      else draft.range = { kind: "preset", preset: /** @type {import('../types.js').Preset} */ (v) };
      updateExample();
    },
  });
  const sys = systemTimeZone();
  const tz = h("select", null, zones.map((z) => h("option", { value: z, selected: z === draft.timeZone }, z === sys ? `${z} (this computer)` : z)));
  if (!zones.includes(draft.timeZone)) tz.prepend(h("option", { value: draft.timeZone, selected: true }, draft.timeZone));
  tz.addEventListener("change", () => { draft.timeZone = tz.value; draft.options.timeZone = tz.value; });

  // --- Filters
  const f = draft.filters;
  const media = choiceGroup({ legend: "Media types", name: "media", type: "checkbox", inline: true, field: "mediaTypes",
    hint: "Leave all unticked to include every type.", options: MEDIA, selected: f.mediaTypes,
    onchange: (v) => { f.mediaTypes = v; } });
  const dirs = choiceGroup({ legend: "Direction", name: "direction", type: "checkbox", inline: true, field: "directions",
    hint: "How the conversation began (the Direction column). Leave both unticked to include both.", options: DIRECTIONS, selected: f.directions,
    onchange: (v) => { f.directions = v; } });
  const connId = () => draft.connectionId;
  const pickers = [
    entityPicker({ kind: "queue", legend: "Queues", noun: "queue", nouns: "queues", connectionId: connId, field: "queueIds",
      selected: f.queueIds, onchange: (ids) => { f.queueIds = ids; } }),
    entityPicker({ kind: "user", legend: "Agents", noun: "agent", nouns: "agents", connectionId: connId, field: "userIds",
      selected: f.userIds, onchange: (ids) => { f.userIds = ids; } }),
    entityPicker({ kind: "wrap_up_code", legend: "Wrap-up codes", noun: "wrap-up code", nouns: "wrap-up codes",
      connectionId: connId, field: "wrapUpCodes", selected: f.wrapUpCodes, onchange: (ids) => { f.wrapUpCodes = ids; } }),
    entityPicker({ kind: "division", legend: "Divisions", noun: "division", nouns: "divisions", connectionId: connId,
      field: "divisionIds", selected: f.divisionIds ?? [], onchange: (ids) => { f.divisionIds = ids; } }),
  ];

  // --- Rows and columns
  const colsBox = h("div", { class: "cols-box" });
  /** @param {Grain} grain */
  const loadColumns = async (grain) => {
    colsBox.replaceChildren(h("p", { class: "muted" }, "Loading columns…"));
    try {
      const cols = await api.listColumns(grain);
      colsBox.replaceChildren(columnsEditor({ columns: cols, chosen: draft.options.columns, onchange: (ids) => { draft.options.columns = [...ids]; } }));
    } catch (e) {
      colsBox.replaceChildren(h("p", { class: "bad" }, "The list of columns could not be loaded."));
    }
  };
  const grain = choiceGroup({ legend: "Rows", name: "grain", type: "radio", field: "grain", options: GRAINS,
    selected: [draft.options.grain],
    onchange: ([v]) => { draft.options.grain = /** @type {Grain} */ (v); loadColumns(draft.options.grain); } });
  const rowsSection = h("div", { class: "rows-cols" }, grain, colsBox);
  const jsonlNote = h("p", { class: "banner info" }, "Raw JSON lines keep everything Genesys Cloud returns, one conversation per line, so rows and columns do not apply.");

  // --- File
  const format = choiceGroup({ legend: "File type", name: "format", type: "radio", inline: true, cards: true, field: "format",
    options: [
      { value: "xlsx", label: "Excel", hint: "Opens in Excel (.xlsx)" },
      { value: "csv", label: "CSV", hint: "For Excel, Sheets or other tools (.csv)" },
      { value: "jsonl", label: "Raw JSON lines", hint: "For IT and developers (.jsonl)" },
    ],
    selected: [draft.options.format],
    onchange: ([v]) => { draft.options.format = /** @type {import('../types.js').Format} */ (v); syncFormat(); updateExample(); } });
  const delim = choiceGroup({ legend: "Separate values with", name: "delimiter", type: "radio", inline: true, field: "csvDelimiter",
    options: [{ value: "comma", label: "Commas ( , )" }, { value: "semicolon", label: "Semicolons ( ; ), common in Europe" }],
    selected: [draft.options.csvDelimiter],
    onchange: ([v]) => { draft.options.csvDelimiter = /** @type {import('../types.js').Delimiter} */ (v); } });
  const bom = choiceGroup({ legend: "Accents in Excel", name: "bom", type: "checkbox", field: "csvBom",
    options: [{ value: "bom", label: "Add a marker so Excel shows accents (é, ü, ñ) correctly", hint: "Recommended." }],
    selected: draft.options.csvBom ? ["bom"] : [], onchange: (v) => { draft.options.csvBom = v.includes("bom"); } });
  const durations = choiceGroup({ legend: "Show durations", name: "durations", type: "radio", inline: true, field: "durationFormat",
    options: [{ value: "seconds", label: "In seconds (754)" }, { value: "hms", label: "As hours:minutes:seconds (0:12:34)" }],
    selected: [draft.options.durationFormat],
    onchange: ([v]) => { draft.options.durationFormat = /** @type {import('../types.js').DurationFormat} */ (v); } });
  const ids = choiceGroup({ legend: "Genesys ids", name: "ids", type: "checkbox", field: "includeIds",
    options: [{ value: "ids", label: "Also include the Genesys ids next to names", hint: "Useful for IT or other tools." }],
    selected: draft.options.includeIds ? ["ids"] : [], onchange: (v) => { draft.options.includeIds = v.includes("ids"); } });
  const csvOpts = h("div", { class: "stack" }, delim, bom);
  const tableOpts = h("div", { class: "stack" }, durations, ids);

  const template = h("input", { type: "text", value: draft.fileNameTemplate, autocomplete: "off", spellcheck: "false" });
  const example = h("span", { class: "example" });
  template.addEventListener("input", () => { draft.fileNameTemplate = template.value; updateExample(); });
  const folder = h("input", { type: "text", value: draft.folder ?? "", autocomplete: "off", spellcheck: "false",
    placeholder: settings?.defaultFolder ?? "" });
  folder.addEventListener("input", () => { draft.folder = folder.value.trim() || null; });

  function updateExample() {
    example.textContent = exampleFileName(draft);
  }
  function syncFormat() {
    const fmt = draft.options.format;
    csvOpts.hidden = fmt !== "csv";
    tableOpts.hidden = fmt === "jsonl";
    rowsSection.hidden = fmt === "jsonl";
    jsonlNote.hidden = fmt !== "jsonl";
  }

  // --- Buttons
  const saveBtn = h("button", { type: "submit", class: "btn primary big" }, "Save profile");
  const previewBtn = h("button", { type: "button", class: "btn" }, "Save and preview");
  const deleteBtn = existing ? h("button", { type: "button", class: "btn danger-outline" }, "Delete profile") : null;

  /** @param {"home"|"preview"} then */
  const save = async (then) => {
    clearErrors(form);
    draft.name = name.value;
    draft.options.timeZone = draft.timeZone;
    if (showFieldErrors(form, validateProfile(draft, zones))) return;
    saveBtn.disabled = true;
    previewBtn.disabled = true;
    try {
      const saved = await api.saveProfile({ ...draft, name: draft.name.trim() });
      ctx.announce(`Profile ${saved.name} saved.`);
      if (then === "preview") await ctx.go("preview", { profileId: saved.id });
      else { ctx.flash = `Profile “${saved.name}” saved.`; await ctx.go("home"); }
    } catch (e) {
      showApiError(form, /** @type {ApiError} */ (e));
    } finally {
      saveBtn.disabled = false;
      previewBtn.disabled = false;
    }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); save("home"); });
  previewBtn.addEventListener("click", () => save("preview"));
  deleteBtn?.addEventListener("click", async () => {
    const ok = await ctx.confirm({ title: `Delete “${existing?.name}”?`, body: "The profile is removed. Files you already exported are not touched.",
      confirm: "Delete profile", cancel: "Keep it", danger: true });
    if (!ok || !existing?.id) return;
    try {
      await api.deleteProfile(existing.id);
      ctx.flash = `Profile “${existing.name}” deleted.`;
      await ctx.go("home");
    } catch (e) { showApiError(form, /** @type {ApiError} */ (e)); }
  });

  form.append(
    h("div", { class: "page-head" },
      h("h1", { id: "editor-title" }, existing ? `Edit “${existing.name}”` : "New export profile"),
      h("p", { class: "lead" }, "A profile remembers what to export. Save it once, then click Export whenever you need the file.")),
    errorSummary(),
    section("1", "Name and connection",
      h("div", { class: "two-col tight" },
        field({ label: "Profile name", control: name, field: "name", hint: "For example “Sales calls last week”." }),
        field({ label: "Connection", control: conn, field: "connectionId", hint: "The Genesys Cloud organization to export from." }))),
    section("2", "Dates", rangeGroup, fixedBox,
      field({ label: "Time zone", control: tz, field: "timeZone", hint: "Days start at midnight in this time zone, and times in the file use it." })),
    section("3", "Which conversations", media, dirs, h("div", { class: "pickers" }, pickers.map((p) => p.el))),
    section("4", "Rows and columns", rowsSection, jsonlNote),
    section("5", "File", format, csvOpts, tableOpts,
      field({ label: "File name", control: template, field: "fileNameTemplate",
        hint: h("span", null, "{profile} becomes the profile name, {from} and {to} the first and last day, {today} today's date. The extension is added for you. Example: ", example) }),
      field({ label: "Save in folder", control: folder, field: "folder", optional: true,
        hint: "The save window opens in this folder. Leave empty to use the folder from Settings." })),
    h("div", { class: "form-footer" },
      h("div", { class: "actions" }, saveBtn, previewBtn,
        h("button", { type: "button", class: "btn link", onclick: () => ctx.go("home") }, "Cancel")),
      deleteBtn));

  root.append(form);
  syncFormat();
  updateExample();
  await loadColumns(draft.options.grain);
}

/** @param {string} n @param {string} title @param {...any} children */
function section(n, title, ...children) {
  const id = `sec-${n}`;
  return h("section", { class: "panel form-section", "aria-labelledby": id },
    h("h2", { id }, h("span", { class: "step-no", "aria-hidden": "true" }, n), title),
    ...children);
}
