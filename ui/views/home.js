// Home: saved profiles as cards, each with a big Export button and its last run.
import { api } from "../api.js";
import { h, append, replace } from "../dom.js";
import { FORMATS, MEDIA, dateTime, duration, num, plural, rangeLabel, explain } from "../format.js";
import { activeRunFor, startRun, resumeRun, subscribe } from "../runs.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../types.js').QueryProfile} QueryProfile */
/** @typedef {import('../types.js').Connection} Connection */
/** @typedef {import('../types.js').HistoryEntry} HistoryEntry */
/** @typedef {import('../types.js').ApiError} ApiError */

let noticesDismissed = false;

/** A one-line plain description of what a profile exports. @param {QueryProfile} p */
export function describe(p) {
  const parts = [rangeLabel(p.range)];
  const f = p.filters ?? {};
  if (f.mediaTypes?.length) {
    parts.push(f.mediaTypes.map((m) => MEDIA.find((x) => x.value === m)?.label.split(" (")[0] ?? m).join(", "));
  } else parts.push("All media");
  if (f.directions?.length === 1) parts.push(f.directions[0] === "inbound" ? "Inbound" : "Outbound");
  if (f.queueIds?.length) parts.push(plural(f.queueIds.length, "queue", "queues"));
  if (f.userIds?.length) parts.push(plural(f.userIds.length, "agent", "agents"));
  parts.push(FORMATS[p.options?.format]?.label ?? "");
  return parts.filter(Boolean).join(" · ");
}

/** @param {HistoryEntry|null|undefined} r */
export function lastRunText(r) {
  if (!r) return "Not exported yet";
  const when = dateTime(r.startedAt);
  switch (r.status) {
    case "done": return `Last export ${when}: ${plural(r.rows, "row", "rows")} in ${duration(r.durationMs)}`;
    case "failed": return `Last export ${when} did not finish`;
    case "cancelled": return `Last export ${when} was cancelled`;
    case "running": return `Exporting since ${when}`;
    default: return `Last export ${when} was interrupted`;
  }
}

/** @param {HTMLElement} root @param {Ctx} ctx */
export async function homeView(root, ctx) {
  const [profiles, connections, resumes] = await Promise.all([
    api.listProfiles(), api.listConnections(), api.pendingResumes().catch(() => /** @type {HistoryEntry[]} */ ([])),
    ctx.getRegions().catch(() => []),
  ]);
  const conn = (/** @type {string} */ id) => connections.find((c) => c.id === id) ?? null;

  const newBtn = h("button", { type: "button", class: "btn", onclick: () => ctx.go("editor", {}) },
    h("span", { "aria-hidden": "true" }, "+ "), "New profile");
  append(root, [
    h("div", { class: "page-head row" },
      h("div", null, h("h1", null, "Exports"),
        h("p", { class: "lead" }, "Choose what to export and click Export.")),
      profiles.length ? newBtn : null),
    ctx.takeFlash()]);

  const notices = ctx.appInfo?.notices ?? [];
  if (notices.length && !noticesDismissed) {
    const box = h("div", { class: "banner warn", role: "status" },
      h("p", { class: "banner-title" }, "Please note"),
      h("ul", null, notices.map((n) => h("li", null, n))),
      h("button", { type: "button", class: "btn small", onclick: () => { noticesDismissed = true; box.remove(); } }, "OK, got it"));
    root.append(box);
  }

  for (const r of resumes) root.append(resumeBanner(ctx, r));

  if (!profiles.length) {
    root.append(h("section", { class: "panel empty" },
      h("h2", null, "No export profiles yet"),
      h("p", null, "A profile remembers what you export: the dates, queues, columns and file type. Create one once and re-use it every week."),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "btn primary big", onclick: () => ctx.go("editor", {}) }, "Create a profile"),
        !connections.some((c) => c.isDemo)
          ? h("button", { type: "button", class: "btn", onclick: async () => { await api.startDemo(); ctx.refresh(); } }, "Add the demo organization")
          : null)));
    return;
  }

  const grid = h("ul", { class: "cards", "aria-label": "Export profiles" });
  /** @type {Map<string, () => void>} */
  const updaters = new Map();
  for (const p of profiles) {
    const { li, update } = card(ctx, p, conn(p.connectionId));
    grid.append(li);
    if (p.id) updaters.set(p.id, update);
  }
  root.append(grid);
  return subscribe((run) => updaters.get(run.profileId)?.());
}

