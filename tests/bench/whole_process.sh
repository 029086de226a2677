#!/usr/bin/env bash
# B1 (throughput) and B2 (peak RSS): the whole `genesys-export-cli export`
# process against the `genesys-sim` process at zero latency, for 10k, 100k and
# 1M conversations, CSV and XLSX. Prints a Markdown table.
#
#   cargo build --release --bin genesys-export-cli --bin genesys-sim
#   tests/bench/whole_process.sh                 # all sizes
#   SIZES="10000 100000" tests/bench/whole_process.sh
#
# Environment: SIZES, FORMATS (csv xlsx jsonl), STRATEGY (auto|sync|async),
# DAYS (days of data the sizes are spread over), CARGO_TARGET_DIR.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_binaries

SIZES="${SIZES:-10000 100000 1000000}"
FORMATS="${FORMATS:-csv xlsx}"
STRATEGY="${STRATEGY:-auto}"
DAYS="${DAYS:-30}"
START="2026-01-01"
LAST_DAY="$(date -u -d "$START + $((DAYS - 1)) days" +%F)"
WORK="$(mktemp -d)"

echo "## whole_process.sh: $(date -u '+%F %T UTC'), strategy $STRATEGY, $DAYS days of data"
machine_info
echo
echo "| conversations | format | wall s | conversations/s | peak RSS MB | file MB | exit | CLI CPU s | emulator CPU s | emulator peak RSS MB |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
  # No rate limit, no latency, no faults: the emulator at full speed.
  start_sim --conversations "$n" --seed 7 --start "${START}T00:00:00Z" --days "$DAYS" \
    --rate-limit 100000000 --latency-ms 0
  for fmt in $FORMATS; do
    out="$WORK/export-$n.$fmt"
    rc=0
    sim_cpu0="$(proc_cpu_s "$SIM_PID")"
    GENESYS_CLIENT_SECRET="$BENCH_SECRET" timed "$WORK/run-$n-$fmt" \
      "$CLI" export --environment "$SIM_URL" --client-id "$BENCH_CLIENT_ID" \
      --from "$START" --to "$LAST_DAY" --time-zone UTC --strategy "$STRATEGY" \
      --format "$fmt" --output "$out" --replace --quiet || rc=$?
    size_mb="$(du -m "$out" 2>/dev/null | cut -f1 || echo 0)"
    got="$(grep -o 'Exported [0-9]* conversations' "$WORK/run-$n-$fmt.out" | grep -o '[0-9]*' || echo 0)"
    rate="$(awk -v n="$got" -v s="$WALL_S" 'BEGIN{ if (s>0) printf "%.0f", n/s; else print "n/a" }')"
    sim_cpu="$(awk -v a="$sim_cpu0" -v b="$(proc_cpu_s "$SIM_PID")" 'BEGIN{ printf "%.1f", b - a }')"
    printf '| %s | %s | %.2f | %s | %.1f | %s | %s | %s | %s | %s |\n' "$got" "$fmt" "$WALL_S" "$rate" \
      "$(awk -v k="$MAXRSS_KB" 'BEGIN{print k/1024}')" "${size_mb:-0}" "$rc" "$CPU_S" "$sim_cpu" "$(proc_hwm_mb "$SIM_PID")"
    if [[ $rc -ne 0 ]]; then
      echo "<!-- export failed: $(tail -3 "$WORK/run-$n-$fmt.err" | tr '\n' ' ') -->"
    fi
    rm -f "$out"
  done
  stop_sim
done
rm -rf "$WORK"
