// One export run: waiting for the save dialog, progress, cancel, then done / failed / cancelled.
import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { duration, eta, explain, fileActionError, num, plural, range, size } from "../format.js";
import { cancelRun, getRun, isActive, startRun, subscribe } from "../runs.js";

/** @typedef {import('../app.js').Ctx} Ctx */
/** @typedef {import('../runs.js').Run} Run */
/** @typedef {import('../types.js').ApiError} ApiError */

const PHASE_WORDS = /** @type {Record<string, string>} */ ({
  connecting: "Connecting to Genesys Cloud…",
  fetching: "Fetching conversations…",
  waiting: "Waiting for Genesys Cloud…",
  writing: "Writing the file…",
  finishing: "Finishing the file…",
});

/** Split a path into folder and file name (either slash). @param {string} p */
export function splitPath(p) {
  const i = Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"));
  return i < 0 ? { folder: "", file: p } : { folder: p.slice(0, i) || p.slice(0, 1), file: p.slice(i + 1) };
}

/** @param {HTMLElement} root @param {Ctx} ctx @param {{runId: string}} params */
export function exportView(root, ctx, params) {
  const run = getRun(params.runId);
  if (!run) {
    ctx.go("home");
    return;
  }
  const body = h("div", { class: "run" });
  root.append(body);

  let shown = "";
  /** @type {ReturnType<typeof progressPanel>|null} */
  let panel = null;
  let ticker = 0;

  const render = () => {
    const kind = isActive(run) ? "active" : run.state;
    if (kind !== shown) {
      shown = kind;
      panel = null;
      if (kind === "active") {
        panel = progressPanel(ctx, run);
        replace(body, panel.el);
      } else if (kind === "done") replace(body, donePanel(ctx, run));
      else if (kind === "failed") replace(body, failedPanel(ctx, run));
      else if (kind === "cancelled") replace(body, cancelledPanel(ctx, run));
      else if (kind === "not_started") {
        ctx.flash = "The export did not start because no file was chosen.";
        ctx.go("home");
        return;
      }
      if (kind !== "active") {
        const hd = /** @type {HTMLElement|null} */ (body.querySelector("h1"));
        if (hd) { hd.tabIndex = -1; hd.focus(); }
        ctx.announce(hd?.textContent ?? "");
      }
    }
    panel?.update();
  };
  render();
  const unsub = subscribe((r) => { if (r === run) render(); });
  ticker = window.setInterval(() => panel?.update(), 1000); // rate-limit countdown
  return () => { unsub(); clearInterval(ticker); };
}

/** @param {Ctx} ctx @param {Run} run */
function progressPanel(ctx, run) {
  const title = h("h1", null, `Exporting “${run.profileName}”`);
  const sub = h("p", { class: "lead" });
  const bar = h("div", { class: "bar-fill" });
  const track = h("div", { class: "bar", role: "progressbar", "aria-label": "Export progress", "aria-valuemin": "0", "aria-valuemax": "100" }, bar);
  const counts = h("p", { class: "counts", "aria-live": "polite", "aria-atomic": "true" });
  const etaEl = h("p", { class: "eta muted" });
  const step = h("p", { class: "step" });
  const wait = h("div", { class: "banner info wait", role: "status", hidden: true });
  // Ranges of more than a month: how long it may take, said before anything is fetched.
  const longText = h("p");
  const long = h("div", { class: "banner info long-range", role: "note", hidden: true },
    h("p", { class: "banner-title" }, "This export may take a while"), longText);
  const cancelBtn = h("button", { type: "button", class: "btn danger-outline big" }, "Cancel export");
  cancelBtn.addEventListener("click", async () => {
    const ok = await ctx.confirm({
      title: "Stop this export?",
      body: "The file will not be created, and what was fetched so far is discarded.",
      confirm: "Stop export", cancel: "Keep exporting", danger: true,
    });
    if (ok) await cancelRun(run);
  });
  const el = h("section", { class: "panel progress", "aria-labelledby": "run-title" },
    title, sub, long, track, counts, etaEl, step, wait,
    h("div", { class: "actions" }, cancelBtn,
      h("button", { type: "button", class: "btn", onclick: () => ctx.go("home") }, "Back to exports (keeps running)")));
  title.id = "run-title";

  let lastCounts = "";
  const update = () => {
    const p = run.progress;
    long.hidden = !run.longRange;
    if (run.longRange && longText.textContent !== run.longRange) longText.textContent = run.longRange;
    sub.textContent = run.destination
      ? `${run.from && run.to ? `${range(run.from, run.to)} · ` : ""}Saving to ${splitPath(run.destination).file}`
      : "Choose where to save the file in the window that opened…";
    const pct = p?.percent;
    if (pct === null || pct === undefined) {
      track.classList.add("indeterminate");
      track.removeAttribute("aria-valuenow");
      bar.style.width = "";
    } else {
      const v = Math.max(0, Math.min(100, pct));
      track.classList.remove("indeterminate");
      track.setAttribute("aria-valuenow", String(Math.round(v)));
      bar.style.width = `${v}%`;
    }
    let c = "";
    if (p) {
      c = p.estimatedTotal
        ? `${num(p.conversations)} of about ${num(p.estimatedTotal)} conversations`
        : `${plural(p.conversations, "conversation", "conversations")} so far`;
      if (p.rows && p.rows !== p.conversations) c += ` (${plural(p.rows, "row", "rows")})`;
    } else if (run.state === "queued") c = "Waiting to start";
    else if (run.destination) c = "Starting…";
    if (c !== lastCounts) { counts.textContent = c; lastCounts = c; }
    etaEl.textContent = p ? eta(p.etaSeconds) : "";
    etaEl.hidden = !p;

    if (run.state === "cancelling") {
      step.textContent = "Stopping the export…";
      cancelBtn.disabled = true;
    } else if (run.state === "queued") {
      step.textContent = run.queuedMessage ?? "Another export on the same connection is running; this one starts when it is done.";
    } else {
      step.textContent = p
        ? (p.waitSeconds ? PHASE_WORDS.waiting : p.message || PHASE_WORDS[p.phase] || "")
        : (run.destination ? PHASE_WORDS.connecting : "");
    }
    const left = run.waitUntil ? Math.max(0, Math.ceil((run.waitUntil - Date.now()) / 1000)) : 0;
    if (run.waitUntil && p?.waitSeconds) {
      wait.hidden = false;
      wait.textContent = left > 0
        ? `Genesys asked us to slow down, continuing in ${left} s`
        : "Genesys asked us to slow down, continuing now…";
    } else wait.hidden = true;
  };
  return { el, update };
}