/** @param {Ctx} ctx @param {QueryProfile} p @param {Connection|null} c */
function card(ctx, p, c) {
  const titleId = `card-${p.id}`;
  const status = h("p", { class: "card-run" });
  const actions = h("div", { class: "card-actions" });
  const li = h("li", { class: "card", "aria-labelledby": titleId },
    h("h2", { id: titleId }, p.name),
    h("p", { class: "card-what" }, describe(p)),
    h("p", { class: "card-conn muted" }, c ? `From ${c.name}${c.isDemo ? " (demo)" : ""}` : "Its connection was deleted: edit the profile to choose one."),
    c && !c.isDemo && !c.hasSecret && !c.secretUnknown
      ? h("p", { class: "bad small" }, `No client secret is saved for ${c.name}: enter it in Connections before exporting.`)
      : null,
    status, actions);

  const update = () => {
    const id = /** @type {string} */ (p.id);
    const active = activeRunFor(id);
    if (active) {
      const pct = active.progress?.percent;
      status.replaceChildren(h("span", { class: "pill running" }, "Exporting"), " ",
        pct !== null && pct !== undefined ? `${Math.round(pct)}% done` : active.progress ? `${num(active.progress.conversations)} conversations so far` : "Starting…");
      actions.replaceChildren(
        h("button", { type: "button", class: "btn primary big", onclick: () => ctx.go("export", { runId: active.runId }) }, "View progress"));
      return;
    }
    const r = p.lastRun;
    replace(status, r ? h("span", { class: `pill ${r.status}` }, pillText(r.status)) : null, r ? " " : null, lastRunText(r));
    actions.replaceChildren(
      h("button", {
        type: "button", class: "btn primary big", "aria-label": `Export ${p.name}`, disabled: !c,
        onclick: () => {
          const run = startRun({ id, name: p.name });
          ctx.go("export", { runId: run.runId });
        },
      }, "Export"),
      h("button", { type: "button", class: "btn", "aria-label": `Preview ${p.name}`, disabled: !c, onclick: () => ctx.go("preview", { profileId: id }) }, "Preview"),
      h("button", { type: "button", class: "btn", "aria-label": `Edit ${p.name}`, onclick: () => ctx.go("editor", { profileId: id }) }, "Edit"));
  };
  update();
  return { li, update };
}

/** @param {string} s */
export function pillText(s) {
  return ({ done: "Done", failed: "Failed", cancelled: "Cancelled", interrupted: "Interrupted", running: "Running" })[s] ?? s;
}

/** @param {Ctx} ctx @param {HistoryEntry} r */
function resumeBanner(ctx, r) {
  const box = h("div", { class: "banner warn resume", role: "region", "aria-label": `Interrupted export: ${r.profileName}` });
  const resume = h("button", { type: "button", class: "btn primary", onclick: () => {
    const run = resumeRun(r);
    ctx.go("export", { runId: run.runId });
  } }, "Resume export");
  const discard = h("button", { type: "button", class: "btn", onclick: async () => {
    const ok = await ctx.confirm({
      title: "Discard the interrupted export?",
      body: "What was already fetched is thrown away. You can always export the profile again from the start.",
      confirm: "Discard", cancel: "Keep it", danger: true,
    });
    if (!ok) return;
    try {
      await api.discardResume(r.runId);
      box.remove();
      ctx.announce("Interrupted export discarded.");
    } catch (e) {
      box.append(h("p", { class: "bad" }, explain(/** @type {ApiError} */ (e)).title));
    }
  } }, "Discard");
  box.append(
    h("p", { class: "banner-title" }, `“${r.profileName}” was interrupted`),
    h("p", null, `The export started ${dateTime(r.startedAt)} stopped before it finished (${plural(r.conversations, "conversation", "conversations")} fetched). It can continue where it stopped.`),
    h("div", { class: "actions" }, resume, discard));
  return box;
}
