// The real app opens under Xvfb, its heading reads back, and a screenshot is written.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { startDriver, Session, appBinary } from "./webdriver.mjs";

let driver;
let session;

before(async () => {
  driver = await startDriver();
  session = await Session.create(driver.url, appBinary());
});

after(async () => {
  await session?.close();
  driver?.proc.kill();
});

test("the window opens with the app's heading", async () => {
  const title = await session.exec("return document.title");
  assert.equal(title, "Genesys Export");
  const file = await session.screenshot("01-start");
  assert.ok(fs.statSync(file).size > 1000, "screenshot is a real image");
  const heading = await session.text("#app-title");
  assert.match(heading, /Genesys Export/);
});
