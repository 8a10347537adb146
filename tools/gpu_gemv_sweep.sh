#!/usr/bin/env bash
# Sweeps the bf16 decode GEMV's benchmark knobs over the kernel bench's GEMV shapes, on the GPU
# machine: FALCON_GEMV_UNROLL (16-byte chunks per row in flight per lane, gpu/kernels/gemv.cu) and
# FALCON_GEMV_SPLIT (k segments per row pair; 0 = the launcher's choice, 1 = no split).
#   bash tools/gpu_gemv_sweep.sh DIST ["UNROLLS"] ["SPLITS"]
# Prints one block per setting: single launches and launches "in a run" (GB/s and % of 4.27 TB/s).
set -u
dist=${1:?usage: gpu_gemv_sweep.sh DIST [UNROLLS] [SPLITS]}
source "$(dirname "$0")/gpu_libs.sh"
export FALCON_KERNEL_BENCH_GEMV_ONLY=1
for u in ${2:-2 4 8}; do
  for sp in ${3:-0 1}; do
    echo "== FALCON_GEMV_UNROLL=$u FALCON_GEMV_SPLIT=$sp"
    FALCON_GEMV_UNROLL=$u FALCON_GEMV_SPLIT=$sp timeout 120 "$dist/falcon-gpu-bench" --kernels |
      grep -E '^\| (GEMV|cudaMemcpy)'
  done
done
