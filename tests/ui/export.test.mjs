// The export flow against the real operations and the emulator: save dialog, progress, rate-limit
// waits, cancel with confirmation, done, errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { startServer, launch, openApp, shot, calls, waitView, viewText, assertClean } from "./helpers.mjs";

/** @type {Awaited<ReturnType<typeof startServer>>} */ let srv;
/** @type {import('playwright-core').Browser} */ let browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

/** @param {import('playwright-core').Page} page */
async function startSalesExport(page) {
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await waitView(page, "export");
  await page.getByText("Saving to Sales calls last week").waitFor();
}

test("progress shows counts, the current step and rate-limit waits, then the done view", async () => {
  // Genesys's rate limit, tight enough that the export has to wait a few seconds.
  const { page, context, problems, ids, backend } = await openApp(browser, srv, { config: { latencyMs: 50, rateLimit: { requests: 3, perMs: 8000 } } });
  await startSalesExport(page);
  const [args] = await calls(page, "start_export");
  assert.match(args.runId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "the UI mints a UUID run id");
  assert.deepEqual(args, { runId: args.runId, profileId: ids.sales, onProgress: "<channel>" }, "no destination: the backend shows the save dialog");
  assert.equal(await page.locator("h1").innerText(), "Exporting “Sales calls last week”");

  // The wait counts down.
  const wait = page.getByText(/Genesys asked us to slow down, continuing in \d s/);
  await wait.waitFor({ timeout: 45000 });
  const first = Number(/in (\d) s/.exec(await wait.innerText())?.[1]);
  const later = first > 1 ? new RegExp(`continuing (in [1-${first - 1}] s|now)`) : /continuing now/;
  await page.getByText(later).waitFor({ timeout: 3000 });
  // The size estimate is asked while the first pages are read: the count
  // shows "of about" once it is known (the wait may come before it).
  await page.getByText(/[1-9][\d,]* of about \d[\d,]* conversations/).waitFor({ timeout: 30000 });
  assert.ok(Number(await page.getByRole("progressbar").getAttribute("aria-valuenow")) > 0);
  await shot(page, "export-rate-limited");

  await page.getByRole("heading", { name: "Export finished" }).waitFor({ timeout: 60000 });
  const [entry] = (await backend.invoke("list_history")).filter((/** @type {any} */ h) => h.runId === args.runId);
  assert.equal(entry.status, "done");
  assert.ok(entry.conversations > 0);
  const done = await viewText(page);
  for (const s of [String(entry.conversations), path.basename(entry.path), `in ${path.dirname(entry.path)}`]) {
    assert.ok(done.includes(s), `done view lacks ${s}: ${done}`);
  }
  assert.deepEqual(await readdir(path.dirname(entry.path)), [path.basename(entry.path)], "the file is written, nothing else");
  await shot(page, "export-done");

  await page.getByRole("button", { name: "Open file" }).click();
  await page.getByRole("button", { name: "Show in folder" }).click();
  await page.waitForFunction(() => /** @type {any} */ (window).__ipc.callsOf("show_in_folder").length === 1);
  assert.deepEqual(await calls(page, "open_file"), [{ path: entry.path }]);
  assert.deepEqual(await backend.opened(), [{ open: entry.path }, { show: entry.path }]);

  await page.getByRole("button", { name: "Export again" }).click();
  await page.getByText("Saving to").waitFor();
  const all = await calls(page, "start_export");
  assert.equal(all.length, 2);
  assert.notEqual(all[1].runId, all[0].runId, "every run has its own id");
  await assertClean(page, problems);
  await context.close();
});

test("Cancel asks first; keeping the export sends nothing, stopping it cancels the run and leaves no file", async () => {
  const { page, context, problems, backend } = await openApp(browser, srv, { config: { latencyMs: 400 } });
  await startSalesExport(page);

  await page.getByRole("button", { name: "Cancel export" }).click();
  const dialog = page.getByRole("dialog", { name: "Stop this export?" });
  await dialog.waitFor();
  assert.ok((await dialog.innerText()).includes("The file will not be created"));
  await shot(page, "export-cancel-confirm");
  await dialog.getByRole("button", { name: "Keep exporting" }).click();
  assert.ok(await dialog.isHidden());
  assert.equal((await calls(page, "cancel_export")).length, 0);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Cancel export", "focus returns to the Cancel button");

  await page.keyboard.press("Enter"); // focus is on Cancel export
  await page.getByRole("dialog", { name: "Stop this export?" }).getByRole("button", { name: "Stop export" }).click();
  await page.getByRole("heading", { name: "Export cancelled" }).waitFor();
  const [started] = await calls(page, "start_export");
  assert.deepEqual(await calls(page, "cancel_export"), [{ runId: started.runId }]);
  assert.ok((await viewText(page)).includes("No file was created."));
  assert.deepEqual(await readdir(backend.info.exportsDir), [], "no file, no temp file");
  const [entry] = await backend.invoke("list_history");
  assert.equal(entry.status, "cancelled");
  await shot(page, "export-cancelled");
  await assertClean(page, problems);
  await context.close();
});

