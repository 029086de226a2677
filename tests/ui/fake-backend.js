// Browser-side fake of the Rust commands (docs/ipc.md), loaded before ui/main.js by the test
// server. It sets `window.__TAURI__ = { core }` as `withGlobalTauri` does in the app, and answers
// `invoke` through @tauri-apps/api's mockIPC. Tests steer it through `window.__fake`.
//
// window.__FAKE_CONFIG__ (set with page.addInitScript) chooses the starting data:
//   scenario: "empty" (first run) | "home" (a connection, two profiles, history)
//   notices: string[]; resume: bool (one interrupted run); dialog: "accept" | "cancel";
//   fail: {command: ApiError} rejects that command; exportMode: "manual" | "auto";
//   longRange: {days, message} sent (like Rust) before the save dialog of every export;
//   dialogMs: how long the save dialog stays open (default 60).
import * as core from "/__tauri/core.js";
import { mockIPC } from "/__tauri/mocks.js";

const cfg = Object.assign({ scenario: "home", notices: [], resume: false, dialog: "accept", fail: {}, exportMode: "manual",
  longRange: null, dialogMs: 60 },
  window.__FAKE_CONFIG__ ?? {});

const REGIONS = [
  { key: "us_east_1", awsRegion: "us-east-1", domain: "mypurecloud.com", name: "Americas (US East)" },
  { key: "eu_west_1", awsRegion: "eu-west-1", domain: "mypurecloud.ie", name: "EMEA (Dublin)" },
  { key: "eu_west_2", awsRegion: "eu-west-2", domain: "euw2.pure.cloud", name: "EMEA (London)" },
  { key: "eu_central_1", awsRegion: "eu-central-1", domain: "mypurecloud.de", name: "EMEA (Frankfurt)" },
  { key: "ap_southeast_2", awsRegion: "ap-southeast-2", domain: "mypurecloud.com.au", name: "Asia Pacific (Sydney)" },
];

const ENTITIES = {
  queue: ["Sales", "Sales Outbound", "Support", "Support Premium", "Billing", "Retention", "Complaints", "Technical Help"],
  user: ["Alice Martin", "Bruno Costa", "Chloé Dubois", "Daniel Okafor", "Emma Schmidt", "Fatima Rahman"],
  wrap_up_code: ["Sale made", "No sale", "Callback requested", "Complaint resolved", "Transferred"],
  division: ["Home", "Europe", "Americas"],
};
const entityList = (kind) => (ENTITIES[kind] ?? []).map((name, i) => ({ id: `${kind}-${i + 1}`, name }));

const COLUMNS = {
  conversation: [
    ["conversationId", "Conversation ID", "The Genesys id of the conversation", false],
    ["start", "Start", "When the conversation started", true],
    ["end", "End", "When it ended", true],
    ["mediaType", "Media type", "Voice, chat, email…", true],
    ["direction", "Direction", "Inbound or outbound", true],
    ["queue", "Queue", "The first queue it entered", true],
    ["agent", "Agent", "The agent who handled it", true],
    ["wrapUp", "Wrap-up code", "What the agent chose after it", true],
    ["talkTime", "Talk time", "Time spent talking", false],
    ["holdTime", "Hold time", "Time on hold", false],
    ["ani", "Caller number", "The customer's phone number", false],
  ],
};
const KIND_OF = { start: "date_time", end: "date_time", talkTime: "duration", holdTime: "duration", duration: "duration" };
const columnsFor = (grain) => (COLUMNS[grain] ?? [
  ["conversationId", "Conversation ID", "The Genesys id of the conversation", true],
  ["participant", "Participant", "Customer, IVR, agent…", true],
  ["start", "Start", `When the ${grain} started`, true],
  ["duration", "Duration", `How long the ${grain} lasted`, true],
  ["queue", "Queue", "Queue", false],
]).map(([id, header, definition, def]) => ({ id, header, definition, default: def, kind: KIND_OF[id] ?? "text" }));

