// Home cards, the profile editor (validation, pickers, columns, formats) and the preview.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openApp, shot, calls, waitView, viewText, assertClean, waitCount } from "./helpers.mjs";

/** @type {Awaited<ReturnType<typeof startServer>>} */ let srv;
/** @type {import('playwright-core').Browser} */ let browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

test("home shows each profile as a card with what it exports, its last run and a big Export button", async () => {
  const { page, context, problems } = await openApp(browser, srv.url, { config: { notices: ["Your profiles file was damaged and was set aside as profiles.json.bad; the app started with a fresh list."] } });
  await waitView(page, "home");
  assert.equal(await page.locator(".card").count(), 2);
  const sales = page.locator(".card", { hasText: "Sales calls last week" });
  const t = await sales.innerText();
  assert.ok(t.includes("Last week · Voice calls · Inbound · 2 queues · Excel workbook"), t);
  assert.ok(t.includes("From Contact centre"));
  assert.match(t, /Last export .*2026.*: 4,210 rows in 1 min 23 s/);
  const support = await page.locator(".card", { hasText: "Support chats yesterday" }).innerText();
  assert.ok(support.includes("did not finish"));
  const box = await sales.getByRole("button", { name: "Export Sales calls last week" }).boundingBox();
  assert.ok(box && box.height >= 46, "the Export button is big");
  assert.ok((await viewText(page)).includes("Your profiles file was damaged"), "startup notices are shown");
  await shot(page, "home");
  await page.getByRole("button", { name: "OK, got it" }).click();
  assert.ok(!(await viewText(page)).includes("Your profiles file was damaged"));
  await assertClean(page, problems);
  await context.close();
});

test("the editor checks the profile in plain words, client-side and from the backend", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "New profile" }).click();
  await waitView(page, "editor");
  assert.equal(await page.locator("h1").innerText(), "New export profile");
  // Defaults: last week, the system time zone, Excel, the usual columns.
  assert.ok(await page.getByLabel("Last week").isChecked());
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/London");
  assert.ok(await page.locator('input[name="format"][value="xlsx"]').isChecked());
  assert.ok(await page.getByLabel("One row per conversation").isChecked());
  assert.equal(await page.locator(".col-list.chosen li").count(), 7);
  await shot(page, "editor-new");

  await page.getByLabel("Choose dates…").check();
  await page.getByLabel("First day").fill("2026-11-20");
  await page.getByLabel("Last day (included)").fill("2026-11-10");
  await page.getByLabel("File name", { exact: true }).fill("report/{from}");
  await page.getByRole("button", { name: "Save profile" }).click();
  const text = await viewText(page);
  for (const m of ["Give the profile a name", "The last day must be on or after the first day.", "A file name cannot contain"]) {
    assert.ok(text.includes(m), `missing: ${m}`);
  }
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-invalid")), "true", "focus goes to the first wrong field");
  assert.ok((await page.locator(".banner.error").innerText()).includes("Please fix these 3 things"));
  assert.equal((await calls(page, "save_profile")).length, 0);
  await shot(page, "editor-errors");

  // The backend's field error (duplicate name) lands under the name.
  await page.getByLabel("Profile name").fill("sales calls last week");
  await page.getByLabel("Last day (included)").fill("2026-11-22");
  await page.getByLabel("File name", { exact: true }).fill("{profile} {from} to {to}");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.locator('[data-field="name"] .field-error', { hasText: "Another profile already has this name" }).waitFor();
  assert.ok(await page.locator('[data-field="to"] .field-error').isHidden(), "fixed errors disappear");
  await assertClean(page, problems);
  await context.close();
});

