// History: past runs, with re-run and resume.
import { api } from "../api.js";
import { h } from "../dom.js";
import { dateTime, duration, explain, fileActionError, plural, range } from "../format.js";
import { resumeRun, startRun } from "../runs.js";
import { pillText } from "./home.js";
import { splitPath } from "./export.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../types.js').HistoryEntry} HistoryEntry */
/** @typedef {import('../types.js').ApiError} ApiError */

/** @param {HistoryEntry} r */
function errorText(r) {
  if (!r.error) return "";
  if (typeof r.error === "string") return r.error;
  return explain(r.error).title;
}

/** @param {HTMLElement} root @param {Ctx} ctx */
export async function historyView(root, ctx) {
  const [entries, profiles, resumes] = await Promise.all([
    api.listHistory(), api.listProfiles(), api.pendingResumes().catch(() => /** @type {HistoryEntry[]} */ ([])),
  ]);
  const resumable = new Set(resumes.map((r) => r.runId));
  const msg = h("p", { class: "bad", role: "alert", hidden: true });
  root.append(h("div", { class: "page-head" }, h("h1", null, "History"),
    h("p", { class: "lead" }, "Your recent exports, newest first.")), msg);
  if (!entries.length) {
    root.append(h("section", { class: "panel empty" }, h("h2", null, "Nothing exported yet"),
      h("p", null, "Exports you run appear here, so you can open the file again or run the same export again.")));
    return;
  }
  /** @param {() => Promise<unknown>} fn */
  const act = (fn) => async () => {
    msg.hidden = true;
    try { await fn(); } catch (e) {
      msg.textContent = fileActionError(/** @type {ApiError} */ (e));
      msg.hidden = false;
    }
  };
  const rows = [...entries].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)).map((r) => {
    const exists = profiles.some((p) => p.id === r.profileId);
    const result = r.status === "done"
      ? `${plural(r.rows, "row", "rows")} in ${duration(r.durationMs)}`
      : r.status === "failed" ? errorText(r) : r.status === "running" ? "In progress" : r.status === "interrupted" ? `Stopped after ${plural(r.conversations, "conversation", "conversations")}` : "No file was created";
    return h("tr", null,
      h("td", null, dateTime(r.startedAt)),
      h("td", null, h("span", { class: "strong" }, r.profileName), h("br"), h("span", { class: "muted" }, range(r.from, r.to)),
        r.status === "done" && r.path ? [h("br"), h("span", { class: "muted small path" }, splitPath(r.path).file)] : null),
      h("td", null, h("span", { class: `pill ${r.status}` }, pillText(r.status)), h("br"), h("span", { class: "small" }, result)),
      h("td", null, h("div", { class: "row-actions" },
        r.status === "done" && r.path ? h("button", { type: "button", class: "btn small", "aria-label": `Open file: ${r.profileName}, ${dateTime(r.startedAt)}`, onclick: act(() => api.openFile(r.path)) }, "Open file") : null,
        r.status === "done" && r.path ? h("button", { type: "button", class: "btn small", "aria-label": `Show in folder: ${r.profileName}, ${dateTime(r.startedAt)}`, onclick: act(() => api.showInFolder(r.path)) }, "Show in folder") : null,
        resumable.has(r.runId) ? h("button", { type: "button", class: "btn small primary", onclick: () => { const run = resumeRun(r); ctx.go("export", { runId: run.runId }); } }, "Resume") : null,
        exists ? h("button", { type: "button", class: "btn small", "aria-label": `Run again: ${r.profileName}`, onclick: () => {
          const run = startRun({ id: r.profileId, name: r.profileName });
          ctx.go("export", { runId: run.runId });
        } }, "Run again") : null)));
  });
  root.append(h("div", { class: "panel flush" }, h("table", { class: "history" },
    h("caption", { class: "visually-hidden" }, "Past exports"),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Export"),
      h("th", { scope: "col" }, "Result"), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
    h("tbody", null, rows))));
}
