// JSDoc types for every payload that crosses IPC (contract: docs/ipc.md).
//
// When the Rust structs export their TypeScript types (ts-rs) into ui/bindings/,
// replace a hand-written typedef here by an import, for example:
//   /** @typedef {import('./bindings/Region').Region} Region */
// Every other module imports its types from this file only, so that swap is local.

/**
 * @typedef {"auth"|"permission"|"rate_limited"|"bad_request"|"not_found"|"server"|"network"|
 *   "cancelled"|"invalid_input"|"io"|"keychain"|"storage"|"internal"} ErrorKind
 */

/** A rejected command: `{kind, message, field?}`. @typedef {{kind: ErrorKind, message: string, field?: string|null}} ApiError */

/** @typedef {{version: string, logDir: string, configDir: string, notices: string[]}} AppInfo */

/** @typedef {{key: string, awsRegion: string, domain: string, name: string}} Region */

/**
 * A saved connection. `environment` is the region domain (e.g. `mypurecloud.ie`) or a base URL.
 * @typedef {{id: string, name: string, environment: string, clientId: string, isDemo: boolean, hasSecret: boolean}} Connection
 */

/** What `save_connection` / `test_connection` take (no secret in here). @typedef {{id?: string, name: string, environment: string, clientId: string}} ConnectionInput */

/** @typedef {{ok: boolean, message: string}} TestResult */

/** @typedef {{connection: Connection, profiles: QueryProfile[]}} DemoResult */

/**
 * @typedef {"today"|"yesterday"|"this_week"|"last_week"|"last_7_days"|"this_month"|"last_month"|"last_30_days"} Preset
 */

/**
 * The date range of a profile: a preset relative to now (in the profile's time zone),
 * fixed whole days `from`..`to` (both inclusive, `YYYY-MM-DD`), or exact local date-times
 * (`YYYY-MM-DDTHH:MM:SS`, `to` excluded; made by the CLI or by hand, kept as is by the editor).
 * @typedef {{kind: "preset", preset: Preset} | {kind: "fixed", from: string, to: string}
 *   | {kind: "fixed_date_times", from: string, to: string}} DateRange
 */

/**
 * Each list is OR-ed within itself; the lists are AND-ed. Empty = no filter.
 * @typedef {{queueIds: string[], mediaTypes: string[], directions: string[], userIds: string[],
 *   wrapUpCodes: string[], divisionIds: string[]}} Filters
 */

/** @typedef {"conversation"|"participant"|"session"|"segment"} Grain */
/** @typedef {"xlsx"|"csv"|"jsonl"} Format */
/** @typedef {"comma"|"semicolon"} Delimiter */
/** @typedef {"seconds"|"hms"} DurationFormat */
/** @typedef {"auto"|"sync"|"async"} Strategy */

/**
 * @typedef {{grain: Grain, columns: string[], format: Format, timeZone: string,
 *   durationFormat: DurationFormat, includeIds: boolean, csvDelimiter: Delimiter, csvBom: boolean}} ExportOptions
 */

/**
 * A saved query profile. The UI keeps `timeZone` and `options.timeZone` equal.
 * `lastRun` comes with `list_profiles` only.
 * @typedef {{id?: string, name: string, connectionId: string, range: DateRange, timeZone: string,
 *   filters: Filters, strategy?: Strategy, options: ExportOptions, folder?: string|null,
 *   fileNameTemplate: string, lastRun?: HistoryEntry|null}} QueryProfile
 */

/** @typedef {"running"|"done"|"failed"|"cancelled"|"interrupted"} HistoryStatus */

/**
 * @typedef {{runId: string, profileId: string, profileName: string, connectionId?: string, from: string, to: string,
 *   status: HistoryStatus, rows: number, conversations: number, durationMs: number, path: string,
 *   error?: ApiError|string|null, startedAt: string}} HistoryEntry
 */

/** @typedef {"queue"|"user"|"wrap_up_code"|"division"} EntityKind */
/** @typedef {{id: string, name: string}} Entity */

/** @typedef {"text"|"number"|"date_time"|"duration"|"bool"} ValueKind */
/** @typedef {{id: string, header: string, definition: string, default: boolean, kind?: ValueKind}} ColumnInfo */

/** @typedef {{columns: string[], rows: string[][], estimatedTotal: number|null, from: string, to: string}} PreviewResult */

/** @typedef {{rows: number, conversations: number, path: string, bytes: number, durationMs: number, warnings: string[]}} RunSummary */

/** @typedef {{status: "done"|"cancelled", summary?: RunSummary|null}} RunResult */

/** @typedef {"connecting"|"fetching"|"waiting"|"writing"|"finishing"} Phase */

/**
 * @typedef {{phase: Phase, percent: number|null, conversations: number, rows: number,
 *   estimatedTotal: number|null, etaSeconds: number|null, window: {index: number, count: number}|null,
 *   message: string, waitSeconds: number|null}} Progress
 */

/**
 * One message on the export's Channel.
 * @typedef {{event: "started", data: {runId: string, destination: string, from: string, to: string}}
 *   | {event: "progress", data: Progress}
 *   | {event: "queued", data: {message: string}}
 *   | {event: "finished", data: {summary: RunSummary}}
 *   | {event: "failed", data: {error: ApiError}}
 *   | {event: "cancelled", data: {}}} ExportEvent
 */

/**
 * `lastUsedFolder` is kept by the backend (the last export's folder); the UI sends it back unchanged.
 * @typedef {{defaultFolder?: string|null, timeZone: string, csvDelimiter: Delimiter, csvBom: boolean,
 *   lastUsedFolder?: string|null}} Settings
 */

/** @typedef {{path: string, count: number}} ProfilesExported */
/** @typedef {{imported: number, skipped: string[]}} ProfilesImported */

export {};
