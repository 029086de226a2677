// Issue #8 acceptance, end to end in the real app (tauri-driver + WebKitWebDriver under Xvfb), with the
// real keychain (gnome-keyring in the test's D-Bus session) and the emulator on loopback:
// first run → connect through "Other address" → create a profile → Export (dialog seam) → the file's
// conversation ids equal the emulator's ground truth; a bigger export cancelled halfway leaves no file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startDriver, Session, appBinary, freshAppDirs } from "./webdriver.mjs";
import { startSim, groundTruth } from "./sim.mjs";

const run = promisify(execFile);

// A fixed dataset: 30,000 conversations over 10 days from 2026-10-01 (UTC). Three days (9,000) are a
// small pull, which the "auto" strategy pages with the sync query; all ten days (30,000) are bulk, read
// with async jobs, whose small result pages and some latency make the export take several seconds, so
// it can be cancelled halfway.
const DATASET = ["--conversations", "30000", "--seed", "7", "--start", "2026-10-01", "--days", "10"];
const CLIENT_ID = "e2e-client";
const SECRET = `e2e-${crypto.randomBytes(12).toString("hex")}`;
const SERVICE = "com.genesysexport.desktop"; // genesys_core::secrets::SERVICE

let sim;
let driver;
/** @type {Session} */ let session;
let dirs;
let outDir;

before(async () => {
  sim = await startSim([...DATASET, "--client-id", CLIENT_ID, "--client-secret", SECRET,
    "--async-max-page-size", "50", "--latency-ms", "150", "--job-delay-ms", "100"]);
  dirs = freshAppDirs();
  outDir = path.join(dirs.base, "exports");
  fs.mkdirSync(outDir);
  // The dialog seam (debug builds only): the save dialog answers with this folder + the suggested name.
  driver = await startDriver({ ...dirs.env, GENESYS_EXPORT_TEST_SAVE_PATH: outDir });
  session = await Session.create(driver.url, appBinary());
});

after(async () => {
  await session?.close();
  driver?.proc.kill();
  sim?.stop();
  if (dirs) fs.rmSync(dirs.base, { recursive: true, force: true });
});

/** CSS selector of the control labelled `label` in the current view. */
async function labelled(label) {
  const id = await session.exec(
    `const l = [...document.querySelectorAll("#view label")]
       .find((l) => l.textContent.replace(/\\s*\\(optional\\)$/, "").trim() === arguments[0]);
     return l ? l.htmlFor : null;`,
    [label],
  );
  if (!id) throw new Error(`no field labelled ${label}`);
  return `[id="${id}"]`;
}

/** Click the button of the current view whose text is `text` (icons such as a leading "+" ignored). */
async function clickButton(text, scope = "#view") {
  const found = await session.waitFor(
    `const b = [...document.querySelectorAll(${JSON.stringify(scope)} + " button")]
       .find((b) => b.innerText.replace(/^[^\\p{L}]+/u, "").trim() === ${JSON.stringify(text)} && !b.disabled);
     if (!b) return false;
     b.setAttribute("data-e2e", "target");
     return true;`,
    { what: `button ${text}` },
  );
  assert.ok(found);
  await session.click('[data-e2e="target"]');
  await session.exec(`document.querySelector('[data-e2e="target"]')?.removeAttribute("data-e2e")`);
}

const filesIn = (dir) => fs.readdirSync(dir).sort();

/** Conversation ids of a JSON-lines export, in file order. */
function idsOf(file) {
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).conversationId);
}

/** Click the label of a radio/checkbox (the input itself is styled under its label). */
async function choose(inputCss) {
  const id = await session.exec(`return document.querySelector(arguments[0])?.id ?? null`, [inputCss]);
  if (!id) throw new Error(`no choice ${inputCss}`);
  await session.click(`label[for="${id}"]`);
  assert.ok(await session.exec(`return document.querySelector(arguments[0]).checked`, [inputCss]), `${inputCss} chosen`);
}

/** Create a JSON-lines profile of whole days `from`..`to` (included) in UTC, from the editor. */
async function createProfile(name, from, to) {
  await session.waitView("editor");
  await session.type(await labelled("Profile name"), name);
  await choose('input[name="range"][value="fixed"]');
  await session.setValue(await labelled("First day"), from);
  await session.setValue(await labelled("Last day (included)"), to);
  await session.setValue(await labelled("Time zone"), "UTC");
  await choose('input[name="format"][value="jsonl"]');
}

