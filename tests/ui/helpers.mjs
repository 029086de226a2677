// Shared test plumbing: a tiny static server for ui/ with the IPC harness injected and the test
// HTTP host (src-tauri/testhost: the real operations against the emulator) behind `/__ipc/`,
// scenarios set up through the real commands, Chromium, screenshots, layout and accessibility checks.
import http from "node:http";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, "../..");
const uiDir = path.join(repo, "ui");
const tauriDir = path.join(repo, "node_modules/@tauri-apps/api");
export const shotsDir = path.join(repo, "target/ui-screenshots");

/** The app's CSP (tauri.conf.json), so a CSP violation fails the tests here too. */
export const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml" };

/** @param {string} base @param {string} rel */
function inside(base, rel) {
  const p = path.resolve(base, "." + path.posix.normalize("/" + rel));
  return p.startsWith(base + path.sep) || p === base ? p : null;
}

/** The test host binary: $TESTHOST_BIN, or built here with cargo (into $CARGO_TARGET_DIR or target/). */
function testhostBin() {
  if (process.env.TESTHOST_BIN) return process.env.TESTHOST_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
  const bin = path.join(target, "debug", "genesys-testhost");
  if (!process.env.TESTHOST_NO_BUILD) {
    const r = spawnSync("cargo", ["build", "--quiet", "-p", "genesys-testhost"], { cwd: repo, stdio: "inherit" });
    if (r.status !== 0) throw new Error("cargo build -p genesys-testhost failed");
  }
  if (!existsSync(bin)) throw new Error(`test host not found: ${bin}`);
  return bin;
}

/** Start the test host; resolves with its base URL and a stop function. */
async function startTesthost() {
  const child = spawn(testhostBin(), [], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`genesys-testhost exited (${code})`)));
    lines.on("line", (l) => { const m = /^LISTENING (\S+)/.exec(l); if (m) resolve(m[1]); });
  });
  return { url: /** @type {string} */ (url), stop: () => new Promise((r) => { child.once("exit", () => r(null)); child.kill(); }) };
}

/**
 * The test host's side of a test: reset it, set faults, call commands as the UI would.
 * @param {string} base
 */
