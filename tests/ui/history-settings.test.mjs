// History (re-run, open), resume of interrupted runs, settings, connections and help.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { startServer, launch, openApp, shot, calls, waitView, viewText, assertClean } from "./helpers.mjs";

/** @type {Awaited<ReturnType<typeof startServer>>} */ let srv;
/** @type {import('playwright-core').Browser} */ let browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

test("history lists past exports newest first, in words, and can open or re-run them", async () => {
  // One finished export and one that failed (a wrong secret), run for real before the app opens.
  const { page, context, problems, ids, backend } = await openApp(browser, srv, { config: { history: true } });
  const [failed, done] = await backend.invoke("list_history");
  assert.equal(failed.status, "failed");
  assert.equal(done.status, "done");
  await page.getByRole("button", { name: "History" }).click();
  await waitView(page, "history");
  assert.equal(await page.getByRole("button", { name: "History" }).getAttribute("aria-current"), "page");
  const rows = page.locator("table.history tbody tr");
  assert.equal(await rows.count(), 2);
  const first = await rows.nth(0).innerText();
  assert.ok(first.includes("Support chats yesterday") && first.includes("Failed") && first.includes("Genesys Cloud refused to log in"), first);
  const second = await rows.nth(1).innerText();
  assert.ok(second.includes("Done") && second.includes(`${done.rows.toLocaleString("en-US")} rows in`), second);
  assert.match(second, /[A-Z][a-z]{2} \d{1,2}, 20\d\d – [A-Z][a-z]{2} \d{1,2}, 20\d\d/);
  await shot(page, "history");

  await rows.nth(1).getByRole("button", { name: /^Open file: / }).click();
  await page.waitForFunction(() => /** @type {any} */ (window).__ipc.callsOf("open_file").length === 1);
  assert.deepEqual(await calls(page, "open_file"), [{ path: done.path }]);
  assert.deepEqual(await backend.opened(), [{ open: done.path }]);
  // The file was moved away since: the backend says so.
  await rm(done.path);
  await rows.nth(1).getByRole("button", { name: /^Open file: / }).click();
  await page.getByRole("alert").filter({ hasText: "It may have been moved or deleted." }).waitFor();

  await rows.nth(0).getByRole("button", { name: "Run again: Support chats yesterday" }).click();
  await waitView(page, "export");
  assert.equal((await calls(page, "start_export"))[0].profileId, ids.support);
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  await page.getByRole("button", { name: "History" }).click();
  await waitView(page, "history");
  assert.equal(await page.locator("table.history tbody tr").count(), 3, "the new run is listed");
  await assertClean(page, problems);
  await context.close();
});

test("an interrupted export is offered for resume on the home page; discard asks first", async () => {
  // A real export, interrupted by a crash of the app with part of its file written.
  const { page, context, problems, ids, backend } = await openApp(browser, srv, { config: { resume: true } });
  const [pending] = await backend.invoke("pending_resumes");
  assert.equal(pending.runId, ids.interrupted);
  const banner = page.getByRole("region", { name: "Interrupted export: Sales calls last week" });
  await banner.waitFor();
  assert.ok((await banner.innerText()).includes(`${pending.conversations.toLocaleString("en-US")} conversations fetched`), await banner.innerText());
  await shot(page, "home-resume");

  await banner.getByRole("button", { name: "Discard" }).click();
  await page.getByRole("dialog", { name: "Discard the interrupted export?" }).getByRole("button", { name: "Keep it" }).click();
  assert.equal((await calls(page, "discard_resume")).length, 0);

  await banner.getByRole("button", { name: "Resume export" }).click();
  await waitView(page, "export");
  assert.deepEqual(await calls(page, "resume_export"), [{ runId: ids.interrupted, onProgress: "<channel>" }]);
  await page.getByRole("heading", { name: "Export finished" }).waitFor({ timeout: 60000 });
  const entry = (await backend.invoke("list_history")).find((/** @type {any} */ h) => h.runId === ids.interrupted);
  assert.equal(entry.status, "done");
  assert.ok(entry.conversations > pending.conversations, "the rest was fetched");
  assert.deepEqual(await backend.invoke("pending_resumes"), []);
  await assertClean(page, problems);
  await context.close();

  const second = await openApp(browser, srv, { config: { resume: true } });
  const b2 = second.page.getByRole("region", { name: "Interrupted export: Sales calls last week" });
  await b2.getByRole("button", { name: "Discard" }).click();
  await second.page.getByRole("dialog", { name: "Discard the interrupted export?" }).getByRole("button", { name: "Discard" }).click();
  await b2.waitFor({ state: "detached" });
  assert.deepEqual(await calls(second.page, "discard_resume"), [{ runId: second.ids.interrupted }]);
  assert.deepEqual(await second.backend.invoke("pending_resumes"), []);
  assert.deepEqual(await readdir(second.backend.info.exportsDir), [], "the partial file is gone");
  await second.context.close();
});