test("first run: connect to the emulator through “Other address”; the secret goes to the real keychain", async () => {
  await session.waitView("firstrun");
  await session.screenshot("flow-01-first-run");
  await session.type(await labelled("Name"), "Emulator");
  await session.setValue(await labelled("Region"), "__other__");
  await session.type(await labelled("Address"), sim.url);
  await session.type(await labelled("Client ID"), CLIENT_ID);
  await session.type(await labelled("Client secret"), SECRET);
  await clickButton("Test connection");
  const verdict = await session.waitFor(
    `const s = document.querySelector("#view .test-result p:not(.muted)");
     if (s) return s.className + ": " + s.innerText;
     const e = document.querySelector("#view .banner.error:not([hidden])");
     return e ? "error: " + e.innerText : null;`,
    { timeout: 30000, what: "test connection result" });
  assert.match(verdict, /^ok: /, `test connection: ${verdict}`);
  await session.screenshot("flow-02-connection-tested");

  await clickButton("Save and continue");
  await session.waitView("home");
  assert.ok((await session.viewText()).includes("No export profiles yet"), await session.viewText());
  await session.screenshot("flow-03-home-empty");

  // The secret is in the keychain (gnome-keyring over D-Bus), under the app's service…
  const { stdout } = await run("secret-tool", ["search", "--all", "service", SERVICE]);
  assert.ok(stdout.split("\n").some((l) => l.trim() === `secret = ${SECRET}`), "the secret is in the real keychain");
  // …and nowhere in the app's files.
  const leaked = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (fs.readFileSync(p).includes(SECRET)) leaked.push(p);
    }
  };
  walk(dirs.base);
  assert.deepEqual(leaked, [], "the secret is not written to any file");
});

test("a profile of three fixed days exports exactly the emulator's ground truth", async () => {
  await clickButton("Create a profile");
  await createProfile("Three days", "2026-10-03", "2026-10-05");
  await session.screenshot("flow-04-profile-editor");
  await clickButton("Save profile");
  await session.waitView("home");
  await session.screenshot("flow-05-home-profile");

  await session.click('button[aria-label="Export Three days"]');
  await session.waitView("export");
  await session.waitFor(`return document.querySelector("#done-title, #fail-title")`, { timeout: 120000, what: "export end" });
  await session.screenshot("flow-06-export-done");
  const failure = await session.exec(`return document.querySelector("#fail-title") ? document.querySelector("#view").innerText : null`);
  assert.equal(failure, null, "the export finished");

  const files = filesIn(outDir);
  assert.equal(files.length, 1, `one file and no leftovers: ${files}`);
  assert.match(files[0], /\.jsonl$/);
  const got = idsOf(path.join(outDir, files[0]));
  const expected = await groundTruth(DATASET, "2026-10-03T00:00:00Z", "2026-10-06T00:00:00Z");
  assert.ok(expected.length > 500, `the range holds many conversations (${expected.length})`);
  const gotSet = new Set(got);
  assert.equal(got.length - gotSet.size, 0, "no duplicates");
  assert.deepEqual(expected.filter((id) => !gotSet.has(id)), [], "no conversation missing");
  const expectedSet = new Set(expected);
  assert.deepEqual(got.filter((id) => !expectedSet.has(id)), [], "no conversation outside the range");
  assert.deepEqual(got, expected, "in the order of the ground truth (start, then id)");

  // The done view reports the same count.
  const text = await session.viewText();
  assert.ok(text.replace(/[,\u202f\u00a0]/g, "").includes(String(expected.length)), `the done view shows ${expected.length}`);
  await clickButton("Back to exports");
  await session.waitView("home");
});

test("a bigger export cancelled halfway leaves no file and no temp file", async () => {
  const before = filesIn(outDir);
  await clickButton("New profile");
  await createProfile("All ten days", "2026-10-01", "2026-10-10");
  await clickButton("Save profile");
  await session.waitView("home");
  await session.click('button[aria-label="Export All ten days"]');
  await session.waitView("export");
  // Wait until conversations are coming in, then cancel.
  const counts = await session.waitFor(
    `const t = document.querySelector("#view .counts")?.innerText ?? ""; return /^[1-9]/.test(t) ? t : null`,
    { timeout: 60000, what: "conversations arriving" });
  await session.screenshot("flow-07-export-progress");
  await clickButton("Cancel export");
  await session.find("dialog[open]");
  await session.screenshot("flow-08-cancel-confirm");
  await session.click('dialog[open] [data-action="confirm"]');
  await session.waitFor(`return document.querySelector("#cancel-title, #done-title, #fail-title")?.id`, { timeout: 30000, what: "export end" });
  await session.screenshot("flow-09-export-cancelled");
  assert.ok(await session.exec(`return !!document.querySelector("#cancel-title")`), `cancelled (counts were ${counts})`);
  const total = (await groundTruth(DATASET, "2026-10-01T00:00:00Z", "2026-10-11T00:00:00Z")).length;
  const seen = Number(counts.replace(/[,\u202f\u00a0]/g, "").match(/^\d+/)?.[0]);
  assert.ok(seen > 0 && seen < total, `cancelled part way (${seen} of ${total})`);

  // Give a late writer a moment, then nothing new may be in the folder: no file, no temp file.
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(filesIn(outDir), before, "only the first export's file is in the folder");
});