const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
const emptyFilters = () => ({ queueIds: [], mediaTypes: [], directions: [], userIds: [], wrapUpCodes: [], divisionIds: [] });
const options = (o = {}) => Object.assign({ grain: "conversation", columns: [], format: "xlsx", timeZone: tz,
  durationFormat: "seconds", includeIds: false, csvDelimiter: "comma", csvBom: true }, o);

let seq = 100;
const id = (p) => `${p}-${++seq}`;
const clone = (x) => JSON.parse(JSON.stringify(x));

const state = {
  connections: [], profiles: [], history: [], resumes: [],
  settings: { defaultFolder: "/home/sup/Documents/Exports", timeZone: tz, csvDelimiter: "comma", csvBom: true, lastUsedFolder: "/home/sup/Desktop" },
  calls: [], runs: {}, lastRunId: null,
};

function seedHome() {
  state.connections.push({ id: "conn-1", name: "Contact centre", environment: "mypurecloud.ie", clientId: "3f1c2b7a-0d2e-4b8e-9c1a-22aa55bb0001", isDemo: false, hasSecret: !cfg.noSecret });
  state.profiles.push(
    { id: "prof-1", name: "Sales calls last week", connectionId: "conn-1", range: { kind: "preset", preset: "last_week" }, timeZone: "Europe/London",
      filters: { ...emptyFilters(), queueIds: ["queue-1", "queue-2"], mediaTypes: ["voice"], directions: ["inbound"] },
      options: options({ timeZone: "Europe/London", columns: ["start", "queue", "agent", "wrapUp", "talkTime"] }), folder: null,
      fileNameTemplate: "{profile} {from} to {to}" },
    { id: "prof-2", name: "Support chats yesterday", connectionId: "conn-1", range: { kind: "preset", preset: "yesterday" }, timeZone: tz,
      filters: { ...emptyFilters(), mediaTypes: ["chat", "message"], queueIds: ["queue-3"] },
      options: options({ format: "csv", csvDelimiter: "semicolon" }), folder: null, fileNameTemplate: "{profile} {from}" });
  if (cfg.exactTimes) {
    state.profiles.push({ id: "prof-3", name: "Night shift", connectionId: "conn-1", range: { kind: "fixed_date_times", from: "2026-11-20T22:00:00", to: "2026-11-21T06:00:00" },
      timeZone: "Europe/London", filters: emptyFilters(), options: options(), folder: "/home/sup/Night", fileNameTemplate: "{profile} {from}" });
  }
  state.history.push(
    { runId: "run-old-1", profileId: "prof-1", profileName: "Sales calls last week", from: "2026-11-09T00:00:00Z", to: "2026-11-16T00:00:00Z",
      status: "done", rows: 4210, conversations: 4210, durationMs: 83000, path: "/home/sup/Documents/Exports/Sales calls last week 2026-11-09 to 2026-11-15.xlsx", error: null, startedAt: "2026-11-23T08:02:11Z" },
    { runId: "run-old-2", profileId: "prof-2", profileName: "Support chats yesterday", from: "2026-11-22T00:00:00Z", to: "2026-11-23T00:00:00Z",
      status: "failed", rows: 0, conversations: 0, durationMs: 2100, path: "", error: { kind: "auth", message: "Genesys Cloud rejected the client credentials (401)." }, startedAt: "2026-11-23T08:05:40Z" },
    { runId: "run-old-3", profileId: "prof-1", profileName: "Sales calls last week", from: "2026-11-02T00:00:00Z", to: "2026-11-09T00:00:00Z",
      status: "cancelled", rows: 0, conversations: 1200, durationMs: 21000, path: "", error: null, startedAt: "2026-11-16T09:15:00Z" });
  if (cfg.resume) {
    const r = { runId: "run-int-1", profileId: "prof-1", profileName: "Sales calls last week", from: "2026-11-16T00:00:00Z", to: "2026-11-23T00:00:00Z",
      status: "interrupted", rows: 1800, conversations: 1800, durationMs: 40000, path: "/home/sup/Documents/Exports/Sales calls last week 2026-11-16 to 2026-11-22.xlsx", error: null, startedAt: "2026-11-24T07:58:00Z" };
    state.history.push(r);
    state.resumes.push(r);
  }
}
if (cfg.scenario === "home") seedHome();

