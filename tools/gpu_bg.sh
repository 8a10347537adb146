# Sourced by the GPU-machine scripts whose work outlasts one device call (gpu_soak_bg.sh,
# gpu_compare.sh): a command started in a process session of its own (setsid), which the
# machine lets run on between calls for as long as it stays held, and followed by later calls.

# bg_start LOG PIDFILE COMMAND...: starts COMMAND with stdout and stderr to LOG.
bg_start() {
  local log=$1 pidfile=$2
  shift 2
  setsid nohup "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# bg_wait LOG PIDFILE SECONDS OUT_NAME WHAT: waits until the command ends or SECONDS pass, copies
# LOG to $OUT/OUT_NAME, prints its last lines. Returns 0 once it has ended, 3 while it runs.
bg_wait() {
  local log=$1 pidfile=$2 limit=$3 name=$4 what=$5
  local t0=$SECONDS pid
  pid=$(cat "$pidfile" 2>/dev/null || echo 0)
  while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$limit" ]; do sleep 5; done
  [ -n "${OUT:-}" ] && cp "$log" "$OUT/$name"
  tail -n 4 "$log"
  if kill -0 "$pid" 2>/dev/null; then
    echo "$what still running after ${limit}s"
    return 3
  fi
  echo "$what finished"
}
