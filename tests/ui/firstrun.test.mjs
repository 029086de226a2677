// First run: connect to Genesys Cloud (validation, test, save) or try the demo organization.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openApp, shot, calls, waitView, viewText, assertClean } from "./helpers.mjs";

/** @type {Awaited<ReturnType<typeof startServer>>} */ let srv;
/** @type {import('playwright-core').Browser} */ let browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

test("first run offers to connect or try the demo, and checks the form in plain words", async () => {
  const { page, context, problems, backend } = await openApp(browser, srv, { config: { scenario: "empty" } });
  const sim = backend.info;
  await waitView(page, "firstrun");
  assert.equal(await page.locator("h1").innerText(), "Welcome to Genesys Export");
  assert.ok(await page.locator("#mainnav").isHidden(), "no menu before there is a connection");
  await shot(page, "firstrun");

  await page.getByLabel("Name").fill("");
  await page.getByRole("button", { name: "Save and continue" }).click();
  const text = await viewText(page);
  for (const m of ["Enter a name for this connection.", "Choose the region of your Genesys Cloud organization.", "Enter the client ID.", "Enter the client secret."]) {
    assert.ok(text.includes(m), `missing message: ${m}`);
  }
  assert.equal(await page.getByLabel("Client ID").getAttribute("aria-invalid"), "true");
  const describedBy = await page.getByLabel("Client ID").getAttribute("aria-describedby");
  assert.ok(describedBy && (await page.locator(`#${describedBy.split(" ").pop()}`).innerText()).includes("Enter the client ID."),
    "the error is tied to the field for screen readers");
  assert.equal((await calls(page, "save_connection")).length, 0, "nothing sent while the form is incomplete");
  await shot(page, "firstrun-errors");

  // Test connection with a wrong secret (the emulator refuses it), then save with a client ID the backend refuses.
  await page.getByLabel("Name").fill("Contact centre");
  await page.getByLabel("Region").selectOption({ label: "Other address (private deployment or test server)…" });
  await page.getByLabel("Address").fill(sim.simUrl);
  await page.getByLabel("Client ID").fill("bad id!");
  await page.getByLabel("Client secret").fill("wrong");
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("the client secret is wrong").waitFor();
  const t1 = await calls(page, "test_connection");
  assert.deepEqual(t1[0], { connection: { name: "Contact centre", environment: sim.simUrl, clientId: "bad id!" }, secret: "wrong" });

  // The backend's field-level error lands under the right field; the secret field is cleared.
  await page.getByLabel("Client secret").fill(sim.clientSecret);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.locator(".field-error", { hasText: "The client id cannot contain spaces." }).waitFor();
  assert.equal(await page.getByLabel("Client ID").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("Client secret").inputValue(), "", "the secret is cleared after saving");

  await page.getByLabel("Client ID").fill(sim.clientId);
  await page.getByLabel("Client secret").fill(sim.clientSecret);
  await page.getByRole("button", { name: "Test connection" }).click();
  await page.getByText("Connected. This client can read conversation details.").waitFor();
  await page.getByLabel("Client secret").fill(sim.clientSecret);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await waitView(page, "home");
  const saved = await calls(page, "save_connection");
  assert.deepEqual(saved.at(-1), { connection: { name: "Contact centre", environment: sim.simUrl, clientId: sim.clientId }, secret: sim.clientSecret });
  const [stored] = await backend.invoke("list_connections");
  assert.equal(stored.hasSecret, true, "the secret is in the keychain");
  const home = await viewText(page);
  assert.ok(home.includes("Connected as “Contact centre”"));
  assert.ok(home.includes("No export profiles yet"));
  assert.ok(!(await page.content()).includes(sim.clientSecret), "the secret is nowhere in the page");
  await shot(page, "home-empty");
  await assertClean(page, problems);
  await context.close();
});

