// Export runs in progress or just ended, kept here so a run survives navigating away from
// its progress page. One record per runId; views subscribe to changes.
import { api, newRunId, toApiError } from "./api.js";

/** @typedef {import('./types.js').ExportEvent} ExportEvent */
/** @typedef {import('./types.js').Progress} Progress */
/** @typedef {import('./types.js').RunSummary} RunSummary */
/** @typedef {import('./types.js').ApiError} ApiError */

/**
 * @typedef {"choosing"|"queued"|"running"|"cancelling"|"done"|"failed"|"cancelled"|"not_started"} RunState
 * "choosing": the save dialog is open; "not_started": the dialog was closed without a file.
 */

/**
 * @typedef {{runId: string, profileId: string, profileName: string, state: RunState,
 *   destination: string|null, from: string|null, to: string|null, progress: Progress|null,
 *   queuedMessage: string|null, waitUntil: number|null, summary: RunSummary|null, error: ApiError|null,
 *   startedAt: number, resumed: boolean, longRange: string|null}} Run
 * `longRange`: the backend's notice that the range is longer than a month and how long it may take.
 */

/** @type {Map<string, Run>} */
const runs = new Map();
/** @type {Set<(run: Run) => void>} */
const listeners = new Set();

const ENDED = new Set(["done", "failed", "cancelled", "not_started"]);

/** @param {Run} run */
export const isActive = (run) => !ENDED.has(run.state);

/** @param {Run} run */
function changed(run) {
  for (const l of [...listeners]) l(run);
}

/** @param {(run: Run) => void} fn @returns {() => void} unsubscribe */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** @param {string} runId */
export const getRun = (runId) => runs.get(runId) ?? null;

/** The active run of a profile, if any. @param {string} profileId */
export function activeRunFor(profileId) {
  for (const r of runs.values()) if (r.profileId === profileId && isActive(r)) return r;
  return null;
}

/**
 * Apply one Channel message to a run. How the run ended is not a message: it is the answer of
 * start_export/resume_export (see `track`).
 * @param {Run} run @param {ExportEvent} ev
 */
function onEvent(run, ev) {
  if (ENDED.has(run.state)) return;
  switch (ev.event) {
    case "longRange":
      run.longRange = ev.data.message;
      break;
    case "started":
      run.destination = ev.data.destination;
      run.from = ev.data.from;
      run.to = ev.data.to;
      if (run.state !== "cancelling") run.state = "running";
      break;
    case "queued":
      run.queuedMessage = ev.data.message;
      if (run.state !== "cancelling") run.state = "queued";
      break;
    case "progress":
      run.progress = ev.data;
      run.queuedMessage = null;
      run.waitUntil = ev.data.waitSeconds ? Date.now() + ev.data.waitSeconds * 1000 : null;
      if (run.state !== "cancelling") run.state = "running";
      break;
  }
  changed(run);
}

/**
 * The run's outcome, reported once: the command's answer (done with its summary, or cancelled),
 * or its rejection (failed).
 * @param {Run} run
 * @param {Promise<import('./types.js').RunResult>} result
 */
function track(run, result) {
  result.then((res) => {
    if (ENDED.has(run.state)) return;
    if (res.status === "done") {
      run.state = "done";
      if (res.summary) run.summary = res.summary;
    } else {
      // Cancelled before anything started means the save dialog was closed.
      run.state = run.destination || run.progress ? "cancelled" : "not_started";
    }
    changed(run);
  }, (e) => {
    if (ENDED.has(run.state)) return;
    const err = toApiError(e);
    run.state = err.kind === "cancelled" ? "cancelled" : "failed";
    run.error = err;
    changed(run);
  });
}

/**
 * @param {{profileId: string, profileName: string, resumed?: boolean}} p
 * @returns {Run}
 */
function newRun({ profileId, profileName, resumed }) {
  return {
    runId: newRunId(), profileId, profileName, state: "choosing", destination: null, from: null, to: null,
    progress: null, queuedMessage: null, waitUntil: null, summary: null, error: null,
    startedAt: Date.now(), resumed: !!resumed, longRange: null,
  };
}

/**
 * Start exporting a profile (the backend asks where to save first).
 * @param {{id: string, name: string}} profile
 * @returns {Run}
 */
export function startRun(profile) {
  const run = newRun({ profileId: profile.id, profileName: profile.name });
  runs.set(run.runId, run);
  track(run, api.startExport({ runId: run.runId, profileId: profile.id, onEvent: (ev) => onEvent(run, ev) }));
  return run;
}

/**
 * Resume an interrupted run from its checkpoint.
 * @param {import('./types.js').HistoryEntry} entry
 * @returns {Run}
 */
export function resumeRun(entry) {
  const run = newRun({ profileId: entry.profileId, profileName: entry.profileName, resumed: true });
  run.runId = entry.runId;
  run.state = "running";
  run.destination = entry.path || null;
  run.from = entry.from;
  run.to = entry.to;
  runs.set(run.runId, run);
  track(run, api.resumeExport(entry.runId, (ev) => onEvent(run, ev)));
  return run;
}

/** Ask the backend to stop a run. @param {Run} run */
export async function cancelRun(run) {
  if (!isActive(run)) return;
  run.state = "cancelling";
  changed(run);
  try {
    await api.cancelExport(run.runId);
  } catch (e) {
    run.error = toApiError(e);
    changed(run);
  }
}
