#!/usr/bin/env bash
# B5: the desktop app's cold start to a mapped window, idle RSS, and .deb size.
#
#   npx tauri build --bundles deb          # release app with embedded UI + the .deb
#   tests/bench/app_startup.sh             # RUNS=5 by default
#
# Cold start = from exec until a window titled "Genesys Export" exists
# (xdotool search --sync) under Xvfb, with a fresh, empty config/data dir;
# to interactive = until the UI's script has run and sent its first command
# (the app logs "window ready" into its log folder, polled every 10 ms).
# Idle RSS = 5 s after the window appears: the app process, and the whole
# process tree (WebKitGTK runs its web and network processes separately).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap - EXIT

APP="${APP:-$BIN/genesys-export}"
RUNS="${RUNS:-5}"
[[ -x "$APP" ]] || { echo "Build the app first: npx tauri build --bundles deb" >&2; exit 2; }
command -v Xvfb >/dev/null && command -v xdotool >/dev/null || {
  echo "Install Xvfb and xdotool: sudo apt-get install -y xvfb xdotool" >&2; exit 2; }

DISPLAY_NUM="${DISPLAY_NUM:-:97}"
Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 >/dev/null 2>&1 &
XVFB_PID=$!
cleanup() { kill "$XVFB_PID" 2>/dev/null || true; }
trap cleanup EXIT
sleep 1
export DISPLAY="$DISPLAY_NUM"

tree_rss_kb() { # RSS of a process and all its descendants
  local pids="$1" all="$1" next
  while [[ -n "$pids" ]]; do
    next="$(for p in $pids; do pgrep -P "$p" || true; done | tr '\n' ' ')"
    all="$all $next"; pids="$(echo "$next" | xargs)"
  done
  for p in $all; do awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null; done | awk '{s+=$1} END{print s+0}'
}

echo "## app_startup.sh: $(date -u '+%F %T UTC')"
machine_info
echo
echo "| run | cold start to window (ms) | to interactive UI (ms) | idle RSS app (MB) | idle RSS with WebKit processes (MB) |"
echo "|---:|---:|---:|---:|---:|"
for i in $(seq 1 "$RUNS"); do
  home="$(mktemp -d)"
  t0="$(date +%s%N)"
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" "$APP" >/dev/null 2>&1 &
  pid=$!
  xdotool search --sync --onlyvisible --name '^Genesys Export' >/dev/null
  t1="$(date +%s%N)"
  t2=""
  for _ in $(seq 1 1000); do
    if grep -rqs "window ready" "$home/.local/share"; then t2="$(date +%s%N)"; break; fi
    sleep 0.01
  done
  ready_ms="n/a"; [[ -n "$t2" ]] && ready_ms=$(((t2 - t0) / 1000000))
  sleep 5
  app_kb="$(awk '/^VmRSS/{print $2}' "/proc/$pid/status")"
  tree_kb="$(tree_rss_kb "$pid")"
  printf '| %d | %d | %s | %.1f | %.1f |\n' "$i" $(((t1 - t0) / 1000000)) "$ready_ms" \
    "$(awk -v k="$app_kb" 'BEGIN{print k/1024}')" "$(awk -v k="$tree_kb" 'BEGIN{print k/1024}')"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$home"
done
deb="$(ls -1 "$BIN"/bundle/deb/*.deb 2>/dev/null | head -1 || true)"
if [[ -n "$deb" ]]; then
  echo
  echo "- .deb: \`$(basename "$deb")\` $(du -h "$deb" | cut -f1) ($(stat -c %s "$deb") bytes); app binary $(du -h "$APP" | cut -f1)"
fi
