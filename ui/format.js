// Plain-language formatting: numbers, durations, dates, file sizes, error explanations.

/** @typedef {import('./types.js').ApiError} ApiError */
/** @typedef {import('./types.js').Preset} Preset */
/** @typedef {import('./types.js').DateRange} DateRange */

const nf = new Intl.NumberFormat();

/** "1,234" @param {number} n */
export const num = (n) => nf.format(n);

/** "1 row" / "1,234 rows" @param {number} n @param {string} one @param {string} many */
export const plural = (n, one, many) => `${num(n)} ${n === 1 ? one : many}`;

/** A duration in plain words: "45 s", "2 min 3 s", "1 h 5 min". @param {number} ms */
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const hrs = Math.floor(m / 60);
  return m % 60 ? `${hrs} h ${m % 60} min` : `${hrs} h`;
}

/** Time left in words. @param {number|null} seconds */
export function eta(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return "Working out how long this takes…";
  if (seconds < 60) return "Less than a minute left";
  const m = Math.round(seconds / 60);
  if (m < 60) return `About ${m} ${m === 1 ? "minute" : "minutes"} left`;
  const hrs = Math.floor(m / 60);
  const rest = m % 60;
  return `About ${hrs} ${hrs === 1 ? "hour" : "hours"}${rest ? ` ${rest} min` : ""} left`;
}

/** "1.2 MB" @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** @param {string|Date} d @param {Intl.DateTimeFormatOptions} opts @param {string} [timeZone] */
function fmt(d, opts, timeZone) {
  const date = typeof d === "string" ? new Date(d) : d;
  if (isNaN(date.getTime())) return String(d);
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, opts).format(date);
  }
}

/** "24 Nov 2026, 09:12" @param {string} iso */
export const dateTime = (iso) => fmt(iso, { dateStyle: "medium", timeStyle: "short" });

/** A plain day "2026-11-16" as "16 Nov 2026" (no time zone shift). @param {string} day */
export function day(day) {
  const [y, m, d] = day.split("-").map(Number);
  return fmt(new Date(Date.UTC(y, m - 1, d)), { dateStyle: "medium" }, "UTC");
}

/**
 * The days covered by `[from, to)` (RFC 3339 instants, or inclusive plain days) in words.
 * @param {string} from @param {string} to @param {string} [timeZone]
 */
export function range(from, to, timeZone) {
  if (!from || !to) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to)) {
    return from === to ? day(from) : `${day(from)} – ${day(to)}`;
  }
  const start = new Date(from);
  const lastInstant = new Date(new Date(to).getTime() - 1000);
  const a = fmt(start, { dateStyle: "medium" }, timeZone);
  const b = fmt(lastInstant, { dateStyle: "medium" }, timeZone);
  return a === b ? a : `${a} – ${b}`;
}

/** @type {Array<{value: Preset, label: string}>} */
export const PRESETS = [
  { value: "today", label: "Today" },
  { value: "yesterday", label: "Yesterday" },
  { value: "this_week", label: "This week" },
  { value: "last_week", label: "Last week" },
  { value: "last7_days", label: "Last 7 days" },
  { value: "this_month", label: "This month" },
  { value: "last_month", label: "Last month" },
  { value: "last30_days", label: "Last 30 days" },
];

/** @param {DateRange} r */
export function rangeLabel(r) {
  if (!r) return "";
  if (r.kind === "preset") return PRESETS.find((p) => p.value === r.preset)?.label ?? r.preset;
  return range(r.from, r.to);
}

export const FORMATS = {
  xlsx: { label: "Excel workbook", ext: "xlsx" },
  csv: { label: "CSV file", ext: "csv" },
  jsonl: { label: "Raw JSON lines", ext: "jsonl" },
};

export const MEDIA = [
  { value: "voice", label: "Voice calls" },
  { value: "chat", label: "Chat" },
  { value: "email", label: "Email" },
  { value: "message", label: "Messaging (SMS, web, social)" },
  { value: "callback", label: "Callbacks" },
];

export const DIRECTIONS = [
  { value: "inbound", label: "Inbound (customers contacting you)" },
  { value: "outbound", label: "Outbound (your team contacting customers)" },
];

/** @type {Record<string, {title: string, next: string}>} */
const EXPLAIN = {
  auth: { title: "Genesys Cloud did not accept the sign-in.", next: "Check the client ID and client secret in Connections. The secret may have been changed or may have expired." },
  permission: { title: "The Genesys Cloud client is missing a permission.", next: "Ask your Genesys Cloud administrator to add the permission {perm} to the OAuth client's role, then try again." },
  rate_limited: { title: "Genesys Cloud is very busy and kept asking us to wait.", next: "Try again in a few minutes, or export a shorter date range." },
  bad_request: { title: "Genesys Cloud did not accept the request.", next: "Check the profile's dates and filters. If it keeps happening, send the log file to IT (Help shows where it is)." },
  not_found: { title: "Something this export uses no longer exists in Genesys Cloud.", next: "Edit the profile and check its queues, agents and wrap-up codes." },
  server: { title: "Genesys Cloud had a problem on its side.", next: "Wait a few minutes and try again." },
  network: { title: "We could not reach Genesys Cloud.", next: "Check your internet connection (and VPN, if you use one), then try again." },
  cancelled: { title: "The export was stopped.", next: "Nothing was saved. You can start it again at any time." },
  invalid_input: { title: "Some settings are not valid.", next: "Edit the profile and correct the highlighted fields." },
  io: { title: "The file could not be saved.", next: "Choose another folder (for example Documents), or close the file if it is open in Excel, then try again." },
  keychain: { title: "The client secret could not be read from this computer's keychain.", next: "Make sure you are logged in and your keychain is unlocked, or enter the client secret again in Connections." },
  storage: { title: "A saved settings file could not be read.", next: "The file was set aside, not deleted. Help shows where it is; your IT team can restore it." },
  internal: { title: "Something unexpected went wrong in the app.", next: "Try again. If it happens again, send the log file to IT (Help shows where it is)." },
};

/**
 * A plain explanation and what to do next, for an error.
 * @param {ApiError} err
 * @returns {{title: string, next: string}}
 */
export function explain(err) {
  const e = EXPLAIN[err.kind] ?? EXPLAIN.internal;
  const perm = /([a-zA-Z]+:[a-zA-Z]+:[a-zA-Z]+)/.exec(err.message ?? "")?.[1] ?? "analytics:conversationDetail:view";
  return { title: e.title, next: e.next.replace("{perm}", perm) };
}

/**
 * Opening a file or its folder failed: the backend's message already says what happened in plain
 * words ("… is no longer there. It may have been moved or deleted.").
 * @param {ApiError} err
 */
export function fileActionError(err) {
  return err.message || explain(err).title;
}

/** The system's time zone (IANA name). */
export function systemTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** All IANA time zones the browser knows, with UTC. @returns {string[]} */
export function timeZones() {
  /** @type {string[]} */
  let zones = [];
  try {
    zones = /** @type {any} */ (Intl).supportedValuesOf("timeZone");
  } catch { /* older engine: the system zone and UTC only */ }
  const all = new Set(["UTC", systemTimeZone(), ...zones]);
  return [...all].sort();
}
