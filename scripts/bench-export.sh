#!/usr/bin/env bash
# Export pipeline benchmark (issue 5): parse → flatten → names → CSV / XLSX for
# 10k, 100k and 1M emulator conversations, one process per run (peak RSS = VmHWM).
# Usage: scripts/bench-export.sh [OUTPUT_DIR]   (sizes via SIZES="10000 100000")
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TMPDIR:-/tmp}/genesys-export-bench}"
sizes="${SIZES:-10000 100000 1000000}"
cargo build --release -p genesys-core --example bench_export
bin="${CARGO_TARGET_DIR:-target}/release/examples/bench_export"
for format in csv xlsx; do
  for n in $sizes; do
    "$bin" "$format" "$n" "$out"
  done
done
