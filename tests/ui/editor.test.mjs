// Home cards, the profile editor (validation, pickers, columns, formats) and the preview.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer, launch, openApp, shot, calls, waitView, viewText, assertClean, waitCount } from "./helpers.mjs";

/** The column catalogue of a grain, from the backend. @param {any} backend @param {string} grain @returns {Promise<any[]>} */
const columns = (backend, grain) => backend.invoke("list_columns", { grain });
/** The id of the entity named `name`. @param {any} backend @param {string} connectionId @param {string} kind @param {string} name */
async function entityId(backend, connectionId, kind, name) {
  const { entities: all } = await backend.invoke("list_entities", { connectionId, kind, search: name });
  return all.find((/** @type {any} */ e) => e.name === name).id;
}

/** @type {Awaited<ReturnType<typeof startServer>>} */ let srv;
/** @type {import('playwright-core').Browser} */ let browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

test("home shows each profile as a card with what it exports, its last run and a big Export button", async () => {
  // A damaged profiles file is set aside at start-up (a real notice), then the person set things up again.
  const { page, context, problems } = await openApp(browser, srv, { config: { damaged: ["profiles"], history: true } });
  await waitView(page, "home");
  assert.equal(await page.locator(".card").count(), 2);
  const sales = page.locator(".card", { hasText: "Sales calls last week" });
  const t = await sales.innerText();
  assert.ok(t.includes("Last week · Voice calls · Inbound · 2 queues · Excel workbook"), t);
  assert.ok(t.includes("From Contact centre"));
  assert.match(t, /Last export .*20\d\d.*: [\d,]+ rows in /);
  const support = await page.locator(".card", { hasText: "Support chats yesterday" }).innerText();
  assert.ok(support.includes("did not finish"));
  const box = await sales.getByRole("button", { name: "Export Sales calls last week" }).boundingBox();
  assert.ok(box && box.height >= 46, "the Export button is big");
  assert.ok((await viewText(page)).includes("profiles.json could not be read"), "startup notices are shown");
  await shot(page, "home");
  await page.getByRole("button", { name: "OK, got it" }).click();
  assert.ok(!(await viewText(page)).includes("profiles.json could not be read"));
  await assertClean(page, problems);
  await context.close();
});

test("the editor checks the profile in plain words, client-side and from the backend", async () => {
  const { page, context, problems, backend } = await openApp(browser, srv);
  await page.getByRole("button", { name: "New profile" }).click();
  await waitView(page, "editor");
  assert.equal(await page.locator("h1").innerText(), "New export profile");
  // Defaults: last week, the system time zone, Excel, the usual columns.
  assert.ok(await page.getByLabel("Last week").isChecked());
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Europe/London");
  assert.ok(await page.locator('input[name="format"][value="xlsx"]').isChecked());
  assert.ok(await page.getByLabel("One row per conversation").isChecked());
  const usual = (await columns(backend, "conversation")).filter((c) => c.default);
  assert.equal(await page.locator(".col-list.chosen li").count(), usual.length);
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
  await page.locator('[data-field="name"] .field-error', { hasText: "There is already a profile called" }).waitFor();
  assert.ok(await page.locator('[data-field="to"] .field-error').isHidden(), "fixed errors disappear");
  await assertClean(page, problems);
  await context.close();
});