const invalid = (field, message) => ({ kind: "invalid_input", field, message });

/** Like genesys_core's Environment::parse: a region domain, or an https URL (http only on loopback). */
function checkEnvironment(env) {
  if (!env.includes("://")) {
    if (!REGIONS.some((r) => r.domain === env)) throw invalid("environment", `"${env}" is not a Genesys Cloud region.`);
    return;
  }
  let url;
  try { url = new URL(env); } catch { throw invalid("environment", `"${env}" is not a valid address. Use e.g. https://api.mypurecloud.com.`); }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    throw invalid("environment", `"${env}" is not secure. Genesys Cloud addresses must start with https:// (plain http is only allowed for this computer).`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid("environment", `"${env}" is not a valid address. Use e.g. https://api.mypurecloud.com.`);
}
const lastRunOf = (pid) => [...state.history].filter((h) => h.profileId === pid).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))[0] ?? null;

function send(run, message) {
  window.__TAURI_INTERNALS__.runCallback(run.channelId, { index: run.index++, message });
}

function endRun(run, status, extra = {}) {
  run.ended = true;
  const p = state.profiles.find((x) => x.id === run.profileId);
  state.history.push({ runId: run.runId, profileId: run.profileId, profileName: p?.name ?? "", from: "2026-11-16T00:00:00Z", to: "2026-11-23T00:00:00Z",
    status, rows: extra.rows ?? 0, conversations: extra.conversations ?? 0, durationMs: extra.durationMs ?? 1000,
    path: extra.path ?? "", error: extra.error ?? null, startedAt: new Date().toISOString() });
}

function startRun(args, resumed) {
  const runId = args.runId;
  const prof = state.profiles.find((p) => p.id === args.profileId) ?? state.profiles.find((p) => p.id === state.resumes.find((r) => r.runId === runId)?.profileId);
  const run = { runId, profileId: prof?.id, channelId: args.onProgress.id, index: 0, ended: false, resolve: null, reject: null,
    destination: args.destination ?? `/home/sup/Documents/Exports/${prof?.name ?? "export"} 2026-11-16 to 2026-11-22.${prof?.options.format ?? "xlsx"}` };
  state.runs[runId] = run;
  state.lastRunId = runId;
  return new Promise((resolve, reject) => {
    run.resolve = resolve;
    run.reject = reject;
    if (cfg.longRange && !resumed) setTimeout(() => send(run, { event: "longRange", data: cfg.longRange }), 0);
    setTimeout(() => {
      if (cfg.dialog === "cancel" && !resumed) {
        run.ended = true;
        resolve({ status: "cancelled", summary: null });
        return;
      }
      send(run, { event: "started", data: { runId, destination: run.destination, from: "2026-11-16T00:00:00Z", to: "2026-11-23T00:00:00Z" } });
      if (cfg.exportMode === "auto") auto(run);
    }, resumed ? 60 : cfg.dialogMs);
  });
}

function auto(run) {
  let n = 0;
  const t = setInterval(() => {
    if (run.ended) { clearInterval(t); return; }
    n += 1;
    if (n <= 4) fake.progress({ percent: n * 25, conversations: n * 250 }, run.runId);
    else { clearInterval(t); fake.finish({}, run.runId); }
  }, 80);
}

