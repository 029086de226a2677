// JSDoc types for every payload that crosses IPC (contract: docs/ipc.md).
//
// Where the Rust structs export their TypeScript types (ts-rs, ui/bindings/*.ts, kept fresh by
// tests/ts_bindings.rs), the typedef here is an import of them, so `tsc --checkJs` checks the UI
// against the Rust structs. The rest is hand-written where the UI's view differs on purpose
// (inputs without an id, fields the UI tolerates missing). Every other module imports its types
// from this file only.

/** @typedef {import('./bindings/ErrorKind').ErrorKind} ErrorKind */

/** A rejected command: `{kind, message, field?}`. @typedef {{kind: ErrorKind, message: string, field?: string|null}} ApiError */

/** @typedef {import('./bindings/AppInfo').AppInfo} AppInfo */

/** @typedef {import('./bindings/Region').Region} Region */

/**
 * A saved connection. `environment` is the region domain (e.g. `mypurecloud.ie`) or a base URL.
 * @typedef {import('./bindings/ConnectionView').ConnectionView} Connection
 */

/** What `save_connection` / `test_connection` take (no secret in here). @typedef {import('./bindings/ConnectionInput').ConnectionInput} ConnectionInput */

/** @typedef {import('./bindings/TestResult').TestResult} TestResult */

/** @typedef {{connection: Connection, profiles: QueryProfile[]}} DemoResult */

/** @typedef {import('./bindings/RelativePreset').RelativePreset} Preset */

/**
 * The date range of a profile: a preset relative to now (in the profile's time zone),
 * fixed whole days `from`..`to` (both inclusive, `YYYY-MM-DD`), or exact local date-times
 * (`YYYY-MM-DDTHH:MM:SS`, `to` excluded; made by the CLI or by hand, kept as is by the editor).
 * @typedef {import('./bindings/DateRange').DateRange} DateRange
 */

/**
 * Each list is OR-ed within itself; the lists are AND-ed. Empty = no filter.
 * @typedef {import('./bindings/Filters').Filters} Filters
 */

/** @typedef {import('./bindings/Grain').Grain} Grain */
/** @typedef {import('./bindings/Format').Format} Format */
/** @typedef {import('./bindings/Delimiter').Delimiter} Delimiter */
/** @typedef {import('./bindings/DurationFormat').DurationFormat} DurationFormat */
/** @typedef {import('./bindings/Strategy').Strategy} Strategy */

/** @typedef {import('./bindings/ExportOptions').ExportOptions} ExportOptions */

/**
 * A query profile as the UI edits it: the Rust struct's fields, except that a new profile has no
 * `id` yet and `strategy`/`folder` may be left to the backend's defaults. The UI keeps `timeZone`
 * and `options.timeZone` equal. `lastRun` comes with `list_profiles` only.
 * @typedef {Omit<import('./bindings/QueryProfile').QueryProfile, "id"|"strategy"|"folder"> &
 *   {id?: string, strategy?: Strategy, folder?: string|null, lastRun?: HistoryEntry|null}} QueryProfile
 */

/** @typedef {import('./bindings/HistoryStatus').HistoryStatus} HistoryStatus */

/**
 * @typedef {{runId: string, profileId: string, profileName: string, connectionId?: string, from: string, to: string,
 *   status: HistoryStatus, rows: number, conversations: number, durationMs: number, path: string,
 *   error?: ApiError|string|null, startedAt: string}} HistoryEntry
 */

/** @typedef {"queue"|"user"|"wrap_up_code"|"division"} EntityKind */
/** @typedef {import('./bindings/Entity').Entity} Entity */
/** @typedef {import('./bindings/EntityList').EntityList} EntityList */

/** @typedef {import('./bindings/ValueKind').ValueKind} ValueKind */
/** @typedef {import('./bindings/ColumnInfo').ColumnInfo} ColumnInfo */

/** @typedef {import('./bindings/PreviewResult').PreviewResult} PreviewResult */

/** @typedef {import('./bindings/RunSummary').RunSummary} RunSummary */

/** @typedef {import('./bindings/RunResult').RunResult} RunResult */

/** @typedef {import('./bindings/Phase').Phase} Phase */

/** @typedef {import('./bindings/Progress').Progress} Progress */

/** One message on the export's Channel. @typedef {import('./bindings/ExportEvent').ExportEvent} ExportEvent */

/** `lastUsedFolder` is kept by the backend (the last export's folder); the UI sends it back unchanged.
 * @typedef {import('./bindings/Settings').Settings} Settings */

/** @typedef {import('./bindings/ProfilesExported').ProfilesExported} ProfilesExported */
/** @typedef {import('./bindings/ProfilesImported').ProfilesImported} ProfilesImported */

export {};