test("queues, agents and wrap-up codes are found by name; columns are chosen and ordered; the saved profile has them", async () => {
  const { page, context, problems, ids, backend } = await openApp(browser, srv);
  await page.getByRole("button", { name: "New profile" }).click();
  await waitView(page, "editor");
  await page.getByLabel("Profile name").fill("Retention calls");
  await page.getByLabel("This month").check();
  await page.getByLabel("Voice calls").check();
  await page.getByLabel("Inbound (customers contacting you)").check();

  const queues = page.locator("fieldset.picker", { hasText: "Queues" });
  // The emulator's names (search is by part of the name, case-insensitive).
  await queues.getByLabel("Search queues by name").fill("sal");
  await waitCount(queues.locator(".results li"), 1);
  assert.deepEqual(await queues.locator(".results li").allInnerTexts(), ["Sales"]);
  await queues.getByLabel("Sales", { exact: true }).check();
  await queues.getByLabel("Search queues by name").fill("retent");
  await waitCount(queues.locator(".results li"), 1);
  await queues.getByLabel("Retentions").check();
  assert.deepEqual(await queues.locator(".chip span").allInnerTexts(), ["Sales", "Retentions"]);
  await queues.getByRole("button", { name: "Remove Sales" }).click();
  assert.deepEqual(await queues.locator(".chip span").allInnerTexts(), ["Retentions"]);
  const search = await calls(page, "list_entities");
  assert.ok(search.some((a) => a.kind === "queue" && a.search === "retent" && a.connectionId === ids.connection));

  const agents = page.locator("fieldset.picker", { hasText: "Agents" });
  await agents.getByLabel("Search agents by name").fill("chloé dub");
  await waitCount(agents.locator(".results li"), 1);
  await agents.getByLabel("Chloé Dubois").check();
  const wraps = page.locator("fieldset.picker", { hasText: "Wrap-up codes" });
  await wraps.getByLabel("Search wrap-up codes by name").fill("no sale");
  await waitCount(wraps.locator(".results li"), 1);
  await wraps.getByLabel("No sale").check();
  const divisions = page.locator("fieldset.picker", { hasText: "Divisions" });
  await divisions.getByLabel("Search divisions by name").fill("emea");
  await waitCount(divisions.locator(".results li"), 1);
  await divisions.getByLabel("Sales, EMEA").check();

  // Columns: move Queue(s) to the top, remove End, add In progress.
  const usual = (await columns(backend, "conversation")).filter((c) => c.default);
  const qi = usual.findIndex((c) => c.id === "queues");
  assert.ok(qi >= 2, "Queue(s) is not near the top by default");
  for (let i = 0; i < qi - 1; i++) await page.getByRole("button", { name: "Move Queue(s) up" }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Move Queue(s) up", "focus stays on the moved column");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Move Queue(s) down", "at the top, focus moves to a button that still works");
  await page.getByRole("button", { name: "Remove End" }).click();
  await page.getByRole("button", { name: "Add In progress" }).click();
  const chosen = [usual[qi], ...usual.filter((c) => c.id !== "queues" && c.id !== "end"),
    (await columns(backend, "conversation")).find((c) => c.id === "in_progress")];
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), chosen.map((c) => c.header));

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
  assert.equal(profile.connectionId, ids.connection);
  assert.deepEqual(profile.range, { kind: "preset", preset: "this_month" });
  assert.equal(profile.timeZone, "Europe/London");
  assert.equal(profile.options.timeZone, "Europe/London");
  const id = (/** @type {string} */ kind, /** @type {string} */ name) => entityId(backend, ids.connection, kind, name);
  assert.deepEqual(profile.filters, { queueIds: [await id("queue", "Retentions")], mediaTypes: ["voice"], directions: ["inbound"],
    userIds: [await id("user", "Chloé Dubois")], wrapUpCodes: [await id("wrap_up_code", "No sale")], divisionIds: [await id("division", "Sales, EMEA")] });
  assert.deepEqual(profile.options, { grain: "conversation", columns: chosen.map((c) => c.id),
    format: "csv", timeZone: "Europe/London", durationFormat: "hms", includeIds: true, csvDelimiter: "semicolon", csvBom: true });
  const saved = (await backend.invoke("list_profiles")).find((/** @type {any} */ p) => p.name === "Retention calls");
  assert.deepEqual(saved.options.columns, chosen.map((c) => c.id), "the backend kept what the UI sent");
  assert.ok((await viewText(page)).includes("Profile “Retention calls” saved."));
  assert.equal(await page.locator(".card").count(), 3);
  await assertClean(page, problems);
  await context.close();
});

test("editing shows the saved choices; changing the row grain reloads the columns; delete asks first", async () => {
  const { page, context, problems, ids, backend } = await openApp(browser, srv);
  await page.getByRole("button", { name: "Edit Sales calls last week" }).click();
  await waitView(page, "editor");
  assert.equal(await page.locator("h1").innerText(), "Edit “Sales calls last week”");
  assert.equal(await page.getByLabel("Profile name").inputValue(), "Sales calls last week");
  assert.ok(await page.getByLabel("Voice calls").isChecked());
  const queues = page.locator("fieldset.picker", { hasText: "Queues" });
  await queues.locator(".chip span", { hasText: "Retentions" }).waitFor();
  assert.deepEqual(await queues.locator(".chip span").allInnerTexts(), ["Sales", "Retentions"], "saved ids are shown by name");
  const mine = ["start", "queues", "agents", "wrap_up", "talk_time"];
  const conv = await columns(backend, "conversation");
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), mine.map((id) => conv.find((c) => c.id === id).header));

  // The segment grain has its own catalogue: the chosen columns it has are kept, in order.
  const seg = await columns(backend, "segment");
  await page.getByLabel("One row per segment").check();
  await page.waitForFunction(() => /** @type {any} */ (window).__ipc.callsOf("list_columns").some((/** @type {any} */ a) => a.grain === "segment"));
  const kept = mine.map((id) => seg.find((c) => c.id === id)).filter(Boolean);
  await waitCount(page.locator(".col-list.chosen .col-name"), kept.length);
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), kept.map((c) => c.header), "columns that exist at the new grain are kept");
  await page.getByRole("button", { name: "Reset to the usual columns" }).click();
  assert.deepEqual(await page.locator(".col-list.chosen .col-name").allInnerTexts(), seg.filter((c) => c.default).map((c) => c.header));

  await page.getByRole("button", { name: "Delete profile" }).click();
  const dlg = page.getByRole("dialog", { name: "Delete “Sales calls last week”?" });
  await dlg.getByRole("button", { name: "Keep it" }).click();
  assert.equal((await calls(page, "delete_profile")).length, 0);
  await page.getByRole("button", { name: "Delete profile" }).click();
  await dlg.getByRole("button", { name: "Delete profile" }).click();
  await waitView(page, "home");
  assert.deepEqual(await calls(page, "delete_profile"), [{ id: ids.sales }]);
  assert.equal(await page.locator(".card").count(), 1);
  assert.deepEqual((await backend.invoke("list_profiles")).map((/** @type {any} */ p) => p.name), ["Support chats yesterday"]);
  await assertClean(page, problems);
  await context.close();
});