test("the demo organization gets a new user to two example profiles in one click", async () => {
  const { page, context, problems } = await openApp(browser, srv, { config: { scenario: "empty" } });
  await page.getByRole("button", { name: "Try the demo organization" }).click();
  await waitView(page, "home");
  assert.equal((await calls(page, "start_demo")).length, 1);
  const text = await viewText(page);
  assert.ok(text.includes("You are using the demo organization"));
  assert.equal(await page.locator(".card").count(), 2);
  assert.ok(text.includes("Demo: voice, last week"), text);
  assert.ok(text.includes("Demo: all media, yesterday"));
  assert.ok(await page.locator("#mainnav").isVisible());
  await shot(page, "home-demo");
  await assertClean(page, problems);
  await context.close();
});

test("a failing demo start explains itself", async () => {
  const { page, context } = await openApp(browser, srv, { config: { scenario: "empty", faults: { fail: { start_demo: { kind: "io", message: "disk full" } } } } });
  await page.getByRole("button", { name: "Try the demo organization" }).click();
  await page.getByText("The file could not be saved.").waitFor();
  assert.equal(await page.locator("#view").getAttribute("data-view"), "firstrun");
  await context.close();
});

test("an other address (private deployment or test server) is typed as a URL, and the backend's verdict shows under it", async () => {
  const { page, context, problems } = await openApp(browser, srv, { config: { scenario: "empty" } });
  await waitView(page, "firstrun");
  const address = page.getByLabel("Address");
  assert.ok(await address.isHidden(), "no address field while a region is the choice");
  await page.getByLabel("Region").selectOption({ label: "Other address (private deployment or test server)…" });
  assert.ok(await address.isVisible(), "choosing Other reveals the address field");
  assert.ok(await address.evaluate((el) => el === document.activeElement), "and moves the focus there");

  await page.getByLabel("Name").fill("Test server");
  await page.getByLabel("Client ID").fill("e2e-client-0001");
  await page.getByLabel("Client secret").fill("s3cret-value");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.locator(".field-error", { hasText: "Enter the address, for example https://api.example.com." }).waitFor();
  assert.equal(await address.getAttribute("aria-invalid"), "true");
  assert.equal((await calls(page, "save_connection")).length, 0);

  // Plain http to another computer: the backend refuses, its message is tied to the address field.
  await address.fill("http://genesys.example.com");
  await page.getByRole("button", { name: "Test connection" }).click();
  const insecure = page.locator(".field-error", { hasText: "is not secure" });
  await insecure.waitFor();
  assert.equal(await address.getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("Region").getAttribute("aria-invalid"), null, "the region select is not blamed");
  const describedBy = (await address.getAttribute("aria-describedby")) ?? "";
  assert.ok(describedBy.split(" ").includes(await insecure.getAttribute("id") ?? "-"), "screen readers hear the message with the field");
  assert.deepEqual((await calls(page, "test_connection")).at(-1),
    { connection: { name: "Test server", environment: "http://genesys.example.com", clientId: "e2e-client-0001" }, secret: "s3cret-value" });
  await shot(page, "firstrun-other-address");

  // Going back to a region hides the field; http on this computer is accepted.
  await page.getByLabel("Region").selectOption("mypurecloud.ie");
  assert.ok(await address.isHidden());
  await page.getByLabel("Region").selectOption({ label: "Other address (private deployment or test server)…" });
  await address.fill(" http://127.0.0.1:4010/ ");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await waitView(page, "home");
  assert.deepEqual((await calls(page, "save_connection")).at(-1),
    { connection: { name: "Test server", environment: "http://127.0.0.1:4010/", clientId: "e2e-client-0001" }, secret: "s3cret-value" });

  // Editing it later shows the address again.
  await page.getByRole("button", { name: "Connections" }).click();
  await waitView(page, "connections");
  await page.getByRole("button", { name: "Edit Test server" }).click();
  assert.equal(await page.getByLabel("Region").inputValue(), "__other__");
  assert.equal(await page.getByLabel("Address").inputValue(), "http://127.0.0.1:4010/");
  await assertClean(page, problems);
  await context.close();
});