/** @param {Ctx} ctx @param {Run} run */
function donePanel(ctx, run) {
  const s = run.summary;
  const path = s?.path ?? run.destination ?? "";
  const { folder, file } = splitPath(path);
  const err = h("p", { class: "bad", role: "alert", hidden: true });
  /** @param {() => Promise<unknown>} fn */
  const act = (fn) => async () => {
    err.hidden = true;
    try { await fn(); } catch (e) {
      err.textContent = fileActionError(/** @type {ApiError} */ (e));
      err.hidden = false;
    }
  };
  return h("section", { class: "panel done", "aria-labelledby": "done-title" },
    h("div", { class: "done-head" }, h("span", { class: "big-icon ok", "aria-hidden": "true" }, "✓"),
      h("h1", { id: "done-title" }, "Export finished")),
    h("dl", { class: "facts" },
      h("div", null, h("dt", null, "Rows"), h("dd", null, num(s?.rows ?? 0))),
      h("div", null, h("dt", null, "Conversations"), h("dd", null, num(s?.conversations ?? 0))),
      h("div", null, h("dt", null, "Time taken"), h("dd", null, duration(s?.durationMs ?? Date.now() - run.startedAt))),
      s?.bytes ? h("div", null, h("dt", null, "Size"), h("dd", null, size(s.bytes))) : null),
    h("p", { class: "file" }, h("span", { class: "file-name" }, file), folder ? h("span", { class: "muted file-folder" }, `in ${folder}`) : null),
    s?.warnings?.length ? h("div", { class: "banner warn" }, h("p", { class: "banner-title" }, "Good to know"),
      h("ul", null, s.warnings.map((w) => h("li", null, w)))) : null,
    err,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn primary big", onclick: act(() => api.openFile(path)) }, "Open file"),
      h("button", { type: "button", class: "btn", onclick: act(() => api.showInFolder(path)) }, "Show in folder"),
      h("button", { type: "button", class: "btn", onclick: () => again(ctx, run) }, "Export again"),
      h("button", { type: "button", class: "btn link", onclick: () => ctx.go("home") }, "Back to exports")));
}

/** @param {Ctx} ctx @param {Run} run */
function again(ctx, run) {
  const next = startRun({ id: run.profileId, name: run.profileName });
  ctx.go("export", { runId: next.runId });
}

/** @param {Ctx} ctx @param {Run} run */
function failedPanel(ctx, run) {
  const err = run.error ?? { kind: "internal", message: "" };
  const { title, next } = explain(err);
  /** @type {Array<HTMLElement>} */
  const extra = [];
  if (err.kind === "auth" || err.kind === "keychain") {
    extra.push(h("button", { type: "button", class: "btn", onclick: () => ctx.go("connections") }, "Open Connections"));
  } else if (err.kind === "invalid_input" || err.kind === "not_found" || err.kind === "bad_request") {
    extra.push(h("button", { type: "button", class: "btn", onclick: () => ctx.go("editor", { profileId: run.profileId }) }, "Edit the profile"));
  }
  return h("section", { class: "panel failed", "aria-labelledby": "fail-title" },
    h("div", { class: "done-head" }, h("span", { class: "big-icon bad", "aria-hidden": "true" }, "!"),
      h("h1", { id: "fail-title" }, "The export could not finish")),
    h("p", { class: "lead" }, title),
    h("p", { class: "next" }, h("strong", null, "What to do: "), next),
    err.message ? h("p", { class: "details" }, `Details: ${err.message}`) : null,
    h("p", { class: "muted" }, "No file was created."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn primary big", onclick: () => again(ctx, run) }, "Try again"),
      extra,
      h("button", { type: "button", class: "btn link", onclick: () => ctx.go("home") }, "Back to exports")));
}

/** @param {Ctx} ctx @param {Run} run */
function cancelledPanel(ctx, run) {
  return h("section", { class: "panel cancelled", "aria-labelledby": "cancel-title" },
    h("h1", { id: "cancel-title" }, "Export cancelled"),
    h("p", { class: "lead" }, "The export was stopped. No file was created."),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn primary big", onclick: () => again(ctx, run) }, "Export again"),
      h("button", { type: "button", class: "btn", onclick: () => ctx.go("home") }, "Back to exports")));
}
