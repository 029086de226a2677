// History (re-run, open), resume of interrupted runs, settings, connections and help.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openApp, shot, calls, fake, waitView, viewText, assertClean } from "./helpers.mjs";

/** @type {Awaited<ReturnType<typeof startServer>>} */ let srv;
/** @type {import('playwright-core').Browser} */ let browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

test("history lists past exports newest first, in words, and can open or re-run them", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "History" }).click();
  await waitView(page, "history");
  assert.equal(await page.getByRole("button", { name: "History" }).getAttribute("aria-current"), "page");
  const rows = page.locator("table.history tbody tr");
  assert.equal(await rows.count(), 3);
  const first = await rows.nth(0).innerText();
  assert.ok(first.includes("Support chats yesterday") && first.includes("Failed") && first.includes("Genesys Cloud did not accept the sign-in."), first);
  const second = await rows.nth(1).innerText();
  assert.ok(second.includes("Done") && second.includes("4,210 rows in 1 min 23 s") && second.includes("Nov 9, 2026 – Nov 15, 2026"), second);
  assert.ok((await rows.nth(2).innerText()).includes("Cancelled"));
  await shot(page, "history");

  await rows.nth(1).getByRole("button", { name: /^Open file: / }).click();
  await page.waitForFunction(() => /** @type {any} */ (window).__fake.callsOf("open_file").length === 1);
  assert.deepEqual(await calls(page, "open_file"), [{ path: "/home/sup/Documents/Exports/Sales calls last week 2026-11-09 to 2026-11-15.xlsx" }]);
  await page.evaluate(() => { /** @type {any} */ (window).__fake.cfg.fail = { open_file: { kind: "not_found", message: "The file is no longer there. It may have been moved or deleted." } }; });
  await rows.nth(1).getByRole("button", { name: /^Open file: / }).click();
  await page.getByRole("alert").filter({ hasText: "The file is no longer there. It may have been moved or deleted." }).waitFor();
  await page.evaluate(() => { /** @type {any} */ (window).__fake.cfg.fail = {}; });

  await rows.nth(0).getByRole("button", { name: "Run again: Support chats yesterday" }).click();
  await waitView(page, "export");
  assert.equal((await calls(page, "start_export"))[0].profileId, "prof-2");
  await fake(page, "finish");
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  await page.getByRole("button", { name: "History" }).click();
  await waitView(page, "history");
  assert.equal(await page.locator("table.history tbody tr").count(), 4, "the new run is listed");
  await assertClean(page, problems);
  await context.close();
});

test("an interrupted export is offered for resume on the home page; discard asks first", async () => {
  const { page, context, problems } = await openApp(browser, srv.url, { config: { resume: true } });
  const banner = page.getByRole("region", { name: "Interrupted export: Sales calls last week" });
  await banner.waitFor();
  assert.ok((await banner.innerText()).includes("1,800 conversations fetched"));
  await shot(page, "home-resume");

  await banner.getByRole("button", { name: "Discard" }).click();
  await page.getByRole("dialog", { name: "Discard the interrupted export?" }).getByRole("button", { name: "Keep it" }).click();
  assert.equal((await calls(page, "discard_resume")).length, 0);

  await banner.getByRole("button", { name: "Resume export" }).click();
  await waitView(page, "export");
  assert.deepEqual(await calls(page, "resume_export"), [{ runId: "run-int-1", onProgress: "<channel>" }]);
  await fake(page, "progress", { percent: 70, conversations: 3500, rows: 3500, estimatedTotal: 5000, etaSeconds: 30 }, "run-int-1");
  await page.getByText("3,500 of about 5,000 conversations").waitFor();
  await fake(page, "finish", {}, "run-int-1");
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  await assertClean(page, problems);
  await context.close();

  const second = await openApp(browser, srv.url, { config: { resume: true } });
  const b2 = second.page.getByRole("region", { name: "Interrupted export: Sales calls last week" });
  await b2.getByRole("button", { name: "Discard" }).click();
  await second.page.getByRole("dialog", { name: "Discard the interrupted export?" }).getByRole("button", { name: "Discard" }).click();
  await b2.waitFor({ state: "detached" });
  assert.deepEqual(await calls(second.page, "discard_resume"), [{ runId: "run-int-1" }]);
  await second.context.close();
});

