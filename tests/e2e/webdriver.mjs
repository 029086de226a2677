// A tiny W3C WebDriver client for the real app: tauri-driver + WebKitWebDriver.
// No npm dependencies: plain fetch. Used by tests/e2e/*.test.mjs.
import { spawn } from "node:child_process";
import net from "node:net";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const ROOT = path.resolve(import.meta.dirname, "../..");
export const SHOTS = path.join(ROOT, "target", "e2e-screenshots");

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function driverBinary() {
  const home = path.join(os.homedir(), ".cargo", "bin", "tauri-driver");
  return fs.existsSync(home) ? home : "tauri-driver";
}

/**
 * Start tauri-driver on free ports; resolves when it accepts connections.
 * The app inherits the driver's environment (tauri-driver 2.1 does not forward a
 * `tauri:options.env`), so `env` is how a test gives the app its own variables.
 * @param {Record<string, string>} [env]
 */
export async function startDriver(env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  const proc = spawn(driverBinary(), ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/status`);
      return { url, proc, log: () => log };
    } catch {
      await sleep(100);
    }
  }
  proc.kill();
  throw new Error(`tauri-driver did not start: ${log}`);
}

export class Session {
  constructor(url, id) {
    this.url = url;
    this.id = id;
  }

  static async create(driverUrl, application) {
    const res = await fetch(`${driverUrl}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capabilities: { alwaysMatch: { "tauri:options": { application } } },
      }),
    });
    const body = await res.json();
    if (!res.ok || !body.value?.sessionId) {
      throw new Error(`session not created: ${JSON.stringify(body)}`);
    }
    return new Session(driverUrl, body.value.sessionId);
  }

  async cmd(method, suffix, payload) {
    const res = await fetch(`${this.url}/session/${this.id}${suffix}`, {
      method,
      headers: { "content-type": "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`${method} ${suffix}: ${JSON.stringify(body.value ?? body)}`);
    return body.value;
  }

  async find(css, { timeout = 10000 } = {}) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
        return v[ELEMENT];
      } catch (e) {
        last = e;
        await sleep(150);
      }
    }
    throw new Error(`element ${css} not found: ${last}`);
  }

  async text(css) {
    return this.cmd("GET", `/element/${await this.find(css)}/text`);
  }

  async click(css) {
    const el = await this.find(css);
    const ref = { [ELEMENT]: el };
    // Sticky headers and footers can cover an element WebKitWebDriver did not scroll far enough:
    // bring it to the middle of the view first, as a person would scroll to it.
    await this.exec("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", [ref]);
    try {
      return await this.cmd("POST", `/element/${el}/click`, {});
    } catch (e) {
      if (!/intercepted/i.test(String(e))) throw e;
      await sleep(300);
      return this.cmd("POST", `/element/${el}/click`, {});
    }
  }

  async type(css, text) {
    const el = await this.find(css);
    await this.cmd("POST", `/element/${el}/clear`, {});
    if (text) await this.cmd("POST", `/element/${el}/value`, { text });
  }

  async exec(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Wait until `script` (a function body returning a value) returns something truthy. */
  async waitFor(script, { timeout = 20000, what = script } = {}) {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
      const v = await this.exec(script);
      if (v) return v;
      await sleep(200);
    }
    throw new Error(`timed out waiting for: ${what}`);
  }

  /** Set an input's or select's value as a user would (input + change events). */
  async setValue(css, value) {
    const ok = await this.exec(
      `const el = document.querySelector(arguments[0]);
       if (!el) return false;
       el.value = arguments[1];
       el.dispatchEvent(new Event("input", { bubbles: true }));
       el.dispatchEvent(new Event("change", { bubbles: true }));
       return el.value === arguments[1];`,
      [css, value],
    );
    if (!ok) throw new Error(`could not set ${css} to ${value}`);
  }

  /** Wait until the app shows view `name` (ui/app.js sets #view[data-view]). */
  async waitView(name, { timeout = 20000 } = {}) {
    // The view's name is set before its (async) content: wait for its heading too.
    await this.waitFor(`const v = document.querySelector("#view");
      return v?.dataset.view === ${JSON.stringify(name)} && !!v.querySelector("h1")`, {
      timeout,
      what: `view ${name}`,
    });
  }

  /** The visible text of the current view. */
  async viewText() {
    return this.exec(`return document.querySelector("#view")?.innerText ?? ""`);
  }

  async screenshot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    const b64 = await this.cmd("GET", "/screenshot");
    const file = path.join(SHOTS, `${name}.png`);
    fs.writeFileSync(file, Buffer.from(b64, "base64"));
    return file;
  }

  async close() {
    try {
      await this.cmd("DELETE", "");
    } catch {
      /* the app may already be gone */
    }
  }
}

/**
 * Fresh, empty config and data folders for one app session, so every test file starts at the
 * first-run screen whatever ran before (the keyring daemon of the D-Bus session is unaffected).
 */
export function freshAppDirs(prefix = "genesys-e2e-") {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const config = path.join(base, "config");
  const data = path.join(base, "data");
  fs.mkdirSync(config);
  fs.mkdirSync(data);
  return { base, env: { XDG_CONFIG_HOME: config, XDG_DATA_HOME: data } };
}

/** The app binary the tests drive (built by scripts/test). */
export function appBinary() {
  const bin = process.env.APP_BIN;
  if (!bin || !fs.existsSync(bin)) {
    throw new Error(`APP_BIN must point at the built app (got ${bin}); run scripts/test`);
  }
  return bin;
}
