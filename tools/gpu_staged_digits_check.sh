#!/usr/bin/env bash
# Runs on the GPU machine (carry build-gpu/carry, with prev.xz: the stripped falcon-gpu-bench of
# the build before): the decode LayerNorm staging x's digits for the int4 GEMV on the integer tensor
# cores (docs/GPU_NOTES.md run 52).
#   1. test_gpu_quant's kernel checks (run_staged: the staged chunks against the CPU's staging bit
#      for bit, the GEMV fed them against the GEMV staging x itself and the reference product), then
#      with FULL=1 gpu_run.sh tests quant (every GPU test, also with FALCON_Q4_IMMA=0 and with every
#      int4 unit 2048 columns wide, which takes the staged path in the fixtures' models);
#   2. rotated, REPS rounds (default 3), Falcon-40B int4 decode-only: prev against this build and
#      the same binary with FALCON_STAGED_X=0 (each block stages its own x, as before).
# SANITIZE=1 instead runs compute-sanitizer's memcheck, racecheck and synccheck on the int4 kernel
# checks and memcheck on test_gpu_quant with 2048-column units, then stops.
set -u
source "$(dirname "$0")/gpu_dist.sh"
nvidia-smi --query-gpu=name,power.limit,clocks.max.sm,memory.total --format=csv,noheader
date -u
if [ "${SANITIZE:-0}" = 1 ]; then
  sanitize_quant_kernels int4
  FALCON_QUANT_TEST_QUICK=1 FALCON_Q4_CHUNK=2048 sanitize memcheck-2048.log memcheck \
    "test_gpu_quant (2048-column units)" 300 "$D/test_gpu_quant"
  date -u
  exit 0
fi
FALCON_QUANT_TEST_QUICK=kernels FALCON_QUANT_TEST_FORMATS=int4 timeout 200 "$D/test_gpu_quant" >"$OUT/quant-int4.log" 2>&1
echo "test_gpu_quant (int4 kernels): rc=$? $(tail -n 1 "$OUT/quant-int4.log")"
grep -E '^FAIL' "$OUT/quant-int4.log" | head -12
grep -E 'staged' "$OUT/quant-int4.log" | head -4
if [ "${FULL:-0}" = 1 ]; then
  OUT=$OUT bash "$(dirname "$0")/gpu_run.sh" tests quant 2>&1 | tail -14
fi
date -u
variants="digits:$D/falcon-gpu-bench;self:env FALCON_STAGED_X=0 $D/falcon-gpu-bench"
[ -x "$D/prev-bench" ] && variants="prev:$D/prev-bench;$variants"
echo "== --weights int4 --no-long --decode-only 40b"
ROT_REPS=${REPS:-3} ROT_ARGS="--weights int4 --no-long --decode-only 40b" ROT_VARIANTS="$variants" \
  ROT_FIELDS="decode_512_tok_s decode_app_tok_s decode_sm_mhz decode_power_capped read_tb_s" \
  bash "$(dirname "$0")/gpu_ab_rotate.sh" | tee -a "$OUT/rotate.txt"
date -u
