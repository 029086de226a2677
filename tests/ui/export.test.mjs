// The export flow: save dialog, progress, rate-limit waits, cancel with confirmation, done, errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openApp, shot, calls, fake, waitView, viewText, assertClean } from "./helpers.mjs";

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

test("progress shows counts, time left, the current step and rate-limit waits, then the done view", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await startSalesExport(page);
  const [args] = await calls(page, "start_export");
  assert.match(args.runId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "the UI mints a UUID run id");
  assert.equal(args.profileId, "prof-1");
  assert.equal(args.onProgress, "<channel>");
  assert.equal(args.destination, undefined, "no destination: the backend shows the save dialog");
  assert.equal(await page.locator("h1").innerText(), "Exporting “Sales calls last week”");
  assert.ok(await page.locator(".bar.indeterminate").isVisible(), "no percent yet: a moving bar");

  await fake(page, "progress", { phase: "fetching", percent: 25, conversations: 1234, rows: 1234, estimatedTotal: 5000, etaSeconds: 150, message: "Fetching day 2 of 7", window: { index: 2, count: 7 } });
  await page.getByText("1,234 of about 5,000 conversations").waitFor();
  assert.equal(await page.getByRole("progressbar").getAttribute("aria-valuenow"), "25");
  const text = await viewText(page);
  assert.ok(text.includes("About 3 minutes left"), text);
  assert.ok(text.includes("Fetching day 2 of 7"));
  await shot(page, "export-progress");

  await fake(page, "progress", { phase: "waiting", percent: 30, conversations: 1500, rows: 1500, estimatedTotal: 5000, etaSeconds: 140, message: "Genesys asked us to slow down, continuing in 12 s", waitSeconds: 12 });
  await page.getByText("Genesys asked us to slow down, continuing in 12 s").waitFor();
  await page.getByText("Genesys asked us to slow down, continuing in 11 s").waitFor({ timeout: 3000 });
  await shot(page, "export-rate-limited");

  await fake(page, "progress", { phase: "writing", percent: 100, conversations: 5000, rows: 5000, estimatedTotal: 5000, etaSeconds: 0, message: "Writing the file" });
  await page.getByText("Writing the file").waitFor();
  assert.ok(await page.locator(".wait").isHidden(), "the wait notice goes away");

  await fake(page, "finish", { rows: 5012, conversations: 5000, durationMs: 127000, bytes: 1289000, warnings: ["3 conversations had no queue; their Queue cell is empty."] });
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  const done = await viewText(page);
  for (const s of ["5,012", "5,000", "2 min 7 s", "1.2 MB", "Sales calls last week 2026-11-16 to 2026-11-22.xlsx", "in /home/sup/Documents/Exports", "3 conversations had no queue"]) {
    assert.ok(done.includes(s), `done view lacks ${s}`);
  }
  await shot(page, "export-done");

  await page.getByRole("button", { name: "Open file" }).click();
  await page.getByRole("button", { name: "Show in folder" }).click();
  await page.waitForFunction(() => /** @type {any} */ (window).__fake.callsOf("show_in_folder").length === 1);
  const path = "/home/sup/Documents/Exports/Sales calls last week 2026-11-16 to 2026-11-22.xlsx";
  assert.deepEqual(await calls(page, "open_file"), [{ path }]);
  assert.deepEqual(await calls(page, "show_in_folder"), [{ path }]);

  await page.getByRole("button", { name: "Export again" }).click();
  await page.getByText("Saving to").waitFor();
  const all = await calls(page, "start_export");
  assert.equal(all.length, 2);
  assert.notEqual(all[1].runId, all[0].runId, "every run has its own id");
  await assertClean(page, problems);
  await context.close();
});

test("Cancel asks first; keeping the export sends nothing, stopping it cancels the run", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await startSalesExport(page);
  await fake(page, "progress", { percent: 40, conversations: 2000, rows: 2000, estimatedTotal: 5000, etaSeconds: 90, message: "Fetching day 3 of 7" });
  await page.getByText("2,000 of about 5,000 conversations").waitFor();

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
  await shot(page, "export-cancelled");
  await assertClean(page, problems);
  await context.close();
});

