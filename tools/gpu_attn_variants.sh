#!/usr/bin/env bash
# Same-call A/B of the prefill attention kernels: the kernel bench's attention rows only
# (FALCON_KERNEL_BENCH_ATTN_ONLY=1), once per variant per round, the variants' order rotated every
# round. Runs on the GPU machine from the repository root after gpu_build.sh's archive is unpacked.
#   ATTN_VARIANTS="base:/tmp/base;poly2:env FALCON_X=2 build-gpu/dist/falcon-gpu-bench" ATTN_REPS=3 \
#     bash tools/gpu_attn_variants.sh
# Prints one line per run: round, variant, the wgmma kernel's ms and TFLOP/s (Falcon-40B heads,
# 2048 tokens), and the read ceiling's SM clock when the bench reports it.
set -u
IFS=';' read -r -a variants <<<"${ATTN_VARIANTS:?NAME:COMMAND;NAME:COMMAND...}"
n=${#variants[@]}
for rep in $(seq "${ATTN_REPS:-3}"); do
  for i in $(seq 0 $((n - 1))); do
    v=${variants[$(((i + rep - 1) % n))]}
    name=${v%%:*} cmd=${v#*:}
    line=$(FALCON_KERNEL_BENCH_ATTN_ONLY=1 timeout 120 $cmd --kernels 2>&1 | grep "attention prefill (causal, ${ATTN_KERNEL:-wgmma})")
    echo "round $rep $name ${line:-FAILED}"
  done
done