test("settings load, validate and save the defaults; profiles can be shared", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "Settings" }).click();
  await waitView(page, "settings");
  assert.equal(await page.getByLabel("Default folder for exports").inputValue(), "/home/sup/Documents/Exports");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/London");
  await shot(page, "settings");

  await page.getByLabel("Default folder for exports").fill("Exports");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.locator('[data-field="defaultFolder"] .field-error', { hasText: "Use a full folder path" }).waitFor();
  assert.equal(await page.getByLabel("Default folder for exports").getAttribute("aria-invalid"), "true");

  await page.getByLabel("Default folder for exports").fill("/home/sup/Reports");
  await page.getByLabel("Time zone").selectOption("Europe/Paris");
  await page.getByLabel("Semicolons ( ; )").check();
  await page.getByLabel("Add a marker so Excel shows accents correctly").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved.", { exact: true }).waitFor();
  assert.deepEqual((await calls(page, "save_settings")).at(-1),
    { settings: { defaultFolder: "/home/sup/Reports", timeZone: "Europe/Paris", csvDelimiter: "semicolon", csvBom: false, lastUsedFolder: "/home/sup/Desktop" } },
    "what the settings page does not edit is sent back unchanged");

  await page.getByRole("button", { name: "Save profiles to a file…" }).click();
  await page.getByText("2 profiles saved to /home/sup/Documents/profiles.genesys-export.json.").waitFor();
  await page.getByRole("button", { name: "Import profiles from a file…" }).click();
  await page.getByText("1 profile imported. “Sales calls last week” was not imported: a profile with that name exists.").waitFor();
  await page.evaluate(() => { /** @type {any} */ (window).__fake.cfg.importCancelled = true; });
  await page.getByRole("button", { name: "Import profiles from a file…" }).click();
  await page.waitForFunction(() => /** @type {any} */ (window).__fake.callsOf("import_profiles").length === 2);
  await page.waitForTimeout(100);
  assert.ok(!(await viewText(page)).includes("0 profiles imported"), "closing the dialog says nothing");

  // New profiles start from these defaults.
  await page.getByRole("button", { name: "Exports" }).click();
  await page.getByRole("button", { name: "New profile" }).click();
  await waitView(page, "editor");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/Paris");
  await page.locator('input[name="format"][value="csv"]').check();
  assert.ok(await page.getByLabel("Semicolons ( ; ), common in Europe").isChecked());
  await assertClean(page, problems);
  await context.close();
});

test("connections can be tested, edited without retyping the secret, added and deleted after confirming", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "Connections" }).click();
  await waitView(page, "connections");
  const card = page.locator(".card", { hasText: "Contact centre" });
  assert.ok((await card.innerText()).includes("EMEA (Dublin)"));
  assert.ok((await card.innerText()).includes("Secret saved on this computer"));
  await card.getByRole("button", { name: "Test Contact centre" }).click();
  await card.getByText("Connected. This client can read conversation details.").waitFor();
  assert.deepEqual(await calls(page, "test_connection"), [{ connectionId: "conn-1" }]);
  await shot(page, "connections");

  await card.getByRole("button", { name: "Edit Contact centre" }).click();
  await waitView(page, "connections");
  assert.ok((await viewText(page)).includes("A secret is saved on this computer. Leave this empty to keep it."));
  await page.getByLabel("Region").selectOption("mypurecloud.de");
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("Enter the client secret to test the changed details, or save them first.").waitFor();
  assert.equal((await calls(page, "test_connection")).length, 1, "changed details are not tested against the old secret");
  await page.getByLabel("Region").selectOption("mypurecloud.ie");
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("Connected.", { exact: false }).first().waitFor();
  assert.deepEqual((await calls(page, "test_connection")).at(-1), { connectionId: "conn-1" }, "unchanged details test the saved connection");
  await page.getByLabel("Name").fill("Contact centre EU");
  await page.getByRole("button", { name: "Save connection" }).click();
  await page.getByText("Connection “Contact centre EU” saved.").waitFor();
  assert.deepEqual((await calls(page, "save_connection")).at(-1),
    { connection: { name: "Contact centre EU", environment: "mypurecloud.ie", clientId: "3f1c2b7a-0d2e-4b8e-9c1a-22aa55bb0001", id: "conn-1" } },
    "no secret sent when it is kept");

  await page.getByRole("button", { name: "Add connection" }).click();
  await page.getByRole("heading", { name: "Add a connection" }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("heading", { name: "Connections" }).waitFor();

  await page.getByRole("button", { name: "Add the demo organization" }).click();
  await page.getByText("The demo organization was added").waitFor();
  await page.getByRole("button", { name: "Delete Contact centre EU" }).click();
  await page.getByRole("dialog", { name: "Delete “Contact centre EU”?" }).getByRole("button", { name: "Delete connection" }).click();
  await page.getByText("Connection “Contact centre EU” deleted.").waitFor();
  assert.deepEqual(await calls(page, "delete_connection"), [{ id: "conn-1" }]);

  // Deleting the last connection leads back to the first-run screen.
  await page.getByRole("button", { name: "Delete Demo organization" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete connection" }).click();
  await waitView(page, "firstrun");
  await assertClean(page, problems);
  await context.close();
});

test("help shows the version, where the logs are, and the startup notices", async () => {
  const { page, context, problems } = await openApp(browser, srv.url, { config: { notices: ["The settings file was from a newer version and was set aside."] } });
  await page.getByRole("button", { name: "Help" }).click();
  await waitView(page, "help");
  const text = await viewText(page);
  assert.ok(text.includes("0.1.0"));
  assert.ok(text.includes("/home/sup/.local/share/com.genesysexport.desktop/logs"));
  assert.ok(text.includes("The settings file was from a newer version and was set aside."));
  await shot(page, "help");
  await assertClean(page, problems);
  await context.close();
});

test("a failing page load explains itself and can be retried", async () => {
  const { page, context } = await openApp(browser, srv.url, { config: { fail: { list_history: { kind: "storage", message: "history.json is corrupt" } } } });
  await page.getByRole("button", { name: "History" }).click();
  await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
  assert.ok((await viewText(page)).includes("A saved settings file could not be read."));
  await page.evaluate(() => { /** @type {any} */ (window).__fake.cfg.fail = {}; });
  await page.getByRole("button", { name: "Try again" }).click();
  await page.locator("table.history").waitFor();
  await context.close();
});
