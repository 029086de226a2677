// Help and About: how it works, version, log folder, startup notices.
import { api } from "../api.js";
import { h, append } from "../dom.js";

/** @typedef {import('../app.js').Ctx} Ctx */

/** @param {HTMLElement} root @param {Ctx} ctx */
export async function helpView(root, ctx) {
  const info = ctx.appInfo ?? (ctx.appInfo = await api.appInfo());
  append(root, [
    h("div", { class: "page-head" }, h("h1", null, "Help")),
    h("section", { class: "panel", "aria-labelledby": "how" },
      h("h2", { id: "how" }, "How it works"),
      h("ol", { class: "steps" },
        h("li", null, h("strong", null, "Connect"), " to your Genesys Cloud organization once (Connections), or try the demo organization."),
        h("li", null, h("strong", null, "Create a profile"), ": which days, which queues, which columns, Excel or CSV."),
        h("li", null, h("strong", null, "Click Export"), ", choose where to save the file, and watch the progress. You can cancel at any time."),
        h("li", null, "When it is done, ", h("strong", null, "open the file"), " or find it in its folder. History keeps your recent exports.")),
      h("p", { class: "muted" }, "Big date ranges take longer: Genesys Cloud limits how fast data can be read, and the app waits politely when asked to.")),
    info.notices?.length ? h("section", { class: "panel", "aria-labelledby": "notices" },
      h("h2", { id: "notices" }, "Messages from the last start"),
      h("ul", null, info.notices.map((n) => h("li", null, n)))) : null,
    h("section", { class: "panel", "aria-labelledby": "about" },
      h("h2", { id: "about" }, "About"),
      h("dl", { class: "facts wide" },
        h("div", null, h("dt", null, "Version"), h("dd", null, info.version)),
        h("div", null, h("dt", null, "Log files"), h("dd", null, h("code", { class: "path" }, info.logDir))),
        h("div", null, h("dt", null, "Settings and profiles"), h("dd", null, h("code", { class: "path" }, info.configDir)))),
      h("p", { class: "muted" }, "If something goes wrong, IT may ask for the log files: open that folder in your file manager (select the path above to copy it). The logs never contain your client secret."))]);
}
