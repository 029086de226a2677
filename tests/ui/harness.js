// Loaded before ui/main.js by the test server: `window.__TAURI__.core` as `withGlobalTauri` gives
// it in the app, with `invoke` sent to the test HTTP host (src-tauri/testhost: the real operations
// against the emulator) through the test server's `/__ipc/` proxy. A run's events arrive on the
// command's Channel from the answer's NDJSON stream, before its result, as in the app.
// Tests read the calls the UI made with `window.__ipc.callsOf(command)`.

class Channel {
  constructor() {
    /** @type {(message: unknown) => void} */
    this.onmessage = () => {};
  }
}

/** @type {{cmd: string, args: Record<string, unknown>}[]} */
const calls = [];

/** @param {string} cmd @param {Record<string, unknown>} [args] */
async function invoke(cmd, args = {}) {
  /** @type {Record<string, unknown>} */
  const body = {};
  /** @type {Record<string, unknown>} */
  const recorded = {};
  /** @type {Channel|null} */
  let channel = null;
  for (const [k, v] of Object.entries(args)) {
    if (v instanceof Channel) {
      channel = v;
      recorded[k] = "<channel>";
    } else {
      body[k] = v;
      recorded[k] = JSON.parse(JSON.stringify(v ?? null));
    }
  }
  calls.push({ cmd, args: recorded });
  const res = await fetch(`/__ipc/invoke/${cmd}`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  if (!res.ok || !res.body) throw { kind: "internal", message: `test host: ${res.status} ${await res.text()}` };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line);
      if ("message" in msg) channel?.onmessage(msg.message);
      else if ("ok" in msg) return msg.ok;
      else if ("error" in msg) throw msg.error;
    }
    if (done) throw { kind: "internal", message: `test host: the answer to ${cmd} ended early` };
  }
}

// @ts-ignore
window.__TAURI__ = { core: { invoke, Channel } };
// @ts-ignore
window.__ipc = { callsOf: (/** @type {string} */ cmd) => calls.filter((c) => c.cmd === cmd).map((c) => c.args) };
