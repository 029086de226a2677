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

/** Start tauri-driver on free ports; resolves when it accepts connections. */
export async function startDriver() {
  const port = await freePort();
  const nativePort = await freePort();
  const proc = spawn(driverBinary(), ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "pipe", "pipe"],
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

  static async create(driverUrl, application, env = {}) {
    const res = await fetch(`${driverUrl}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capabilities: { alwaysMatch: { "tauri:options": { application, env } } },
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
    return this.cmd("POST", `/element/${await this.find(css)}/click`, {});
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

/** The app binary the tests drive (built by scripts/test). */
export function appBinary() {
  const bin = process.env.APP_BIN;
  if (!bin || !fs.existsSync(bin)) {
    throw new Error(`APP_BIN must point at the built app (got ${bin}); run scripts/test`);
  }
  return bin;
}