const fake = {
  state, cfg,
  /** Calls so far, with the Channel replaced by "<channel>". */
  callsOf(cmd) {
    return state.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
  },
  run(runId) { return state.runs[runId ?? state.lastRunId]; },
  progress(data = {}, runId) {
    const run = fake.run(runId);
    send(run, { event: "progress", data: Object.assign({ phase: "fetching", percent: null, conversations: 0, rows: 0,
      estimatedTotal: null, etaSeconds: null, window: null, message: "Fetching conversations", waitSeconds: null }, data) });
  },
  queued(message = "Another export on the same connection is running; this one will start right after it.", runId) {
    send(fake.run(runId), { event: "queued", data: { message } });
  },
  finish(summary = {}, runId) {
    const run = fake.run(runId);
    const s = Object.assign({ rows: 4321, conversations: 4000, path: run.destination, bytes: 1289000, durationMs: 127000, warnings: [] }, summary);
    send(run, { event: "finished", data: { summary: s } });
    endRun(run, "done", s);
    run.resolve({ status: "done", summary: s });
  },
  fail(error, runId) {
    const run = fake.run(runId);
    send(run, { event: "failed", data: { error } });
    endRun(run, "failed", { error });
    run.reject(error);
  },
};
window.__fake = fake;

function handle(cmd, args = {}) {
  switch (cmd) {
    case "app_info":
      return { version: "0.1.0", logDir: "/home/sup/.local/share/com.genesysexport.desktop/logs", configDir: "/home/sup/.config/com.genesysexport.desktop", notices: cfg.notices };
    case "list_regions": return clone(REGIONS);
    case "list_connections": return clone(state.connections);
    case "save_connection": {
      const c = args.connection;
      checkEnvironment(c.environment);
      if (state.connections.some((x) => x.name === c.name && x.id !== c.id)) throw invalid("name", "A connection with this name already exists. Choose another name.");
      if (!/^[0-9a-zA-Z-]{8,}$/.test(c.clientId)) throw invalid("clientId", "This does not look like a client ID: it has letters, digits and dashes, like 3f1c2b7a-0d2e-….");
      const existing = state.connections.find((x) => x.id === c.id);
      if (existing) { Object.assign(existing, { name: c.name, environment: c.environment, clientId: c.clientId }); if (args.secret) existing.hasSecret = true; return clone(existing); }
      if (!args.secret) throw invalid("secret", "Enter the client secret.");
      const created = { id: id("conn"), name: c.name, environment: c.environment, clientId: c.clientId, isDemo: false, hasSecret: true };
      state.connections.push(created);
      return clone(created);
    }
    case "delete_connection": state.connections = state.connections.filter((c) => c.id !== args.id); return null;
    case "test_connection": {
      if (args.connectionId) return { ok: true, message: "Connected. This client can read conversation details." };
      // Like Tauri deserialising Rust's ConnectionInput: `name` is a required field.
      if (typeof args.connection?.name !== "string") throw { kind: "internal", message: "invalid args `connection` for command `test_connection`: missing field `name`" };
      checkEnvironment(args.connection.environment);
      if (args.secret === "wrong") return { ok: false, message: "The secret is wrong. Check it with your Genesys Cloud administrator." };
      return { ok: true, message: "Connected. This client can read conversation details." };
    }
    case "start_demo": {
      let demo = state.connections.find((c) => c.isDemo);
      if (!demo) {
        demo = { id: "conn-demo", name: "Demo organization", environment: "http://127.0.0.1:4010", clientId: "demo-client", isDemo: true, hasSecret: false };
        state.connections.push(demo);
        state.profiles.push(
          { id: "demo-1", name: "Demo: all calls last week", connectionId: demo.id, range: { kind: "preset", preset: "last_week" }, timeZone: tz,
            filters: { ...emptyFilters(), mediaTypes: ["voice"] }, options: options(), folder: null, fileNameTemplate: "{profile} {from} to {to}" },
          { id: "demo-2", name: "Demo: chats today", connectionId: demo.id, range: { kind: "preset", preset: "today" }, timeZone: tz,
            filters: { ...emptyFilters(), mediaTypes: ["chat"] }, options: options({ format: "csv" }), folder: null, fileNameTemplate: "{profile} {from}" });
      }
      return { connection: clone(demo), profiles: clone(state.profiles.filter((p) => p.connectionId === demo.id)) };
    }
    case "list_profiles": return clone(state.profiles.map((p) => ({ ...p, lastRun: lastRunOf(p.id) })));
    case "save_profile": {
      const p = clone(args.profile);
      delete p.lastRun;
      if (state.profiles.some((x) => x.name.toLowerCase() === p.name.toLowerCase() && x.id !== p.id)) throw invalid("name", "Another profile already has this name. Choose another name.");
      if (p.range.kind === "fixed" && p.range.from > "2026-11-26") throw invalid("from", "The first day is in the future.");
      if (!p.id) { p.id = id("prof"); state.profiles.push(p); } else state.profiles = state.profiles.map((x) => (x.id === p.id ? p : x));
      return clone(p);
    }
    case "delete_profile": state.profiles = state.profiles.filter((p) => p.id !== args.id); return null;
    case "export_profiles": return { path: "/home/sup/Documents/profiles.genesys-export.json", count: state.profiles.length };
    case "import_profiles": return cfg.importCancelled ? { imported: 0, skipped: [] } : { imported: 1, skipped: ["“Sales calls last week” was not imported: a profile with that name exists."] };
    case "list_entities": {
      const q = (args.search ?? "").toLowerCase();
      return entityList(args.kind).filter((e) => e.name.toLowerCase().includes(q));
    }
    case "list_columns": return columnsFor(args.grain);
    case "preview": {
      const p = state.profiles.find((x) => x.id === args.profileId);
      const cols = columnsFor(p.options.grain);
      const chosen = p.options.columns.length ? p.options.columns : cols.filter((c) => c.default).map((c) => c.id);
      const headers = chosen.map((cid) => cols.find((c) => c.id === cid)?.header ?? cid);
      const rows = Array.from({ length: 12 }, (_, i) => chosen.map((cid) => ({
        start: `2026-11-1${6 + (i % 4)} 0${8 + (i % 2)}:${String(10 + i).padStart(2, "0")}`, end: `2026-11-1${6 + (i % 4)} 09:${String(20 + i).padStart(2, "0")}`,
        mediaType: "voice", direction: "inbound", queue: ENTITIES.queue[i % 3], agent: ENTITIES.user[i % 6], wrapUp: ENTITIES.wrap_up_code[i % 5],
        talkTime: String(120 + i * 7), holdTime: "0", ani: "+44 20 7946 0" + String(100 + i), conversationId: `c0ffee${i}-aaaa-bbbb-cccc-${String(i).padStart(12, "0")}`,
      })[cid] ?? `${cid} ${i + 1}`));
      return { columns: headers, rows, estimatedTotal: cfg.previewTotal === undefined ? 4321 : cfg.previewTotal, from: "2026-11-16T00:00:00Z", to: "2026-11-23T00:00:00Z" };
    }
    case "start_export": return startRun(args, false);
    case "resume_export": return startRun(args, true);
    case "cancel_export": {
      const run = state.runs[args.runId];
      if (!run || run.ended) return false;
      setTimeout(() => {
        send(run, { event: "cancelled", data: {} });
        endRun(run, "cancelled");
        run.resolve({ status: "cancelled", summary: null });
      }, 50);
      return true;
    }
    case "list_history": return clone(state.history);
    case "pending_resumes": return clone(state.resumes);
    case "discard_resume": state.resumes = state.resumes.filter((r) => r.runId !== args.runId); return null;
    case "open_file": case "show_in_folder": return null;
    case "get_settings": return clone(state.settings);
    case "save_settings": {
      const s = args.settings;
      if (s.defaultFolder && !s.defaultFolder.startsWith("/")) throw invalid("defaultFolder", "Use a full folder path, starting with /.");
      state.settings = clone(s);
      return clone(s);
    }
    default:
      throw { kind: "internal", message: `fake backend: unknown command ${cmd}` };
  }
}

mockIPC(async (cmd, args) => {
  const recorded = {};
  for (const [k, v] of Object.entries(args ?? {})) recorded[k] = v instanceof core.Channel ? "<channel>" : clone(v);
  state.calls.push({ cmd, args: recorded });
  if (cfg.fail[cmd]) throw cfg.fail[cmd];
  await new Promise((r) => setTimeout(r, 5));
  return handle(cmd, args);
});

window.__TAURI__ = { core };
