#!/usr/bin/env bash
# Same-call A/B of decode speed with the variants' order rotated every round (the fixed order of
# `gpu_run.sh decode-ab` cannot tell a variant from its place in the round). Runs on the GPU
# machine from the repository root after gpu_build.sh's archive is unpacked (gpu_run.sh does it).
#   ROT_VARIANTS="old:build-gpu/carry/old-bench new:env FALCON_GEMV_TAIL=0 build-gpu/dist/falcon-gpu-bench ..."
# Each variant is NAME:COMMAND (the bench command, spaces allowed, variants separated by ";"),
# ROT_ARGS the bench arguments (default: --weights bf16 --no-long --decode-only 7b), ROT_REPS
# rounds (default 3). Prints one line per run: round, variant, decode tok/s at 512 tokens, the
# read ceiling measured in that run (the machine's bus at that moment) with the SM clock then, and
# the decode's mean SM clock and share of time at the power cap (None where the bench has no NVML).
# ROT_FIELDS="prefill_2048_ms ttft_512_idle_ms ..." prints those JSON fields instead, as name=value
# (prefill A/Bs: give ROT_ARGS without --decode-only).
set -u
: "${ROT_VARIANTS:?NAME:COMMAND;NAME:COMMAND...}"
args=${ROT_ARGS:---weights bf16 --no-long --decode-only 7b}
source "$(dirname "$0")/rotate_lib.sh"
# A run that prints no JSON line (a missing binary, a crash, an out-of-memory exit) says so, with
# its exit status and the last line it wrote to stderr, instead of an empty result.
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run_one() {
  local rep=$1 name=$2 cmd=$3 rc tok
  timeout 120 $cmd $args >"$out" 2>"$err"
  rc=$?
  if ! grep -q '^{' "$out"; then
    echo "round $rep $name FAILED (exit $rc: $(tail -n 1 "$err"))"
    return
  fi
  tok=$(grep '^{' "$out" | ROT_FIELDS=${ROT_FIELDS:-} python3 -c "
import os, sys, json
fields = os.environ['ROT_FIELDS'].split()
def row(j):
    if fields:
        return ' '.join('%s=%s' % (f, j.get(f)) for f in fields)
    return '%s (read %s TB/s at %s MHz; decode %s MHz, capped %s)' % (
        j.get('decode_512_tok_s'), j.get('read_tb_s'), j.get('read_sm_mhz'),
        j.get('decode_sm_mhz'), j.get('decode_power_capped'))
print(' '.join(row(j) for j in map(json.loads, sys.stdin)))")
  echo "round $rep $name $tok"
}
rotate_variants "$ROT_VARIANTS" "${ROT_REPS:-3}" run_one
