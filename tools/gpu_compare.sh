#!/usr/bin/env bash
# Issue 5's comparison on one GPU machine: for each shape, our engine (falcon-gpu-bench, the code
# of falcon-run --bench --synthetic) and HF transformers eager and compiled (tools/hf_baseline.py),
# one after the other on the same card, all with random weights of the real shapes. It takes
# longer than one device call (HF compiled Falcon-40B compiles for ~3 minutes), so it runs in a
# process session of its own (tools/gpu_bg.sh):
#
#   bash tools/gpu_compare.sh start DIST [SHAPES]   # returns at once; SHAPES default "7b 40b"
#   bash tools/gpu_compare.sh wait SECONDS          # follows it; exit 3 while it still runs
#
# ENGINES (default "falcon eager compiled") picks what runs, e.g. ENGINES=compiled to redo only
# HF compiled; bench_report.py counts the last line of each shape and mode.
#
# `wait` copies the JSON lines so far to $OUT/compare.jsonl. Back here:
#   python3 tools/bench_report.py compare.jsonl --command "..." --write docs/BENCHMARKS.md
set -u
LOG=/tmp/falcon-compare.jsonl
PIDFILE=/tmp/falcon-compare.pid
source "$(dirname "$0")/gpu_bg.sh"

# The comparison itself (run by `start` in its own session): one JSON line per measurement,
# tagged with the engine, between a start line (date, GPU) and an end line.
run_all() {
  local dist=$1 shapes=$2 gpu
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  printf '{"compare_start":"%s","gpu":"%s","shapes":"%s"}\n' "$(date -u +%FT%TZ)" "$gpu" "$shapes"
  local engines=" ${ENGINES:-falcon eager compiled} "
  for s in $shapes; do
    if [[ $engines == *" falcon "* ]]; then
      timeout 300 "$dist/falcon-gpu-bench" "$s" 2>/dev/null | grep '^{' | sed 's/^{/{"engine":"falcon",/'
    fi
    for mode in eager compiled; do
      [[ $engines == *" $mode "* ]] || continue
      timeout 600 python3 tools/hf_baseline.py --shape "$s" --mode "$mode" 2>/dev/null | grep '^{' |
        sed 's/^{/{"engine":"hf",/'
    done
  done
  printf '{"compare_end":"%s"}\n' "$(date -u +%FT%TZ)"
}

case "${1:-}" in
start)
  source "$(dirname "$0")/gpu_libs.sh"
  export PYTHONUNBUFFERED=1
  bg_start "$LOG" "$PIDFILE" bash "$0" run "$2" "${3:-7b 40b}"
  echo "comparison started, pid $(cat "$PIDFILE"): ${3:-7b 40b}"
  ;;
run)
  run_all "$2" "$3"
  ;;
wait)
  bg_wait "$LOG" "$PIDFILE" "${2:-540}" compare.jsonl comparison
  ;;
*)
  echo "usage: $0 start DIST [SHAPES] | wait SECONDS" >&2
  exit 2
  ;;
esac
