// The only door to the Tauri backend: every command of the command table as a typed function.
// No other module may touch `window.__TAURI__`. The arguments and answers are checked against
// ui/bindings/Commands.ts, generated from the Rust command table (src-tauri/ops/src/commands.rs,
// tests/ts_bindings.rs), so this file cannot drift from the backend.

/** @typedef {import('./bindings/Commands').Commands} Commands */

/** @typedef {import('./types.js').ApiError} ApiError */
/** @typedef {import('./types.js').AppInfo} AppInfo */
/** @typedef {import('./types.js').Region} Region */
/** @typedef {import('./types.js').Connection} Connection */
/** @typedef {import('./types.js').ConnectionInput} ConnectionInput */
/** @typedef {import('./types.js').TestResult} TestResult */
/** @typedef {import('./types.js').DemoResult} DemoResult */
/** @typedef {import('./types.js').QueryProfile} QueryProfile */
/** @typedef {import('./types.js').EntityKind} EntityKind */
/** @typedef {import('./types.js').Entity} Entity */
/** @typedef {import('./types.js').EntityList} EntityList */
/** @typedef {import('./types.js').Grain} Grain */
/** @typedef {import('./types.js').ColumnInfo} ColumnInfo */
/** @typedef {import('./types.js').PreviewResult} PreviewResult */
/** @typedef {import('./types.js').RunResult} RunResult */
/** @typedef {import('./types.js').ExportEvent} ExportEvent */
/** @typedef {import('./types.js').HistoryEntry} HistoryEntry */
/** @typedef {import('./types.js').Settings} Settings */
/** @typedef {import('./types.js').ProfilesExported} ProfilesExported */
/** @typedef {import('./types.js').ProfilesImported} ProfilesImported */

const KINDS = new Set([
  "auth", "permission", "rate_limited", "bad_request", "not_found", "server", "network",
  "cancelled", "invalid_input", "io", "keychain", "storage", "internal",
]);

/** The Tauri core API that `withGlobalTauri` puts on the window. */
function core() {
  const t = /** @type {any} */ (window).__TAURI__;
  if (!t || !t.core) {
    throw /** @type {ApiError} */ ({ kind: "internal", message: "The app's backend is not available." });
  }
  return /** @type {typeof import('@tauri-apps/api/core')} */ (t.core);
}

/**
 * Turn whatever a command rejected with into an {@link ApiError}.
 * @param {unknown} e
 * @returns {ApiError}
 */
export function toApiError(e) {
  if (e && typeof e === "object" && "kind" in e && "message" in e) {
    const o = /** @type {any} */ (e);
    const kind = KINDS.has(o.kind) ? o.kind : "internal";
    return { kind, message: String(o.message), field: o.field ?? null };
  }
  return { kind: "internal", message: typeof e === "string" ? e : String(/** @type {any} */ (e)?.message ?? e) };
}

/**
 * Call a command of the table with its arguments; answers its result or rejects with an ApiError.
 * @template {keyof Commands} K
 * @param {K} cmd
 * @param {Commands[K]["args"]} [args]
 * @returns {Promise<Commands[K]["result"]>}
 */
async function call(cmd, args) {
  try {
    return /** @type {Commands[K]["result"]} */ (await core().invoke(cmd, /** @type {any} */ (args)));
  } catch (e) {
    throw toApiError(e);
  }
}

/** A fresh id for a run (the UI mints it, the backend keys cancellation on it). */
export function newRunId() {
  return crypto.randomUUID();
}

/**
 * Build the progress Channel, with its handler set before the command is invoked.
 * @param {(e: ExportEvent) => void} onEvent
 */
function channel(onEvent) {
  const ch = new (core().Channel)();
  ch.onmessage = /** @type {any} */ (onEvent);
  return ch;
}

export const api = {
  /** @returns {Promise<AppInfo>} */
  appInfo: () => call("app_info"),
  /** @returns {Promise<Region[]>} */
  listRegions: () => call("list_regions"),
  /** @returns {Promise<Connection[]>} */
  listConnections: () => call("list_connections"),
  /** @param {ConnectionInput} connection @param {string} [secret] @returns {Promise<Connection>} */
  saveConnection: (connection, secret) =>
    call("save_connection", secret ? { connection, secret } : { connection }),
  /** @param {string} id @returns {Promise<null>} */
  deleteConnection: (id) => call("delete_connection", { id }),
  /** @param {string} connectionId @returns {Promise<import('./types.js').TestResult>} */
  testSavedConnection: (connectionId) => call("test_connection", { connectionId }),
  /** @param {ConnectionInput} connection (Rust's ConnectionInput: `name` is required, `id` ignored) @param {string} secret @returns {Promise<TestResult>} */
  testNewConnection: (connection, secret) => call("test_connection", { connection, secret }),
  /** @returns {Promise<DemoResult>} */
  startDemo: () => call("start_demo"),

  /** @returns {Promise<QueryProfile[]>} */
  listProfiles: () => call("list_profiles"),
  /** @param {QueryProfile} profile @returns {Promise<QueryProfile>} */
  // A new profile has no id yet and may leave strategy/folder out: the backend fills them in
  // (serde defaults), which the generated answer type cannot say.
  saveProfile: (profile) => call("save_profile", { profile: /** @type {any} */ (profile) }),
  /** @param {string} id @returns {Promise<null>} */
  deleteProfile: (id) => call("delete_profile", { id }),
  /** @param {string[]} [ids] @returns {Promise<ProfilesExported>} */
  exportProfiles: (ids) => call("export_profiles", ids ? { ids } : {}),
  /** @returns {Promise<ProfilesImported>} */
  importProfiles: () => call("import_profiles"),

  /** @param {string} connectionId @param {EntityKind} kind @param {string} [search] @returns {Promise<EntityList>} */
  listEntities: (connectionId, kind, search) =>
    call("list_entities", search ? { connectionId, kind, search } : { connectionId, kind }),
  /** @param {Grain} grain @returns {Promise<ColumnInfo[]>} */
  listColumns: (grain) => call("list_columns", { grain }),
  /** @param {string} profileId @returns {Promise<PreviewResult>} */
  preview: (profileId) => call("preview", { profileId }),

  /**
   * Start an export: the backend shows the save dialog first, then runs it.
   * @param {{runId: string, profileId: string, onEvent: (e: ExportEvent) => void}} p
   * @returns {Promise<RunResult>}
   */
  startExport: ({ runId, profileId, onEvent }) =>
    call("start_export", { runId, profileId, onProgress: channel(onEvent) }),
  /** @param {string} runId @returns {Promise<boolean>} */
  cancelExport: (runId) => call("cancel_export", { runId }),
  /** @returns {Promise<HistoryEntry[]>} */
  listHistory: () => call("list_history"),
  /** @returns {Promise<HistoryEntry[]>} */
  pendingResumes: () => call("pending_resumes"),
  /** @param {string} runId @param {(e: ExportEvent) => void} onEvent @returns {Promise<RunResult>} */
  resumeExport: (runId, onEvent) => call("resume_export", { runId, onProgress: channel(onEvent) }),
  /** @param {string} runId @returns {Promise<null>} */
  discardResume: (runId) => call("discard_resume", { runId }),
  /** @param {string} path @returns {Promise<null>} */
  openFile: (path) => call("open_file", { path }),
  /** @param {string} path @returns {Promise<null>} */
  showInFolder: (path) => call("show_in_folder", { path }),
  /** @returns {Promise<Settings>} */
  getSettings: () => call("get_settings"),
  /** @param {Settings} settings @returns {Promise<Settings>} */
  saveSettings: (settings) => call("save_settings", { settings }),
};