test("an authentication failure says what happened and leads to Connections", async () => {
  const { page, context, problems, ids, backend } = await openApp(browser, srv);
  // The secret in the keychain is no longer the client's.
  await backend.invoke("save_connection", { connection: { id: ids.connection, name: "Contact centre", environment: backend.info.simUrl, clientId: backend.info.clientId }, secret: "an-old-secret" });
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  const text = await viewText(page);
  assert.ok(text.includes("Genesys Cloud did not accept the sign-in."));
  assert.ok(text.includes("Check the client ID and client secret in Connections"));
  assert.ok(text.includes("Details: Genesys Cloud refused to log in"), text);
  assert.ok(!text.includes("an-old-secret"));
  await shot(page, "export-failed-auth");
  await page.getByRole("button", { name: "Open Connections" }).click();
  await waitView(page, "connections");
  await assertClean(page, problems);
  await context.close();
});

test("each error kind gets its own advice: permission names the permission, io suggests another folder", async () => {
  // States the emulator cannot reach quickly: the host's fault switch makes start_export fail so.
  const { page, context, backend } = await openApp(browser, srv);
  await backend.faults({ fail: { start_export: { kind: "permission", message: "Missing permission analytics:conversationDetail:view" } } });
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  assert.ok((await viewText(page)).includes("add the permission analytics:conversationDetail:view to the OAuth client's role"));

  await backend.faults({ fail: { start_export: { kind: "io", message: "Permission denied: /media/usb/x.xlsx" } } });
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  await page.getByText("Choose another folder").waitFor();

  await backend.faults({ fail: { start_export: { kind: "network", message: "connection refused" } } });
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByText("Check your internet connection").waitFor();
  assert.equal((await calls(page, "start_export")).length, 3);
  await context.close();
});

test("closing the save dialog without a file goes back home and says why", async () => {
  const { page, context, problems, backend } = await openApp(browser, srv, { config: { faults: { dialog: "cancel" } } });
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await waitView(page, "home");
  await page.getByText("The export did not start because no file was chosen.").waitFor();
  assert.deepEqual(await readdir(backend.info.exportsDir), []);
  await assertClean(page, problems);
  await context.close();
});

test("a run waits for another on the same connection, keeps going when leaving its page; the card offers to view its progress", async () => {
  // A slow emulator, so both runs take seconds.
  const { page, context, ids, backend } = await openApp(browser, srv, { config: { latencyMs: 600 } });
  // Another export on the same connection (say, from the command line) is running.
  const other = backend.invoke("start_export", { runId: crypto.randomUUID(), profileId: ids.support });
  await startSalesExport(page).catch(() => null);
  await page.getByText("Another export").waitFor();
  await page.getByRole("button", { name: "Back to exports (keeps running)" }).click();
  await waitView(page, "home");
  const card = page.locator(".card", { hasText: "Sales calls last week" });
  await card.getByText(/\d+% done|Starting|Waiting/).first().waitFor();
  await card.getByRole("button", { name: "View progress" }).click();
  await waitView(page, "export");
  await page.getByRole("heading", { name: "Export finished" }).waitFor({ timeout: 60000 });
  assert.equal((await other).status, "done");
  await context.close();
});

test("a range of more than a month says how long it may take before the export starts (#14.6)", async () => {
  // The profile covers 35 days; the save dialog stays open a while (the host's dialog takes 1.5 s).
  const { page, context, problems, ids, backend } = await openApp(browser, srv, { config: { latencyMs: 100, faults: { dialogMs: 1500 } } });
  const [sales] = (await backend.invoke("list_profiles")).filter((/** @type {any} */ p) => p.id === ids.sales);
  const day = (/** @type {number} */ n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
  const { lastRun: _, ...profile } = sales;
  await backend.invoke("save_profile", { profile: { ...profile, range: { kind: "fixed", from: day(36), to: day(2) } } });
  await page.reload();
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await waitView(page, "export");
  const notice = page.locator(".long-range");
  await notice.getByText("This export covers 35 days, more than a month.").waitFor();
  // Shown while the save dialog is open: nothing has been fetched yet.
  assert.ok(await page.getByText("Choose where to save the file in the window that opened").isVisible());
  assert.equal(await notice.getAttribute("role"), "note");
  assert.ok((await notice.innerText()).includes("This export may take a while"));
  assert.match(await notice.innerText(), /it may take from about .+ to about /);
  await shot(page, "export-long-range");
  // It stays while the export runs.
  await page.getByText("Saving to Sales calls last week").waitFor();
  await page.getByText(/\d+ (of about [\d,]+ )?conversations/).waitFor();
  assert.ok(await notice.isVisible());
  await page.getByRole("heading", { name: "Export finished" }).waitFor({ timeout: 60000 });
  await assertClean(page, problems);
  await context.close();
});

test("a month or less shows no such notice", async () => {
  const { page, context, problems } = await openApp(browser, srv, { config: { faults: { dialogMs: 500 } } });
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await page.getByText("Choose where to save the file in the window that opened").waitFor();
  assert.equal(await page.locator(".long-range").isVisible(), false);
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  assert.equal(await page.locator(".long-range").isVisible(), false);
  await assertClean(page, problems);
  await context.close();
});
