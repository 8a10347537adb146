#!/usr/bin/env bash
# Same-call A/B of the prefill attention kernels alone: the kernel bench's attention rows
# (FALCON_KERNEL_BENCH_ATTN_ONLY=1: the read ceilings, then the attention kernels), once per variant
# per round, the variants' order rotated every round as in gpu_ab_rotate.sh. Runs on the GPU machine
# from the repository root after gpu_build.sh's archive is unpacked.
#   ATTN_VARIANTS="base:/tmp/base;x:env FALCON_X=1 build-gpu/dist/falcon-gpu-bench" ATTN_REPS=3 \
#     bash tools/gpu_attn_variants.sh
# Each variant is NAME:COMMAND (spaces allowed, variants separated by ";"); ATTN_KERNEL picks the
# row (default wgmma; mma.sync for the other kernel). Prints one line per run: round, variant and
# the bench's row (time, TFLOP/s for Falcon-40B's heads over 2048 tokens), or FAILED with the exit
# status and the last line written to stderr.
set -u
IFS=';' read -r -a variants <<<"${ATTN_VARIANTS:?NAME:COMMAND;NAME:COMMAND...}"
n=${#variants[@]}
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
for rep in $(seq "${ATTN_REPS:-3}"); do
  for i in $(seq 0 $((n - 1))); do
    v=${variants[$(((i + rep - 1) % n))]}
    name=${v%%:*} cmd=${v#*:}
    FALCON_KERNEL_BENCH_ATTN_ONLY=1 timeout 120 $cmd --kernels >"$out" 2>"$err"
    rc=$?
    line=$(grep -F "attention prefill (causal, ${ATTN_KERNEL:-wgmma})" "$out" | head -n 1)
    if [ -z "$line" ]; then
      echo "round $rep $name FAILED (exit $rc: $(tail -n 1 "$err"))"
    else
      echo "round $rep $name $line"
    fi
  done
done