test("preview shows the first rows and the estimated count, and can start the export", async () => {
  const { page, context, problems, ids, backend } = await openApp(browser, srv);
  const expected = await backend.invoke("preview", { profileId: ids.sales });
  assert.ok(expected.estimatedTotal > 0 && expected.rows.length > 0, "the emulator has sales calls last week");
  await page.getByRole("button", { name: "Preview Sales calls last week" }).click();
  await waitView(page, "preview");
  await page.getByText(`About ${expected.estimatedTotal.toLocaleString("en-US")} conversations`).waitFor();
  assert.deepEqual(await page.locator("table.sample th").allInnerTexts(), ["Start", "Queue(s)", "Agent(s)", "Wrap-up", "Talk time"]);
  assert.equal(await page.locator("table.sample tbody tr").count(), expected.rows.length);
  assert.equal(await page.locator("table.sample tbody tr").first().locator("td").first().innerText(), expected.rows[0][0]);
  assert.deepEqual(await calls(page, "preview"), [{ profileId: ids.sales }]);
  await shot(page, "preview");
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await waitView(page, "export");
  assert.equal((await calls(page, "start_export"))[0].profileId, ids.sales);
  await assertClean(page, problems);
  await context.close();
});

test("preview with nothing to export says so and offers no Export", async () => {
  // The emulator has no chats in the Web Chat queue yesterday.
  const { page, context, ids, backend } = await openApp(browser, srv);
  assert.equal((await backend.invoke("preview", { profileId: ids.support })).estimatedTotal, 0);
  await page.getByRole("button", { name: "Preview Support chats yesterday" }).click();
  await page.getByText("There are no conversations in this period.").waitFor();
  assert.ok(await page.getByRole("button", { name: "Export", exact: true }).isDisabled());
  await context.close();
});

test("a profile with exact times (made by the CLI) keeps them when saved untouched", async () => {
  const { page, context, problems, ids, backend } = await openApp(browser, srv, { config: { exactTimes: true } });
  const night = path.join(backend.info.exportsDir, "Night");
  const card = page.locator(".card", { hasText: "Night shift" });
  assert.ok((await card.innerText()).includes("Nov 20, 2026 – Nov 21, 2026"), await card.innerText());
  await card.getByRole("button", { name: "Edit Night shift" }).click();
  await waitView(page, "editor");
  assert.ok(await page.getByLabel("Choose dates…").isChecked());
  assert.equal(await page.getByLabel("First day").inputValue(), "2026-11-20");
  assert.ok((await viewText(page)).includes("This profile uses exact times: from 2026-11-20 22:00:00 up to 2026-11-21 06:00:00."));
  assert.equal(await page.getByLabel("Save in folder").inputValue(), night);
  await page.getByRole("button", { name: "Save profile" }).click();
  await waitView(page, "home");
  const [{ profile }] = await calls(page, "save_profile");
  assert.deepEqual(profile.range, { kind: "fixed_date_times", from: "2026-11-20T22:00:00", to: "2026-11-21T06:00:00" });
  assert.equal(profile.folder, night);
  assert.equal(profile.id, ids.night);
  assert.ok(!("lastRun" in profile), "lastRun is not sent back");
  await assertClean(page, problems);
  await context.close();
});

test("a card warns when its connection has no saved secret", async () => {
  const { page, context } = await openApp(browser, srv, { config: { noSecret: true } });
  await page.locator(".card").first().waitFor();
  assert.ok((await page.locator(".card").first().innerText()).includes("No client secret is saved for Contact centre: enter it in Connections before exporting."));
  await context.close();
});