test("queues, agents and wrap-up codes are found by name; columns are chosen and ordered; the saved profile has them", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "New profile" }).click();
  await waitView(page, "editor");
  await page.getByLabel("Profile name").fill("Retention calls");
  await page.getByLabel("This month").check();
  await page.getByLabel("Voice calls").check();
  await page.getByLabel("Inbound (customers contacting you)").check();

  const queues = page.locator("fieldset.picker", { hasText: "Queues" });
  await queues.getByLabel("Search queues by name").fill("sal");
  await waitCount(queues.locator(".results li"), 2);
  assert.deepEqual(await queues.locator(".results li").allInnerTexts(), ["Sales", "Sales Outbound"]);
  await queues.getByLabel("Sales", { exact: true }).check();
  await queues.getByLabel("Search queues by name").fill("ret");
  await waitCount(queues.locator(".results li"), 1);
  await queues.getByLabel("Retention").check();
  assert.deepEqual(await queues.locator(".chip span").allInnerTexts(), ["Sales", "Retention"]);
  await queues.getByRole("button", { name: "Remove Sales" }).click();
  assert.deepEqual(await queues.locator(".chip span").allInnerTexts(), ["Retention"]);
  const search = await calls(page, "list_entities");
  assert.ok(search.some((a) => a.kind === "queue" && a.search === "ret" && a.connectionId === "conn-1"));

  const agents = page.locator("fieldset.picker", { hasText: "Agents" });
  await agents.getByLabel("Search agents by name").fill("chlo");
  await waitCount(agents.locator(".results li"), 1);
  await agents.getByLabel("Chloé Dubois").check();
  const wraps = page.locator("fieldset.picker", { hasText: "Wrap-up codes" });
  await wraps.getByLabel("Search wrap-up codes by name").fill("sale");
  await waitCount(wraps.locator(".results li"), 2);
  await wraps.getByLabel("No sale").check();
  const divisions = page.locator("fieldset.picker", { hasText: "Divisions" });
  await divisions.getByLabel("Search divisions by name").fill("eur");
  await waitCount(divisions.locator(".results li"), 1);
  await divisions.getByLabel("Europe").check();

  // Columns: move Queue to the top, remove End, add Talk time.
  await page.getByRole("button", { name: "Move Queue up" }).click();
  await page.getByRole("button", { name: "Move Queue up" }).click();
  await page.getByRole("button", { name: "Move Queue up" }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Move Queue up", "focus stays on the moved column");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Move Queue down", "at the top, focus moves to a button that still works");
  await page.getByRole("button", { name: "Remove End" }).click();
  await page.getByRole("button", { name: "Add Talk time" }).click();
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(),
    ["Queue", "Start", "Media type", "Direction", "Agent", "Wrap-up code", "Talk time"]);

  // Format options follow the format.
  assert.ok(await page.getByText("Separate values with").isHidden());
  await page.locator('input[name="format"][value="csv"]').check();
  await page.getByLabel("Semicolons ( ; ), common in Europe").check();
  await page.getByLabel("As hours:minutes:seconds (0:12:34)").check();
  await page.getByLabel("Also include the Genesys ids next to names").check();
  assert.ok((await page.locator(".example").innerText()).endsWith(".csv"));
  assert.ok((await page.locator(".example").innerText()).startsWith("Retention calls "));
  await shot(page, "editor-filled");
  await page.locator('input[name="format"][value="jsonl"]').check();
  assert.ok(await page.locator(".rows-cols").isHidden(), "rows and columns do not apply to JSON lines");
  await page.locator('input[name="format"][value="csv"]').check();

  await page.getByRole("button", { name: "Save profile" }).click();
  await waitView(page, "home");
  const [{ profile }] = await calls(page, "save_profile");
  assert.equal(profile.name, "Retention calls");
  assert.equal(profile.connectionId, "conn-1");
  assert.deepEqual(profile.range, { kind: "preset", preset: "this_month" });
  assert.equal(profile.timeZone, "Europe/London");
  assert.equal(profile.options.timeZone, "Europe/London");
  assert.deepEqual(profile.filters, { queueIds: ["queue-6"], mediaTypes: ["voice"], directions: ["inbound"], userIds: ["user-3"], wrapUpCodes: ["wrap_up_code-2"], divisionIds: ["division-2"] });
  assert.deepEqual(profile.options, { grain: "conversation", columns: ["queue", "start", "mediaType", "direction", "agent", "wrapUp", "talkTime"],
    format: "csv", timeZone: "Europe/London", durationFormat: "hms", includeIds: true, csvDelimiter: "semicolon", csvBom: true });
  assert.ok((await viewText(page)).includes("Profile “Retention calls” saved."));
  assert.equal(await page.locator(".card").count(), 3);
  await assertClean(page, problems);
  await context.close();
});