function backendClient(base) {
  /** @param {string} route @param {unknown} [body] */
  const post = async (route, body) => {
    const res = await fetch(`${base}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
    if (!res.ok) throw new Error(`test host ${route}: ${res.status} ${await res.text()}`);
    return res;
  };
  const client = {
    /** @type {any} */ info: null,
    /** A fresh app (new folders, keychain, emulator). @param {{latencyMs?: number, damaged?: string[], rateLimit?: object}} [opts] */
    async reset(opts = {}) { client.info = await (await post("/reset", opts)).json(); return client.info; },
    /** @param {{fail?: Record<string, object>, dialog?: "accept"|"cancel", dialogMs?: number, open?: string|null, keychain?: "ok"|"broken"|"empty"}} f */
    async faults(f) { await post("/faults", f); },
    /** The app dies mid-work and starts again on the same folders. */
    async crash() { client.info = await (await post("/crash")).json(); return client.info; },
    /** open_file / show_in_folder requests so far. @returns {Promise<any[]>} */
    async opened() { return (await fetch(`${base}/opened`)).json(); },
    /**
     * Call a command as the UI does; `onEvent` gets the run's events. Rejects with the ApiError.
     * @param {string} cmd @param {Record<string, unknown>} [args] @param {(e: any) => void} [onEvent]
     */
    async invoke(cmd, args = {}, onEvent = () => {}) {
      const res = await post(`/invoke/${cmd}`, args);
      const text = await res.text();
      for (const line of text.split("\n").filter((l) => l.trim())) {
        const msg = JSON.parse(line);
        if ("message" in msg) onEvent(msg.message);
        else if ("ok" in msg) return msg.ok;
        else if ("error" in msg) throw msg.error;
      }
      throw new Error(`test host: no answer to ${cmd}`);
    },
  };
  return client;
}

/** Serve ui/ on 127.0.0.1 (free port) with the IPC harness loaded before main.js and the test host behind /__ipc/. */
export async function startServer() {
  const host = await startTesthost();
  const backend = backendClient(host.url);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/__ipc/")) {
      const up = http.request(`${host.url}/${url.pathname.slice("/__ipc/".length)}`,
        { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json" } }, (r) => {
          res.writeHead(r.statusCode ?? 502, { "content-type": r.headers["content-type"] ?? "text/plain", "cache-control": "no-store" });
          r.pipe(res);
        });
      up.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
      req.pipe(up);
      return;
    }
    let file = null;
    let body = null;
    if (url.pathname === "/" || url.pathname === "/index.html") {
      const html = await readFile(path.join(uiDir, "index.html"), "utf8");
      const tag = '<script type="module" src="main.js"></script>';
      if (!html.includes(tag)) throw new Error("index.html must load main.js as a module");
      body = html.replace(tag, `<script type="module" src="/__harness.js"></script>\n  ${tag}`);
      file = "x.html";
    } else if (url.pathname === "/__harness.js") {
      file = path.join(here, "harness.js");
    } else if (url.pathname === "/__axe.js") {
      file = path.join(repo, "node_modules/axe-core/axe.min.js");
    } else if (url.pathname.startsWith("/__tauri/")) {
      file = inside(tauriDir, url.pathname.slice("/__tauri/".length));
    } else {
      file = inside(uiDir, decodeURIComponent(url.pathname));
    }
    try {
      if (!file) throw new Error("outside");
      if (body === null) body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "content-security-policy": CSP, "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r(null)));
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${addr.port}/`, backend,
    close: async () => { server.closeAllConnections(); await new Promise((r) => server.close(() => r(null))); await host.stop(); },
  };
}

/** The time zone the tests' browser and profiles use. */
export const TZ = "Europe/London";

/**
 * Set up a scenario through the real commands.
 * "empty": nothing saved (first run). "home": the connection "Contact centre" to the emulator and two
 * profiles ("Sales calls last week": Excel, voice, inbound, queues Sales + Retentions; "Support chats
 * yesterday": CSV with semicolons, chat + message, queue Web Chat).
 * `history`: one finished export of "Sales calls last week" and one failed (wrong secret) of "Support
 * chats yesterday". `noSecret`: the connection's secret is missing from the keychain. `exactTimes`: a
 * third profile "Night shift" with exact local times. `resume`: an export of "Sales calls last week"
 * interrupted by a crash (it is then offered for resuming). Answers the ids.
 * @param {ReturnType<typeof backendClient>} backend
 * @param {{scenario?: "empty"|"home", history?: boolean, noSecret?: boolean, exactTimes?: boolean, resume?: boolean,
 *   latencyMs?: number, rateLimit?: {requests: number, perMs: number}, damaged?: string[], faults?: object}} [cfg]
 */
export async function setup(backend, cfg = {}) {
  const info = await backend.reset({ latencyMs: cfg.latencyMs ?? (cfg.resume ? 400 : 0), damaged: cfg.damaged ?? [], rateLimit: cfg.rateLimit });
  /** @type {Record<string, any>} */
  const ids = { info };
  // The person's settings: exports go to the test's folder, times in the browser's time zone.
  await backend.invoke("save_settings", { settings: { defaultFolder: info.exportsDir, timeZone: TZ, csvDelimiter: "comma", csvBom: true } });
  if ((cfg.scenario ?? "home") === "home") {
    const conn = await backend.invoke("save_connection",
      { connection: { name: "Contact centre", environment: info.simUrl, clientId: info.clientId }, secret: info.clientSecret });
    ids.connection = conn.id;
    /** @param {string} kind @param {string} name */
    const entity = async (kind, name) => {
      const { entities: all } = await backend.invoke("list_entities", { connectionId: conn.id, kind, search: name });
      const e = all.find((/** @type {any} */ x) => x.name === name);
      if (!e) throw new Error(`emulator has no ${kind} ${name}`);
      return e.id;
    };
    const queues = [await entity("queue", "Sales"), await entity("queue", "Retentions")];
    const none = { queueIds: [], mediaTypes: [], directions: [], userIds: [], wrapUpCodes: [], divisionIds: [] };
    const options = { grain: "conversation", columns: [], format: "xlsx", timeZone: TZ, durationFormat: "seconds", includeIds: false, csvDelimiter: "comma", csvBom: true };
    const sales = await backend.invoke("save_profile", { profile: {
      name: "Sales calls last week", connectionId: conn.id, range: { kind: "preset", preset: "last_week" }, timeZone: TZ,
      filters: { ...none, queueIds: queues, mediaTypes: ["voice"], directions: ["inbound"] },
      options: { ...options, columns: ["start", "queues", "agents", "wrap_up", "talk_time"] }, fileNameTemplate: "{profile} {from} to {to}" } });
    const support = await backend.invoke("save_profile", { profile: {
      name: "Support chats yesterday", connectionId: conn.id, range: { kind: "preset", preset: "yesterday" }, timeZone: TZ,
      filters: { ...none, mediaTypes: ["chat", "message"], queueIds: [await entity("queue", "Web Chat")] },
      options: { ...options, format: "csv", csvDelimiter: "semicolon" }, fileNameTemplate: "{profile} {from}" } });
    ids.sales = sales.id;
    ids.support = support.id;
    if (cfg.exactTimes) {
      const night = await backend.invoke("save_profile", { profile: {
        name: "Night shift", connectionId: conn.id, range: { kind: "fixed_date_times", from: "2026-11-20T22:00:00", to: "2026-11-21T06:00:00" },
        timeZone: TZ, filters: none, options, folder: path.join(info.exportsDir, "Night"), fileNameTemplate: "{profile} {from}" } });
      ids.night = night.id;
    }
    if (cfg.history) {
      await backend.invoke("start_export", { runId: crypto.randomUUID(), profileId: sales.id });
      await backend.invoke("save_connection", { connection: { id: conn.id, name: "Contact centre", environment: info.simUrl, clientId: info.clientId }, secret: "wrong-secret" });
      await backend.invoke("start_export", { runId: crypto.randomUUID(), profileId: support.id }).catch(() => null);
      await backend.invoke("save_connection", { connection: { id: conn.id, name: "Contact centre", environment: info.simUrl, clientId: info.clientId }, secret: info.clientSecret });
    }
    if (cfg.resume) {
      ids.interrupted = await interruptedRun(backend, sales.id);
    }
    // The keychain lost the secret (the app learns it when it starts).
    if (cfg.noSecret) { await backend.faults({ keychain: "empty" }); await backend.crash(); }
  }
  if (cfg.faults) await backend.faults(cfg.faults);
  return ids;
}

/**
 * Start an export of `profileId` on a slowed emulator and crash the app once part of it is written:
 * the run is left interrupted, with its resume point. Answers the run id.
 * @param {ReturnType<typeof backendClient>} backend @param {string} profileId
 */
async function interruptedRun(backend, profileId) {
  // A CSV export (its partly written file is the resume point), one-day windows on a slowed emulator.
  const profiles = await backend.invoke("list_profiles");
  const { lastRun: _, ...profile } = profiles.find((/** @type {any} */ p) => p.id === profileId);
  const day = (/** @type {number} */ n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
  await backend.invoke("save_profile", { profile: { ...profile, range: { kind: "fixed", from: day(30), to: day(2) },
    filters: { queueIds: [], mediaTypes: [], directions: [], userIds: [], wrapUpCodes: [], divisionIds: [] },
    options: { ...profile.options, format: "csv" } } });
  const runId = crypto.randomUUID();
  const run = backend.invoke("start_export", { runId, profileId }).catch(() => null);
  const checkpoint = path.join(backend.info.dataDir, "checkpoints", `${runId}.json`);
  const end = Date.now() + 30000;
  for (;;) {
    const text = await readFile(checkpoint, "utf8").catch(() => "");
    if (text && JSON.parse(text)?.resume?.conversations > 0) break;
    if (Date.now() > end) throw new Error("the export to interrupt never reached a durable point");
    await new Promise((r) => setTimeout(r, 20));
  }
  await backend.crash();
  await run;
  const resumes = await backend.invoke("pending_resumes");
  if (!resumes.some((/** @type {any} */ r) => r.runId === runId)) throw new Error(`no resume point after the crash: ${JSON.stringify(resumes)}`);
  return runId;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Set up a scenario (see `setup`) and open the app on it.
 * @param {import('playwright-core').Browser} browser
 * @param {{url: string, backend: ReturnType<typeof backendClient>}} srv
 * @param {{config?: Parameters<typeof setup>[1], viewport?: {width: number, height: number}, colorScheme?: "light"|"dark"}} [opts]
 */
export async function openApp(browser, srv, opts = {}) {
  const ids = await setup(srv.backend, opts.config ?? {});
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1024, height: 700 },
    colorScheme: opts.colorScheme ?? "light",
    locale: "en-US",
    timezoneId: "Europe/London",
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text()}`); });
  await page.addInitScript(() => {
    // @ts-ignore
    window.__csp = [];
    // @ts-ignore
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(srv.url);
  await page.waitForSelector("#view[data-view]");
  await page.waitForFunction(() => !document.querySelector("#view .loading"));
  return { page, context, problems, ids, backend: srv.backend };
}

/** Fail on page errors, console errors and CSP violations. @param {import('playwright-core').Page} page @param {string[]} problems */
export async function assertClean(page, problems) {
  const csp = await page.evaluate(() => /** @type {any} */ (window).__csp);
  const all = [...problems, ...csp.map((/** @type {string} */ c) => `CSP violation: ${c}`)];
  if (all.length) throw new Error(all.join("\n"));
}

/** @param {import('playwright-core').Page} page @param {string} name */
export async function shot(page, name) {
  await mkdir(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
}

/**
 * Text never cut and no horizontal scrolling of the page. Returns a list of problems.
 * Scroll boxes that are meant to scroll sideways (.table-wrap) are allowed.
 * @param {import('playwright-core').Page} page
 */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`page scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);
    const vw = doc.clientWidth;
    for (const el of document.querySelectorAll("body *")) {
      const he = /** @type {HTMLElement} */ (el);
      if (!he.offsetParent && getComputedStyle(he).position !== "fixed") continue;
      if (he.closest(".table-wrap, .visually-hidden, dialog:not([open]), .skip-link")) continue;
      const cs = getComputedStyle(he);
      const name = `${he.tagName.toLowerCase()}${he.id ? "#" + he.id : ""}${he.className && typeof he.className === "string" ? "." + he.className.split(" ").join(".") : ""} “${(he.textContent ?? "").trim().slice(0, 40)}”`;
      if (cs.overflowX !== "visible" && he.scrollWidth > he.clientWidth + 1 && !he.classList.contains("table-wrap")) {
        out.push(`cut horizontally: ${name} (${he.scrollWidth} > ${he.clientWidth})`);
      }
      if (cs.textOverflow === "ellipsis" && he.scrollWidth > he.clientWidth) out.push(`ellipsis: ${name}`);
      const r = he.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1) out.push(`beyond the right edge: ${name} (${Math.round(r.right)} > ${vw})`);
    }
    return out;
  });
}

