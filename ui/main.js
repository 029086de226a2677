// Entry point: decide between first run and home, then hand over to the views.
import { api } from "./api.js";
import { Ctx } from "./app.js";
import { firstRunView } from "./views/firstrun.js";
import { homeView } from "./views/home.js";
import { editorView } from "./views/editor.js";
import { previewView } from "./views/preview.js";
import { exportView } from "./views/export.js";
import { historyView } from "./views/history.js";
import { settingsView } from "./views/settings.js";
import { connectionsView } from "./views/connections.js";
import { helpView } from "./views/help.js";

const ctx = new Ctx({
  firstrun: firstRunView,
  home: homeView,
  editor: editorView,
  preview: previewView,
  export: exportView,
  history: historyView,
  settings: settingsView,
  connections: connectionsView,
  help: helpView,
});

async function boot() {
  try {
    ctx.appInfo = await api.appInfo();
  } catch {
    ctx.appInfo = null; // Help shows what it can; the app still works.
  }
  let connections = [];
  try {
    connections = await api.listConnections();
  } catch (e) {
    await ctx.go("home");
    return;
  }
  await ctx.go(connections.length ? "home" : "firstrun");
}

boot();
