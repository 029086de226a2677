// The real app opens under Xvfb on its real first-run page (not an error page), and a screenshot is written.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { startDriver, Session, appBinary, freshAppDirs } from "./webdriver.mjs";

let driver;
let session;
let dirs;

before(async () => {
  dirs = freshAppDirs();
  driver = await startDriver(dirs.env);
  session = await Session.create(driver.url, appBinary());
});

after(async () => {
  await session?.close();
  driver?.proc.kill();
  if (dirs) fs.rmSync(dirs.base, { recursive: true, force: true });
});

test("the window opens on the first-run page, with both ways in", async () => {
  const title = await session.exec("return document.title");
  assert.equal(title, "Genesys Export");
  assert.match(await session.text("#app-title"), /Genesys Export/);
  await session.waitView("firstrun");
  const file = await session.screenshot("01-start");
  assert.ok(fs.statSync(file).size > 1000, "screenshot is a real image");

  assert.equal(await session.text("#view h1"), "Welcome to Genesys Export");
  const text = await session.viewText();
  assert.ok(text.includes("Connect to Genesys Cloud"), "the connect form is there");
  assert.equal(await session.text("#try-demo"), "Try the demo organization");
  const errors = await session.exec(
    `return [...document.querySelectorAll(".error-panel, .banner.error")].filter((e) => !e.hidden).map((e) => e.innerText)`,
  );
  assert.deepEqual(errors, [], "no error page or error banner on start");
  // The form is backed by the real commands: the regions came from list_regions.
  const regions = await session.exec(`return document.querySelectorAll("#view select option[value$='mypurecloud.com']").length`);
  assert.ok(regions >= 1, "regions listed from the backend");
});
