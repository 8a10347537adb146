#!/usr/bin/env bash
# A GPU soak longer than one device call (a call may run 10 minutes; the 100,000-token soak of
# issue 6 takes ~17 on 40B int4). `start` launches falcon-gpu-bench in a new process session
# (setsid), which the device machine lets run on between calls for as long as it stays held;
# `wait` follows it in the next calls, which must come before the machine's idle release.
#
#   bash tools/gpu_soak_bg.sh start DIST_DIR falcon-gpu-bench-args...   # returns at once
#   bash tools/gpu_soak_bg.sh wait SECONDS        # until the soak ends or SECONDS pass
#
# The log (one JSON line per stretch, then soak_result) is /tmp/falcon-soak.log on the machine;
# `wait` copies it to $OUT/soak.jsonl each time and prints its last lines. Exit status of
# `wait`: 0 when the soak has finished, 3 while it is still running.
set -u
LOG=/tmp/falcon-soak.log
PIDFILE=/tmp/falcon-soak.pid
source "$(dirname "$0")/gpu_bg.sh"
case "${1:-}" in
start)
  dist=$2
  shift 2
  source "$(dirname "$0")/gpu_libs.sh"
  bg_start "$LOG" "$PIDFILE" "$dist/falcon-gpu-bench" "$@"
  echo "soak started, pid $(cat "$PIDFILE"): falcon-gpu-bench $*"
  ;;
wait)
  bg_wait "$LOG" "$PIDFILE" "${2:-540}" soak.jsonl soak
  ;;
*)
  echo "usage: $0 start DIST ARGS... | wait SECONDS" >&2
  exit 2
  ;;
esac
