// Connections: list, add, edit (secret kept unless replaced), test, delete.
import { api } from "../api.js";
import { h, append } from "../dom.js";
import { explain } from "../format.js";
import { connectionForm } from "./connection-form.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../types.js').Connection} Connection */
/** @typedef {import('../types.js').ApiError} ApiError */

/** @param {HTMLElement} root @param {Ctx} ctx @param {{edit?: string, add?: boolean}} params */
export async function connectionsView(root, ctx, params) {
  const [connections] = await Promise.all([api.listConnections(), ctx.getRegions()]);
  const editing = params.edit ? connections.find((c) => c.id === params.edit) ?? null : null;

  if (params.add || editing) {
    const form = await connectionForm({
      ctx, connection: editing,
      onSaved: (c) => { ctx.flash = `Connection “${c.name}” saved.`; ctx.go("connections"); },
      onCancel: () => ctx.go("connections"),
    });
    root.append(h("div", { class: "page-head" }, h("h1", null, editing ? `Edit “${editing.name}”` : "Add a connection")),
      h("section", { class: "panel narrow" }, form));
    return;
  }

  append(root, [
    h("div", { class: "page-head row" },
      h("div", null, h("h1", null, "Connections"),
        h("p", { class: "lead" }, "The Genesys Cloud organizations this app can export from.")),
      h("button", { type: "button", class: "btn", onclick: () => ctx.go("connections", { add: true }) },
        h("span", { "aria-hidden": "true" }, "+ "), "Add connection")),
    ctx.takeFlash()]);

  const list = h("ul", { class: "cards conns", "aria-label": "Connections" });
  for (const c of connections) {
    const result = h("p", { class: "test-result", role: "status" });
    const test = h("button", { type: "button", class: "btn", "aria-label": `Test ${c.name}` }, "Test");
    test.addEventListener("click", async () => {
      test.disabled = true;
      result.className = "test-result muted";
      result.textContent = "Testing…";
      try {
        const r = await api.testSavedConnection(c.id);
        result.className = `test-result ${r.ok ? "ok" : "bad"}`;
        result.textContent = r.message;
      } catch (e) {
        const x = explain(/** @type {ApiError} */ (e));
        result.className = "test-result bad";
        result.textContent = `${x.title} ${x.next}`;
      } finally { test.disabled = false; }
    });
    const del = h("button", { type: "button", class: "btn danger-outline", "aria-label": `Delete ${c.name}` }, "Delete");
    del.addEventListener("click", async () => {
      const ok = await ctx.confirm({ title: `Delete “${c.name}”?`,
        body: "Its client secret is removed from this computer. Profiles that use it will need another connection.",
        confirm: "Delete connection", cancel: "Keep it", danger: true });
      if (!ok) return;
      try {
        await api.deleteConnection(c.id);
        ctx.flash = `Connection “${c.name}” deleted.`;
        const left = await api.listConnections();
        await ctx.go(left.length ? "connections" : "firstrun");
      } catch (e) {
        const err = /** @type {ApiError} */ (e);
        const x = explain(err);
        result.className = "test-result bad";
        // A refusal (the connection is still used by profiles) says why in the backend's words.
        result.textContent = err.kind === "invalid_input" ? err.message : `${x.title} ${x.next}`;
      }
    });
    list.append(h("li", { class: "card" },
      h("h2", null, c.name, c.isDemo ? h("span", { class: "pill demo" }, "Demo") : null),
      h("p", null, ctx.regionName(c.environment)),
      h("p", { class: "muted" }, `Client ID ${c.clientId}`),
      h("p", { class: c.hasSecret || c.isDemo || c.secretUnknown ? "muted" : "bad" }, c.isDemo ? "Made-up data, no secret needed" : c.secretUnknown ? "The keychain has not answered yet (it may be locked), so the secret could not be checked" : c.hasSecret ? "Secret saved on this computer" : "No secret saved: edit to enter it"),
      result,
      h("div", { class: "card-actions" }, test,
        c.isDemo ? null : h("button", { type: "button", class: "btn", "aria-label": `Edit ${c.name}`, onclick: () => ctx.go("connections", { edit: c.id }) }, "Edit"),
        del)));
  }
  root.append(list);
  if (!connections.some((c) => c.isDemo)) {
    root.append(h("p", { class: "muted" }, "Want to try things out safely? ",
      h("button", { type: "button", class: "btn link inline", onclick: async () => {
        await api.startDemo();
        ctx.flash = "The demo organization was added, with two example profiles.";
        await ctx.go("connections");
      } }, "Add the demo organization")));
  }
}
