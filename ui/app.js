// The app context shared by all views: navigation, cached data, dialogs, announcements.
import { api } from "./api.js";
import { h, focusHeading } from "./dom.js";
import { explain } from "./format.js";

/** @typedef {import('./types.js').AppInfo} AppInfo */
/** @typedef {import('./types.js').Region} Region */
/** @typedef {import('./types.js').Connection} Connection */
/** @typedef {import('./types.js').Settings} Settings */
/** @typedef {import('./types.js').ApiError} ApiError */

/**
 * A view renders into `root`; it may return a cleanup function (called when leaving).
 * @typedef {(root: HTMLElement, ctx: Ctx, params: any) => (void|(() => void)|Promise<void|(() => void)>)} View
 */

/** Which main-menu entry is highlighted for each view. */
const NAV_OF = /** @type {Record<string, string>} */ ({
  home: "home", editor: "home", preview: "home", export: "home",
  history: "history", connections: "connections", settings: "settings", help: "help", firstrun: "",
});

export class Ctx {
  /** @param {Record<string, View>} views */
  constructor(views) {
    this.views = views;
    /** @type {(() => void)|null} */
    this.cleanup = null;
    /** @type {AppInfo|null} */
    this.appInfo = null;
    /** @type {Region[]|null} */
    this.regions = null;
    /** @type {string|null} a message shown once at the top of the next view */
    this.flash = null;
    this.current = "";
    /** @type {Record<string, any>} */
    this.params = {};
    this.root = /** @type {HTMLElement} */ (document.getElementById("view"));
    this.nav = /** @type {HTMLElement} */ (document.getElementById("mainnav"));
    this.nav.addEventListener("click", (e) => {
      const b = /** @type {HTMLElement} */ (e.target).closest("button[data-nav]");
      if (b) this.go(/** @type {string} */ (b.getAttribute("data-nav")));
    });
  }

  /** @returns {Promise<Region[]>} */
  async getRegions() {
    if (!this.regions) this.regions = await api.listRegions();
    return this.regions;
  }

  /** A friendly name for a connection's environment. @param {string} env */
  regionName(env) {
    const r = this.regions?.find((x) => x.domain === env || x.key === env || x.awsRegion === env);
    return r ? r.name || r.domain : env;
  }

  /**
   * Show a view.
   * @param {string} name @param {Record<string, any>} [params]
   */
  async go(name, params = {}) {
    const view = this.views[name];
    if (!view) throw new Error(`unknown view ${name}`);
    if (this.cleanup) {
      try { this.cleanup(); } catch { /* a view's cleanup must not block navigation */ }
      this.cleanup = null;
    }
    this.current = name;
    this.params = params;
    this.nav.hidden = name === "firstrun";
    for (const b of this.nav.querySelectorAll("button[data-nav]")) {
      if (b.getAttribute("data-nav") === NAV_OF[name]) b.setAttribute("aria-current", "page");
      else b.removeAttribute("aria-current");
    }
    const root = this.root;
    root.replaceChildren();
    root.dataset.view = name;
    window.scrollTo(0, 0);
    try {
      const c = await view(root, this, params);
      if (this.current === name && this.params === params && typeof c === "function") this.cleanup = c;
    } catch (e) {
      root.replaceChildren(this.errorPanel(/** @type {ApiError} */ (e), () => this.go(name, params)));
    }
    if (this.current === name) focusHeading(root);
  }

  /** Re-render the current view. */
  refresh() {
    return this.go(this.current, this.params);
  }

  /** Say something to screen readers. @param {string} text */
  announce(text) {
    const a = /** @type {HTMLElement} */ (document.getElementById("announcer"));
    a.textContent = "";
    setTimeout(() => { a.textContent = text; }, 30);
  }

  /** A one-time message banner for the top of a view (null if none). */
  takeFlash() {
    const f = this.flash;
    this.flash = null;
    return f ? h("div", { class: "banner info", role: "status" }, h("p", null, f)) : null;
  }

  /**
   * A full-view explanation of an error, with a retry.
   * @param {ApiError} err @param {() => void} [retry]
   */
  errorPanel(err, retry) {
    const { title, next } = explain(err ?? { kind: "internal", message: "" });
    return h("section", { class: "panel error-panel", "aria-labelledby": "err-title" },
      h("h1", { id: "err-title" }, "Something went wrong"),
      h("p", { class: "lead" }, title),
      h("p", null, next),
      err?.message ? h("p", { class: "details" }, `Details: ${err.message}`) : null,
      h("div", { class: "actions" },
        retry ? h("button", { type: "button", class: "btn primary", onclick: retry }, "Try again") : null,
        h("button", { type: "button", class: "btn", onclick: () => this.go("home") }, "Back to exports")));
  }

  /**
   * Ask the user to confirm something, in a modal dialog.
   * @param {{title: string, body: string, confirm: string, cancel?: string, danger?: boolean}} p
   * @returns {Promise<boolean>}
   */
  confirm({ title, body, confirm, cancel = "Cancel", danger }) {
    const previous = /** @type {HTMLElement|null} */ (document.activeElement);
    return new Promise((resolve) => {
      const titleId = "confirm-title";
      const dlg = h("dialog", { class: "confirm", "aria-labelledby": titleId, "aria-describedby": "confirm-body" },
        h("h2", { id: titleId }, title),
        h("p", { id: "confirm-body" }, body));
      const no = h("button", { type: "button", class: "btn", "data-action": "dismiss" }, cancel);
      const yes = h("button", { type: "button", class: `btn ${danger ? "danger" : "primary"}`, "data-action": "confirm" }, confirm);
      dlg.append(h("div", { class: "actions" }, no, yes));
      /** @param {boolean} v */
      const done = (v) => {
        dlg.close();
        dlg.remove();
        previous?.focus?.();
        resolve(v);
      };
      no.addEventListener("click", () => done(false));
      yes.addEventListener("click", () => done(true));
      dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
      document.body.append(dlg);
      dlg.showModal();
      no.focus();
    });
  }
}