test("editing shows the saved choices; changing the row grain reloads the columns; delete asks first", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "Edit Sales calls last week" }).click();
  await waitView(page, "editor");
  assert.equal(await page.locator("h1").innerText(), "Edit “Sales calls last week”");
  assert.equal(await page.getByLabel("Profile name").inputValue(), "Sales calls last week");
  assert.ok(await page.getByLabel("Voice calls").isChecked());
  const queues = page.locator("fieldset.picker", { hasText: "Queues" });
  await queues.locator(".chip span", { hasText: "Sales Outbound" }).waitFor();
  assert.deepEqual(await queues.locator(".chip span").allInnerTexts(), ["Sales", "Sales Outbound"], "saved ids are shown by name");
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), ["Start", "Queue", "Agent", "Wrap-up code", "Talk time"]);

  await page.getByLabel("One row per segment").check();
  await page.getByRole("button", { name: "Add Duration" }).waitFor();
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), ["Start", "Queue"], "columns that exist at the new grain are kept");
  await page.getByRole("button", { name: "Reset to the usual columns" }).click();
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), ["Conversation ID", "Participant", "Start", "Duration"]);
  assert.ok((await calls(page, "list_columns")).some((a) => a.grain === "segment"));

  await page.getByRole("button", { name: "Delete profile" }).click();
  const dlg = page.getByRole("dialog", { name: "Delete “Sales calls last week”?" });
  await dlg.getByRole("button", { name: "Keep it" }).click();
  assert.equal((await calls(page, "delete_profile")).length, 0);
  await page.getByRole("button", { name: "Delete profile" }).click();
  await dlg.getByRole("button", { name: "Delete profile" }).click();
  await waitView(page, "home");
  assert.deepEqual(await calls(page, "delete_profile"), [{ id: "prof-1" }]);
  assert.equal(await page.locator(".card").count(), 1);
  await assertClean(page, problems);
  await context.close();
});

test("preview shows the first rows and the estimated count, and can start the export", async () => {
  const { page, context, problems } = await openApp(browser, srv.url);
  await page.getByRole("button", { name: "Preview Sales calls last week" }).click();
  await waitView(page, "preview");
  await page.getByText("About 4,321 conversations").waitFor();
  assert.deepEqual(await page.locator("table.sample th").allInnerTexts(), ["Start", "Queue", "Agent", "Wrap-up code", "Talk time"]);
  assert.equal(await page.locator("table.sample tbody tr").count(), 12);
  assert.deepEqual(await calls(page, "preview"), [{ profileId: "prof-1" }]);
  await shot(page, "preview");
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await waitView(page, "export");
  assert.equal((await calls(page, "start_export"))[0].profileId, "prof-1");
  await assertClean(page, problems);
  await context.close();
});

test("preview with nothing to export says so and offers no Export", async () => {
  const { page, context } = await openApp(browser, srv.url, { config: { previewTotal: 0 } });
  await page.getByRole("button", { name: "Preview Support chats yesterday" }).click();
  await page.getByText("There are no conversations in this period.").waitFor();
  assert.ok(await page.getByRole("button", { name: "Export", exact: true }).isDisabled());
  await context.close();
});

test("a profile with exact times (made by the CLI) keeps them when saved untouched", async () => {
  const { page, context, problems } = await openApp(browser, srv.url, { config: { exactTimes: true } });
  const card = page.locator(".card", { hasText: "Night shift" });
  assert.ok((await card.innerText()).includes("Nov 20, 2026 – Nov 21, 2026"), await card.innerText());
  await card.getByRole("button", { name: "Edit Night shift" }).click();
  await waitView(page, "editor");
  assert.ok(await page.getByLabel("Choose dates…").isChecked());
  assert.equal(await page.getByLabel("First day").inputValue(), "2026-11-20");
  assert.ok((await viewText(page)).includes("This profile uses exact times: from 2026-11-20 22:00:00 up to 2026-11-21 06:00:00."));
  assert.equal(await page.getByLabel("Save in folder").inputValue(), "/home/sup/Night");
  await page.getByRole("button", { name: "Save profile" }).click();
  await waitView(page, "home");
  const [{ profile }] = await calls(page, "save_profile");
  assert.deepEqual(profile.range, { kind: "fixed_date_times", from: "2026-11-20T22:00:00", to: "2026-11-21T06:00:00" });
  assert.equal(profile.folder, "/home/sup/Night");
  assert.equal(profile.id, "prof-3");
  assert.ok(!("lastRun" in profile), "lastRun is not sent back");
  await assertClean(page, problems);
  await context.close();
});

test("a card warns when its connection has no saved secret", async () => {
  const { page, context } = await openApp(browser, srv.url, { config: { noSecret: true } });
  await page.locator(".card").first().waitFor();
  assert.ok((await page.locator(".card").first().innerText()).includes("No client secret is saved for Contact centre: enter it in Connections before exporting."));
  await context.close();
});