test("settings load, validate and save the defaults; profiles can be shared", async () => {
  const { page, context, problems, backend } = await openApp(browser, srv);
  const exports = backend.info.exportsDir;
  const reports = path.join(exports, "Reports");
  await page.getByRole("button", { name: "Settings" }).click();
  await waitView(page, "settings");
  assert.equal(await page.getByLabel("Default folder for exports").inputValue(), exports);
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/London");
  await shot(page, "settings");

  await page.getByLabel("Default folder for exports").fill("Exports");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.locator('[data-field="defaultFolder"] .field-error', { hasText: "is not a full folder path" }).waitFor();
  assert.equal(await page.getByLabel("Default folder for exports").getAttribute("aria-invalid"), "true");

  await page.getByLabel("Default folder for exports").fill(reports);
  await page.getByLabel("Time zone").selectOption("Europe/Paris");
  await page.getByLabel("Semicolons ( ; )").check();
  await page.getByLabel("Add a marker so Excel shows accents correctly").uncheck();
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Settings saved.", { exact: true }).waitFor();
  assert.deepEqual((await calls(page, "save_settings")).at(-1),
    { settings: { defaultFolder: reports, timeZone: "Europe/Paris", csvDelimiter: "semicolon", csvBom: false, lastUsedFolder: null } },
    "what the settings page does not edit is sent back unchanged");
  assert.equal((await backend.invoke("get_settings")).defaultFolder, reports);

  // Sharing: the save dialog answers a file in the exports folder (suggested name).
  await page.getByRole("button", { name: "Save profiles to a file…" }).click();
  await page.getByText(/^2 profiles saved to /).waitFor();
  const [shared] = (await readdir(exports)).filter((f) => f.endsWith(".json"));
  assert.ok(shared, "the profiles file is written");
  await page.getByText(`2 profiles saved to ${path.join(exports, shared)}.`).waitFor();
  // Importing a file (the open dialog answers it): its profiles are added.
  const file = JSON.parse(await readFile(path.join(exports, shared), "utf8"));
  file.profiles = [{ ...file.profiles[0], name: "Sales calls, shared copy" }];
  await writeFile(path.join(exports, "one-new.json"), JSON.stringify(file));
  await backend.faults({ open: path.join(exports, "one-new.json") });
  await page.getByRole("button", { name: "Import profiles from a file…" }).click();
  await page.getByText("1 profile imported.").waitFor();
  assert.ok((await backend.invoke("list_profiles")).some((/** @type {any} */ p) => p.name === "Sales calls, shared copy"));
  await backend.faults({ open: null });
  await page.getByRole("button", { name: "Import profiles from a file…" }).click();
  await page.waitForFunction(() => /** @type {any} */ (window).__ipc.callsOf("import_profiles").length === 2);
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
  const { page, context, problems, ids, backend } = await openApp(browser, srv);
  const sim = backend.info;
  await page.getByRole("button", { name: "Connections" }).click();
  await waitView(page, "connections");
  const card = page.locator(".card", { hasText: "Contact centre" });
  assert.ok((await card.innerText()).includes(new URL(sim.simUrl).host), await card.innerText());
  assert.ok((await card.innerText()).includes("Secret saved on this computer"));
  await card.getByRole("button", { name: "Test Contact centre" }).click();
  await card.getByText("Connected. This client can read conversation details.").waitFor();
  assert.deepEqual(await calls(page, "test_connection"), [{ connectionId: ids.connection }]);
  await shot(page, "connections");

  await card.getByRole("button", { name: "Edit Contact centre" }).click();
  await waitView(page, "connections");
  assert.ok((await viewText(page)).includes("A secret is saved on this computer. Leave this empty to keep it."));
  await page.getByLabel("Region").selectOption("mypurecloud.de");
  assert.ok(await page.getByLabel("Address").isHidden());
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("Enter the client secret to test the changed details, or save them first.").waitFor();
  assert.equal((await calls(page, "test_connection")).length, 1, "changed details are not tested against the old secret");
  await page.getByLabel("Region").selectOption({ label: "Other address (private deployment or test server)…" });
  await page.getByLabel("Address").fill(sim.simUrl);
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("Connected.", { exact: false }).first().waitFor();
  assert.deepEqual((await calls(page, "test_connection")).at(-1), { connectionId: ids.connection }, "unchanged details test the saved connection");
  await page.getByLabel("Name").fill("Contact centre EU");
  await page.getByRole("button", { name: "Save connection" }).click();
  await page.getByText("Connection “Contact centre EU” saved.").waitFor();
  assert.deepEqual((await calls(page, "save_connection")).at(-1),
    { connection: { name: "Contact centre EU", environment: sim.simUrl, clientId: sim.clientId, id: ids.connection } },
    "no secret sent when it is kept");
  const [kept] = await backend.invoke("list_connections");
  assert.equal(kept.hasSecret, true, "the secret is kept");

  await page.getByRole("button", { name: "Add connection" }).click();
  await page.getByRole("heading", { name: "Add a connection" }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("heading", { name: "Connections" }).waitFor();

  await page.getByRole("button", { name: "Add the demo organization" }).click();
  await page.getByText("The demo organization was added").waitFor();
  // A connection that profiles use cannot be deleted; the backend says which.
  await page.getByRole("button", { name: "Delete Contact centre EU" }).click();
  await page.getByRole("dialog", { name: "Delete “Contact centre EU”?" }).getByRole("button", { name: "Delete connection" }).click();
  await page.getByText(/is used by 2 profiles \(Sales calls last week, Support chats yesterday\)/).waitFor();
  for (const p of await backend.invoke("list_profiles")) await backend.invoke("delete_profile", { id: p.id });
  await page.getByRole("button", { name: "Delete Contact centre EU" }).click();
  await page.getByRole("dialog", { name: "Delete “Contact centre EU”?" }).getByRole("button", { name: "Delete connection" }).click();
  await page.getByText("Connection “Contact centre EU” deleted.").waitFor();
  assert.deepEqual(await calls(page, "delete_connection"), [{ id: ids.connection }, { id: ids.connection }]);

  // Deleting the last connection leads back to the first-run screen.
  await page.getByRole("button", { name: "Delete Demo (simulated org)" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete connection" }).click();
  await waitView(page, "firstrun");
  await assertClean(page, problems);
  await context.close();
});

test("help shows the version, where the logs are, and the startup notices", async () => {
  const { page, context, problems, backend } = await openApp(browser, srv, { config: { damaged: ["profiles"] } });
  const { notices, logDir } = await backend.invoke("app_info");
  assert.equal(notices.length, 1);
  await page.getByRole("button", { name: "Help" }).click();
  await waitView(page, "help");
  const text = await viewText(page);
  assert.ok(text.includes("0.1.0"));
  assert.ok(text.includes(logDir));
  assert.ok(text.includes(notices[0]), text);
  await shot(page, "help");
  await assertClean(page, problems);
  await context.close();
});

test("a failing page load explains itself and can be retried", async () => {
  const { page, context, backend } = await openApp(browser, srv, { config: { history: true, faults: { fail: { list_history: { kind: "storage", message: "history.json is corrupt" } } } } });
  await page.getByRole("button", { name: "History" }).click();
  await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
  assert.ok((await viewText(page)).includes("A saved settings file could not be read."));
  await backend.faults({ fail: {} });
  await page.getByRole("button", { name: "Try again" }).click();
  await page.locator("table.history").waitFor();
  await context.close();
});
