#!/usr/bin/env bash
# B3 (rate-limited) and B4 (side by side with the official Python SDK).
#
#   cargo build --release --bin genesys-export-cli --bin genesys-sim
#   tests/bench/side_by_side.sh
#
# For each scenario a fresh genesys-sim is started, then the same export is run
# by our CLI (auto strategy, and sync: the same query shape as the SDK script)
# and by tests/bench/python_sdk_baseline.py (official SDK, sequential sync pages,
# all in memory, then CSV). Wall time and peak RSS come from GNU time; 429s and
# requests from the emulator's counters printed on exit.
#
# Environment: ZERO_SIZES (default "10000 100000"), LIMITED_SIZE (30000),
# DAYS (10), PYTHON (a python with PureCloudPlatformClientV2; default: a venv
# made in $TARGET/pysdk-venv with `pip install PureCloudPlatformClientV2`).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_binaries

ZERO_SIZES="${ZERO_SIZES:-10000 100000}"
LIMITED_SIZE="${LIMITED_SIZE:-30000}"
DAYS="${DAYS:-10}"
START="2026-01-01"
LAST_DAY="$(date -u -d "$START + $((DAYS - 1)) days" +%F)"
WORK="$(mktemp -d)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ -z "${PYTHON:-}" ]]; then
  VENV="$TARGET/pysdk-venv"
  if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q PureCloudPlatformClientV2
  fi
  PYTHON="$VENV/bin/python"
fi
SDK_VERSION="$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("PureCloudPlatformClientV2"))')"

echo "## side_by_side.sh: $(date -u '+%F %T UTC'), $DAYS days of data, PureCloudPlatformClientV2 $SDK_VERSION, $("$PYTHON" --version)"
machine_info
echo
echo "| scenario | conversations | tool | wall s | conversations/s | peak RSS MB | requests | 429s | exit |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|"

# one SCENARIO N TOOL SIM_ARGS...
one() {
  local scenario="$1" n="$2" tool="$3"; shift 3
  start_sim --conversations "$n" --seed 7 --start "${START}T00:00:00Z" --days "$DAYS" "$@"
  local out="$WORK/$tool.csv" rc=0 got work=""
  rm -f "$out"
  case "$tool" in
    cli-auto|cli-sync)
      GENESYS_CLIENT_SECRET="$BENCH_SECRET" timed "$WORK/run" \
        "$CLI" export --environment "$SIM_URL" --client-id "$BENCH_CLIENT_ID" \
        --from "$START" --to "$LAST_DAY" --time-zone UTC --strategy "${tool#cli-}" \
        --format csv --output "$out" --quiet || rc=$?
      got="$(grep -o 'Exported [0-9]* conversations' "$WORK/run.out" | grep -o '[0-9]*' || echo 0)" ;;
    python-sdk)
      GENESYS_CLIENT_SECRET="$BENCH_SECRET" timed "$WORK/run" \
        "$PYTHON" "$HERE/python_sdk_baseline.py" --host "$SIM_URL" --client-id "$BENCH_CLIENT_ID" \
        --from "$START" --days "$DAYS" --output "$out" || rc=$?
      got="$(grep -o 'conversations=[0-9]*' "$WORK/run.out" | grep -o '[0-9]*' || echo 0)"
      # The script's own time, from after `import PureCloudPlatformClientV2` to the CSV closed.
      work="$(grep -o 'seconds=[0-9.]*' "$WORK/run.out" | cut -d= -f2 || echo 0)" ;;
  esac
  stop_sim
  local rate
  rate="$(awk -v n="$got" -v s="$WALL_S" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "n/a" }')"
  printf '| %s | %s | %s | %.2f | %s | %.1f | %s | %s | %s |\n' "$scenario" "$got" "$tool" "$WALL_S" "$rate" \
    "$(awk -v k="$MAXRSS_KB" 'BEGIN{print k/1024}')" "$(sim_stat requests)" "$(sim_stat responses_429)" "$rc"
  [[ $rc -eq 0 ]] || echo "<!-- $tool failed: $(tail -3 "$WORK/run.err" | tr '\n' ' ') -->"
  [[ -n "$work" ]] && echo "<!-- $tool: ${work} s without interpreter start and SDK import -->"
  echo "$scenario $n $tool $WALL_S $MAXRSS_KB ${work:-$WALL_S}" >>"$WORK/raw"
}

for n in $ZERO_SIZES; do
  for tool in cli-auto cli-sync python-sdk; do
    one "zero latency" "$n" "$tool" --rate-limit 100000000 --latency-ms 0
  done
done
for tool in cli-auto cli-sync python-sdk; do
  one "B3: 150 ms, 300 req/60 s" "$LIMITED_SIZE" "$tool" --rate-limit 300 --rate-window-secs 60 --latency-ms 150
done

echo
echo "Ratios (Python SDK ÷ ours, same scenario and size; >1 means we are faster / leaner):"
echo
echo "| scenario | conversations | ours | time ratio | time ratio without SDK import | peak RSS ratio |"
echo "|---|---:|---|---:|---:|---:|"
python3 - "$WORK/raw" <<'PY'
import sys, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    parts = line.split()
    tool, wall, rss, work = parts[-4], float(parts[-3]), float(parts[-2]), float(parts[-1])
    n = parts[-5]
    scenario = " ".join(parts[:-5])
    rows[(scenario, n)][tool] = (wall, rss, work)
for (scenario, n), tools in rows.items():
    py = tools.get("python-sdk")
    for ours in ("cli-auto", "cli-sync"):
        if py and ours in tools:
            w, r, _ = tools[ours]
            print(f"| {scenario} | {n} | {ours} | {py[0]/w:.1f}× | {py[2]/w:.1f}× | {py[1]/r:.1f}× |")
PY
rm -rf "$WORK"
