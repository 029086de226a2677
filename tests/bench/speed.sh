#!/usr/bin/env bash
# B7 (issue #19): no wait the API does not require. The release CLI against a
# fresh genesys-sim at 150 ms latency per API request and 300 requests / 60 s:
#   - 5,000 conversations in one week: compared with the ideal time for
#     4 requests in flight, ceil(api requests / 4) x 150 ms;
#   - 50,000 conversations over a month (sync: the rate limit binds): compared
#     with the rate-limit floor, (ceil(N / 300) - 1) x 60 s + ceil(rest / 4) x
#     150 ms for N API requests, rest = the requests of the last 60 s window
#     (the emulator's window starts at the first request and lets 300 through;
#     nothing can make the last window start earlier).
# Wall time from GNU time; requests, 429s, most requests at once and size
# estimates from the emulator's counters on exit.
#
#   cargo build --release --bin genesys-export-cli --bin genesys-sim
#   tests/bench/speed.sh
#
# Environment: RUNS (what to run, default "week-auto month-sync month-auto").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_binaries

RUNS="${RUNS:-week-auto month-sync month-auto}"
WORK="$(mktemp -d)"

echo "## speed.sh: $(date -u '+%F %T UTC'), 150 ms latency, 300 requests / 60 s"
machine_info
echo
echo "| run | conversations | days | strategy | wall s | API requests | 429s | most in flight | size estimates | ideal or floor s | wall ÷ ideal/floor | exit |"
echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"

# one NAME N DAYS STRATEGY KIND(ideal|floor)
one() {
  local name="$1" n="$2" days="$3" strategy="$4" kind="$5" rc=0
  local start="2026-01-01"
  local last
  last="$(date -u -d "$start + $((days - 1)) days" +%F)"
  start_sim --conversations "$n" --seed 7 --start "${start}T00:00:00Z" --days "$days" \
    --rate-limit 300 --rate-window-secs 60 --latency-ms 150
  GENESYS_CLIENT_SECRET="$BENCH_SECRET" timed "$WORK/run" \
    "$CLI" export --environment "$SIM_URL" --client-id "$BENCH_CLIENT_ID" \
    --from "$start" --to "$last" --time-zone UTC --strategy "$strategy" \
    --format csv --output "$WORK/$name.csv" --quiet || rc=$?
  stop_sim
  local api got bound
  api="$(sim_stat api_requests)"
  got="$(grep -o 'Exported [0-9]* conversations' "$WORK/run.out" | grep -o '[0-9]*' || echo 0)"
  bound="$(awk -v n="$api" -v kind="$kind" 'BEGIN{
    if (kind == "ideal") { printf "%.2f", int((n + 3) / 4) * 0.15; exit }
    w = int((n + 299) / 300) - 1; rest = n - 300 * w;
    printf "%.2f", w * 60 + int((rest + 3) / 4) * 0.15 }')"
  printf '| %s | %s | %s | %s | %.2f | %s | %s | %s | %s | %s (%s) | **%.2f×** | %s |\n' \
    "$name" "$got" "$days" "$strategy" "$WALL_S" "$api" "$(sim_stat responses_429)" \
    "$(sim_stat most_in_flight)" "$(sim_stat size_estimates)" "$bound" "$kind" \
    "$(awk -v w="$WALL_S" -v b="$bound" 'BEGIN{ if (b > 0) print w / b; else print 0 }')" "$rc"
  [[ $rc -eq 0 ]] || echo "<!-- $name failed: $(tail -3 "$WORK/run.err" | tr '\n' ' ') -->"
  rm -f "$WORK/$name.csv"
}

for run in $RUNS; do
  case "$run" in
    week-auto) one week-auto 5000 7 auto ideal ;;
    week-sync) one week-sync 5000 7 sync ideal ;;
    month-sync) one month-sync 50000 30 sync floor ;;
    month-auto) one month-auto 50000 30 auto floor ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
done
rm -rf "$WORK"
