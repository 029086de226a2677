# Shared helpers for the whole-process benchmarks (sourced, not run).
# Binaries: release builds in $CARGO_TARGET_DIR (default: ./target).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${BENCH_BIN_DIR:-$TARGET/release}"
CLI="$BIN/genesys-export-cli"
SIM="$BIN/genesys-sim"
BENCH_CLIENT_ID="bench-client"
BENCH_SECRET="bench-secret-not-real"
SIM_PID=""
SIM_URL=""
SIM_LOG=""

require_binaries() {
  if [[ ! -x "$CLI" || ! -x "$SIM" ]]; then
    echo "Build first: cargo build --release --bin genesys-export-cli --bin genesys-sim" >&2
    exit 2
  fi
  if [[ ! -x /usr/bin/time ]]; then
    echo "Install GNU time first: sudo apt-get install -y time" >&2
    exit 2
  fi
}

# machine_info: the lines BENCHMARKS.md records for each run.
machine_info() {
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
  echo "- Memory: $(free -h | awk '/^Mem:/{print $2}') RAM"
  echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
}

# start_sim ARGS...: start genesys-sim on a free port; sets SIM_PID and SIM_URL.
start_sim() {
  SIM_LOG="$(mktemp)"
  "$SIM" --port 0 --client-id "$BENCH_CLIENT_ID" --client-secret "$BENCH_SECRET" "$@" >"$SIM_LOG" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 200); do
    if SIM_URL="$(grep -m1 -o 'http://127.0.0.1:[0-9]*' "$SIM_LOG" 2>/dev/null)"; then
      [[ -n "$SIM_URL" ]] && return 0
    fi
    sleep 0.05
  done
  echo "genesys-sim did not start:" >&2
  cat "$SIM_LOG" >&2
  exit 1
}

# stop_sim: SIGINT the emulator (it prints its counters on exit when it can) and wait.
stop_sim() {
  if [[ -n "$SIM_PID" ]]; then
    kill -INT "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
    SIM_PID=""
  fi
}

# sim_stat NAME: a counter from the emulator's exit report (`NAME: VALUE` lines), or "n/a".
sim_stat() {
  local v
  v="$(grep -m1 -E "^[[:space:]]*$1[=:]" "$SIM_LOG" 2>/dev/null | sed -E 's/^[^=:]*[=:][[:space:]]*//')" || true
  echo "${v:-n/a}"
}

# proc_cpu_s PID: user + system CPU seconds a running process has used so far.
proc_cpu_s() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# proc_hwm_mb PID: a running process's peak resident memory (VmHWM) in MB.
proc_hwm_mb() {
  awk '/^VmHWM/{ printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# timed OUT_PREFIX CMD...: run CMD under GNU time; sets WALL_S, MAXRSS_KB and CPU_S (user + system).
timed() {
  local prefix="$1"; shift
  local rc=0
  /usr/bin/time -v -o "$prefix.time" "$@" >"$prefix.out" 2>"$prefix.err" || rc=$?
  WALL_S="$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$prefix.time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
  MAXRSS_KB="$(awk -F': ' '/Maximum resident set size/{print $2}' "$prefix.time")"
  CPU_S="$(awk -F': ' '/User time|System time/{s+=$2} END{printf "%.1f", s}' "$prefix.time")"
  return $rc
}

trap stop_sim EXIT