/**
 * Run axe-core; returns serious and critical violations.
 * @param {import('playwright-core').Page} page
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ url: "/__axe.js" });
  return page.evaluate(async () => {
    // @ts-ignore
    const res = await window.axe.run(document, { resultTypes: ["violations"] });
    return res.violations.filter((/** @type {any} */ v) => v.impact === "serious" || v.impact === "critical")
      .map((/** @type {any} */ v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((/** @type {any} */ n) => n.target.join(" ")).join(", ")}`);
  });
}

/** Text of the main view. @param {import('playwright-core').Page} page */
export const viewText = (page) => page.locator("#view").innerText();

/** Wait until the view with this name is shown. @param {import('playwright-core').Page} page @param {string} name */
export async function waitView(page, name) {
  await page.waitForSelector(`#view[data-view="${name}"]`);
  await page.waitForFunction(() => document.querySelector("#view h1") !== null);
}

/** The calls the UI made of a command (a Channel shows as "<channel>"). @param {import('playwright-core').Page} page @param {string} cmd */
export const calls = (page, cmd) => page.evaluate((c) => /** @type {any} */ (window).__ipc.callsOf(c), cmd);

/** Wait until a locator matches exactly n elements. @param {import('playwright-core').Locator} loc @param {number} n */
export async function waitCount(loc, n, timeout = 5000) {
  const end = Date.now() + timeout;
  let c = -1;
  while (Date.now() < end) {
    c = await loc.count();
    if (c === n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${n} elements, found ${c}`);
}
