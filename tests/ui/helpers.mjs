// Shared test plumbing: a tiny static server for ui/ with the fake backend injected, Chromium,
// screenshots, layout and accessibility checks.
import http from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import path from "node:path";
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

/** Serve ui/ on 127.0.0.1 (free port) with the fake backend loaded before main.js. */
export async function startServer() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let file = null;
    let body = null;
    if (url.pathname === "/" || url.pathname === "/index.html") {
      const html = await readFile(path.join(uiDir, "index.html"), "utf8");
      const tag = '<script type="module" src="main.js"></script>';
      if (!html.includes(tag)) throw new Error("index.html must load main.js as a module");
      body = html.replace(tag, `<script type="module" src="/__harness.js"></script>\n  ${tag}`);
      file = "x.html";
    } else if (url.pathname === "/__harness.js") {
      file = path.join(here, "fake-backend.js");
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
  return { url: `http://127.0.0.1:${addr.port}/`, close: () => new Promise((r) => server.close(() => r(null))) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Open the app with a fake backend configuration.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {{config?: object, viewport?: {width: number, height: number}, colorScheme?: "light"|"dark"}} [opts]
 */
export async function openApp(browser, url, opts = {}) {
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
  await page.addInitScript((cfg) => {
    // @ts-ignore
    window.__FAKE_CONFIG__ = cfg;
    // @ts-ignore
    window.__csp = [];
    // @ts-ignore
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  }, opts.config ?? {});
  await page.goto(url);
  await page.waitForSelector("#view[data-view]");
  await page.waitForFunction(() => !document.querySelector("#view .loading"));
  return { page, context, problems };
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

/** Calls the fake backend received for a command. @param {import('playwright-core').Page} page @param {string} cmd */
export const calls = (page, cmd) => page.evaluate((c) => /** @type {any} */ (window).__fake.callsOf(c), cmd);

/** Drive the fake backend. @param {import('playwright-core').Page} page @param {string} fn @param {...any} args */
export const fake = (page, fn, ...args) => page.evaluate(([f, a]) => /** @type {any} */ (window).__fake[f](...a), [fn, args]);

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
