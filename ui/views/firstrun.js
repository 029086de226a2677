// First start: connect to Genesys Cloud, or try the demo organization.
import { api } from "../api.js";
import { h } from "../dom.js";
import { explain } from "../format.js";
import { connectionForm } from "./connection-form.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../types.js').ApiError} ApiError */

/** @param {HTMLElement} root @param {Ctx} ctx */
export async function firstRunView(root, ctx) {
  const demoError = h("div", { class: "banner error", role: "alert", hidden: true });
  const demoBtn = h("button", { type: "button", class: "btn primary big", id: "try-demo" }, "Try the demo organization");
  demoBtn.addEventListener("click", async () => {
    demoBtn.disabled = true;
    demoError.hidden = true;
    try {
      const res = await api.startDemo();
      ctx.flash = `You are using the demo organization. Its data is made up; try “${res.profiles[0]?.name ?? "an example"}”.`;
      await ctx.go("home");
    } catch (e) {
      const { title, next } = explain(/** @type {ApiError} */ (e));
      demoError.replaceChildren(h("p", { class: "banner-title" }, title), h("p", null, next));
      demoError.hidden = false;
      demoBtn.disabled = false;
    }
  });

  const form = await connectionForm({
    ctx,
    saveLabel: "Save and continue",
    onSaved: (c) => {
      ctx.flash = `Connected as “${c.name}”. Now create your first export.`;
      ctx.go("home");
    },
  });

  root.append(
    h("div", { class: "page-head" },
      h("h1", null, "Welcome to Genesys Export"),
      h("p", { class: "lead" }, "Export your contact centre's conversations to Excel or CSV in a few clicks.")),
    h("div", { class: "two-col firstrun" },
      h("section", { class: "panel demo", "aria-labelledby": "demo-title" },
        h("h2", { id: "demo-title" }, "Just looking?"),
        h("p", null, "Try the app with a demo organization full of made-up conversations. Nothing is sent to Genesys Cloud."),
        demoBtn,
        demoError),
      h("section", { class: "panel", "aria-labelledby": "connect-title" },
        h("h2", { id: "connect-title" }, "Connect to Genesys Cloud"),
        h("p", { class: "muted" }, "You need a client ID and secret from your Genesys Cloud administrator."),
        form)));
}
