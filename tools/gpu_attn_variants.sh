#!/usr/bin/env bash
# Same-call A/B of the prefill attention kernels alone: the kernel bench's attention rows
# (FALCON_KERNEL_BENCH_ATTN_ONLY=1: the read ceilings, then the attention kernels), once per variant
# per round, the variants' order rotated every round (rotate_lib.sh, as gpu_ab_rotate.sh). Runs on the GPU machine
# from the repository root after gpu_build.sh's archive is unpacked.
#   ATTN_VARIANTS="base:/tmp/base;x:env FALCON_X=1 build-gpu/dist/falcon-gpu-bench" ATTN_REPS=3 \
#     bash tools/gpu_attn_variants.sh
# Each variant is NAME:COMMAND (spaces allowed, variants separated by ";"); ATTN_KERNEL picks the
# row (default wgmma; mma.sync for the other kernel). Prints one line per run: round, variant and
# the bench's row (time, TFLOP/s for Falcon-40B's heads over 2048 tokens), or FAILED with the exit
# status and the last line written to stderr.
set -u
: "${ATTN_VARIANTS:?NAME:COMMAND;NAME:COMMAND...}"
source "$(dirname "$0")/rotate_lib.sh"
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
run_one() {
  local rep=$1 name=$2 cmd=$3 rc line
  FALCON_KERNEL_BENCH_ATTN_ONLY=1 timeout 120 $cmd --kernels >"$out" 2>"$err"
  rc=$?
  line=$(grep -F "attention prefill (causal, ${ATTN_KERNEL:-wgmma})" "$out" | head -n 1)
  if [ -z "$line" ]; then
    echo "round $rep $name FAILED (exit $rc: $(tail -n 1 "$err"))"
  else
    echo "round $rep $name $line"
  fi
}
rotate_variants "$ATTN_VARIANTS" "${ATTN_REPS:-3}" run_one
