// Preview: the first rows and the estimated count, before a long pull.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { num, range } from "../format.js";
import { startRun } from "../runs.js";
import { describe } from "./home.js";

/** @typedef {import('../app.js').Ctx} Ctx */

/** @param {HTMLElement} root @param {Ctx} ctx @param {{profileId: string}} params */
export async function previewView(root, ctx, params) {
  const profiles = await api.listProfiles();
  const p = profiles.find((x) => x.id === params.profileId);
  if (!p || !p.id) {
    ctx.flash = "That profile no longer exists.";
    await ctx.go("home");
    return;
  }
  const id = p.id;
  const head = h("div", { class: "page-head" },
    h("h1", null, `Preview of “${p.name}”`),
    h("p", { class: "lead" }, describe(p)));
  const body = h("div", { class: "panel", "aria-busy": "true" }, h("p", { class: "muted" }, "Asking Genesys Cloud for a sample…"));
  root.append(head, body);

  const res = await api.preview(id);
  body.removeAttribute("aria-busy");
  const total = res.estimatedTotal;
  const summary = h("p", { class: "lead" },
    total === null || total === undefined
      ? "The total number of conversations could not be estimated."
      : total === 0 ? "There are no conversations in this period." : `About ${num(total)} conversations`,
    res.from && res.to ? h("span", { class: "muted" }, ` · ${range(res.from, res.to, p.timeZone)}`) : null);
  const table = res.rows.length
    ? h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Sample rows" },
      h("table", { class: "sample" },
        h("caption", { class: "visually-hidden" }, `First ${res.rows.length} rows`),
        h("thead", null, h("tr", null, res.columns.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", null, res.rows.map((r) => h("tr", null, r.map((v) => h("td", null, v)))))))
    : h("p", null, "No rows to show.");
  replace(body, summary,
    res.rows.length ? h("p", { class: "muted" }, `The first ${res.rows.length} rows, as they will appear in the file:`) : null,
    table,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn primary big", disabled: total === 0, onclick: () => {
        const run = startRun({ id, name: p.name });
        ctx.go("export", { runId: run.runId });
      } }, "Export"),
      h("button", { type: "button", class: "btn", onclick: () => ctx.go("editor", { profileId: id }) }, "Edit profile"),
      h("button", { type: "button", class: "btn link", onclick: () => ctx.go("home") }, "Back to exports")));
}
