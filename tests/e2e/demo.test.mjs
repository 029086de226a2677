// Issue #8, end to end in the real app: "Try the demo organization" (the emulator inside the app)
// → home with example profiles → Export (dialog seam) → a non-empty file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startDriver, Session, appBinary, freshAppDirs } from "./webdriver.mjs";

let driver;
/** @type {Session} */ let session;
let dirs;
let outDir;

before(async () => {
  dirs = freshAppDirs();
  outDir = path.join(dirs.base, "exports");
  fs.mkdirSync(outDir);
  driver = await startDriver({ ...dirs.env, GENESYS_EXPORT_TEST_SAVE_PATH: outDir });
  session = await Session.create(driver.url, appBinary());
});

after(async () => {
  await session?.close();
  driver?.proc.kill();
  if (dirs) fs.rmSync(dirs.base, { recursive: true, force: true });
});

test("the demo organization exports a real file in a few clicks", async () => {
  await session.waitView("firstrun");
  await session.click("#try-demo");
  await session.waitView("home", { timeout: 30000 });
  const text = await session.viewText();
  assert.ok(text.includes("You are using the demo organization"), text);
  await session.screenshot("demo-01-home");

  const name = "Demo: all media, yesterday";
  assert.ok(text.includes(name), `the example profile ${name} is there`);
  await session.click(`button[aria-label="Export ${name}"]`);
  await session.waitView("export");
  await session.waitFor(`return document.querySelector("#done-title, #fail-title")`, { timeout: 120000, what: "export end" });
  await session.screenshot("demo-02-export-done");
  assert.ok(await session.exec(`return !!document.querySelector("#done-title")`), await session.viewText());

  const files = fs.readdirSync(outDir);
  assert.equal(files.length, 1, `one file: ${files}`);
  assert.match(files[0], /\.csv$/);
  const lines = fs.readFileSync(path.join(outDir, files[0]), "utf8").split(/\r?\n/).filter(Boolean);
  assert.ok(lines.length > 1, `a header and rows (${lines.length} lines)`);
});
