// Rules of ui/ that need no browser: one door to Tauri, nothing the CSP would block, the
// commands used are the documented ones, and the JSDoc types check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { repo } from "./helpers.mjs";

const ui = path.join(repo, "ui");

/** @returns {Promise<string[]>} */
async function files(dir = ui) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

test("only ui/api.js touches window.__TAURI__", async () => {
  const offenders = [];
  for (const f of await files()) {
    if (!/\.(js|html)$/.test(f) || f.endsWith(`${path.sep}api.js`)) continue;
    if ((await readFile(f, "utf8")).includes("__TAURI__")) offenders.push(path.relative(repo, f));
  }
  assert.deepEqual(offenders, []);
});

test("nothing the strict CSP blocks: no inline scripts or styles, no HTML strings, nothing remote", async () => {
  const problems = [];
  for (const f of await files()) {
    const text = await readFile(f, "utf8");
    const rel = path.relative(repo, f);
    if (f.endsWith(".html")) {
      if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(text)) problems.push(`${rel}: inline <script>`);
      if (/<style/i.test(text)) problems.push(`${rel}: <style> element`);
      if (/\sstyle=/i.test(text)) problems.push(`${rel}: style attribute`);
      if (/\son[a-z]+=/i.test(text)) problems.push(`${rel}: inline event handler`);
    }
    if (f.endsWith(".js")) {
      for (const bad of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute(\"style\""]) {
        if (text.includes(bad)) problems.push(`${rel}: ${bad}`);
      }
    }
    // 127.0.0.1 and the documentation domain example.com (RFC 2606, shown as sample text) are not remote;
    // the generated bindings (*.ts) are type declarations for tsc, never loaded by the page.
    const remote = /https?:\/\/(?!127\.0\.0\.1|(?:[a-z0-9-]+\.)*example\.com\b)/;
    if (remote.test(text) && !/\.(json|ts)$/.test(f)) problems.push(`${rel}: remote URL`);
  }
  assert.deepEqual(problems, []);
});

test("every command ui/api.js calls is in the IPC contract (docs/ipc.md), and every contract command is wrapped", async () => {
  const api = await readFile(path.join(ui, "api.js"), "utf8");
  const contract = await readFile(path.join(repo, "docs/ipc.md"), "utf8");
  const used = new Set([...api.matchAll(/call\("([a-z_]+)"/g)].map((m) => m[1]));
  const documented = new Set([...contract.matchAll(/^\| ([a-z_]+)(?: \/ ([a-z_]+))? \|/gm)].flatMap((m) => [m[1], m[2]]).filter((c) => c && c !== "command"));
  assert.ok(documented.size >= 25, `contract table not found (${documented.size})`);
  assert.deepEqual([...used].filter((c) => !documented.has(c)), [], "commands not in the contract");
  assert.deepEqual([...documented].filter((c) => !used.has(c)), [], "contract commands the UI does not wrap");
});

test("the UI's JSDoc types check (tsc --checkJs)", async () => {
  const tsc = path.join(repo, "node_modules/typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", path.join(ui, "jsconfig.json")], { cwd: repo });
  } catch (e) {
    assert.fail(`tsc found problems:\n${/** @type {any} */ (e).stdout}${/** @type {any} */ (e).stderr}`);
  }
});