test("an authentication failure says what happened and leads to Connections", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await startSalesExport(page);
  await fake(page, "fail", { kind: "auth", message: "Genesys Cloud rejected the client credentials (401)." });
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  const text = await viewText(page);
  assert.ok(text.includes("Genesys Cloud did not accept the sign-in."));
  assert.ok(text.includes("Check the client ID and client secret in Connections"));
  assert.ok(text.includes("Details: Genesys Cloud rejected the client credentials (401)."));
  await shot(page, "export-failed-auth");
  await page.getByRole("button", { name: "Open Connections" }).click();
  await waitView(page, "connections");
  await assertClean(page, problems);
  await context.close();
});

test("each error kind gets its own advice: permission names the permission, io suggests another folder", async () => {
  const { page, context } = await openApp(browser, srv.url);
  await startSalesExport(page);
  await fake(page, "fail", { kind: "permission", message: "Missing permission analytics:conversationDetail:view" });
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  assert.ok((await viewText(page)).includes("add the permission analytics:conversationDetail:view to the OAuth client's role"));

  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByText("Saving to").waitFor();
  await fake(page, "fail", { kind: "io", message: "Permission denied: /media/usb/x.xlsx" });
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  assert.ok((await viewText(page)).includes("Choose another folder"));

  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByText("Saving to").waitFor();
  await fake(page, "fail", { kind: "network", message: "connection refused" });
  await page.getByRole("heading", { name: "The export could not finish" }).waitFor();
  assert.ok((await viewText(page)).includes("Check your internet connection"));
  await context.close();
});

test("closing the save dialog without a file goes back home and says why", async () => {
  const { page, context, problems } = await openApp(browser, srv.url, { config: { dialog: "cancel" } });
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await waitView(page, "home");
  await page.getByText("The export did not start because no file was chosen.").waitFor();
  await assertClean(page, problems);
  await context.close();
});

test("a run keeps going when leaving its page; the card offers to view its progress", async () => {
  const { page, context } = await openApp(browser, srv.url);
  await startSalesExport(page);
  await fake(page, "queued");
  await page.getByText("Another export on the same connection is running").waitFor();
  await fake(page, "progress", { percent: 50, conversations: 10, rows: 10 });
  await page.getByRole("button", { name: "Back to exports (keeps running)" }).click();
  await waitView(page, "home");
  const card = page.locator(".card", { hasText: "Sales calls last week" });
  await card.getByText("50% done").waitFor();
  await fake(page, "progress", { percent: 60, conversations: 12, rows: 12 });
  await card.getByText("60% done").waitFor();
  await card.getByRole("button", { name: "View progress" }).click();
  await waitView(page, "export");
  await page.getByText("12 conversations so far").waitFor();
  await fake(page, "finish");
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  await context.close();
});

test("a range of more than a month says how long it may take before the export starts (#14.6)", async () => {
  const message = "This export covers 92 days, more than a month. Genesys Cloud is asked for it a day or a few days at a time, so it may take from about 3 minutes to about 1½ hours, depending on how many conversations there are. You can keep working meanwhile; the time left is shown once the first days are in.";
  const { page, context, problems } = await openApp(browser, srv.url, { config: { longRange: { days: 92, message }, dialogMs: 1500 } });
  await page.getByRole("button", { name: "Export Sales calls last week" }).click();
  await waitView(page, "export");
  const notice = page.locator(".long-range");
  await notice.getByText("about 3 minutes to about 1½ hours").waitFor();
  // Shown while the save dialog is open: nothing has been fetched yet.
  assert.ok(await page.getByText("Choose where to save the file in the window that opened").isVisible());
  assert.equal(await notice.getAttribute("role"), "note");
  assert.ok((await notice.innerText()).includes("This export may take a while"));
  await shot(page, "export-long-range");
  // It stays while the export runs.
  await page.getByText("Saving to Sales calls last week").waitFor();
  await fake(page, "progress", { percent: 5, conversations: 100, rows: 100, estimatedTotal: 2000, etaSeconds: 600 });
  await page.getByText("100 of about 2,000 conversations").waitFor();
  assert.ok(await notice.isVisible());
  await fake(page, "finish");
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  await assertClean(page, problems);
  await context.close();
});

test("a month or less shows no such notice", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await startSalesExport(page);
  assert.equal(await page.locator(".long-range").isVisible(), false);
  await fake(page, "finish");
  await page.getByRole("heading", { name: "Export finished" }).waitFor();
  await assertClean(page, problems);
  await context.close();
});
