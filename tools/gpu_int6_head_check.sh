#!/usr/bin/env bash
# Runs on the GPU machine (carry build-gpu/carry, with prev.xz: the stripped falcon-gpu-bench of
# the build before the int6 head): the int6 output head's checks and its A/B
# (docs/GPU_NOTES.md run 51).
#   1. test_gpu_quant (the int6 quantizer, dequantizer and GEMV against the CPU reference of the
#      scheme, in every case the int8 kernels run; int4 layers with an int6 head on every fixture,
#      the cache, falcon-mini's perplexity), then test_gpu_backend;
#   2. rotated, REPS rounds (default 2), Falcon-40B int4 decode-only: prev (int8 head) against this
#      build with an int8, an int6 and an int4 head: the step alone and the app's decode.
# QUICK=1 leaves out step 1's test_gpu_backend. SANITIZE=1 instead runs compute-sanitizer's
# memcheck, racecheck and synccheck on test_gpu_quant's int6 kernel checks
# (FALCON_QUANT_TEST_FORMATS=int6) and memcheck on test_gpu_fixtures (the backend's default int4
# layers + int6 head against the CPU's), then stops. Everything also goes to $OUT.
set -u
source "$(dirname "$0")/gpu_dist.sh"
REPS=${REPS:-2}
nvidia-smi --query-gpu=name,power.limit,clocks.max.sm,memory.total --format=csv,noheader
date -u
if [ "${SANITIZE:-0}" = 1 ]; then
  sanitize_quant_kernels int6
  sanitize memcheck-fixtures.log memcheck test_gpu_fixtures 300 "$D/test_gpu_fixtures"
  date -u
  exit 0
fi
timeout 300 "$D/test_gpu_quant" >"$OUT/quant.log" 2>&1
echo "test_gpu_quant: rc=$? $(tail -n 1 "$OUT/quant.log")"
grep -E '^FAIL' "$OUT/quant.log" | head -12
grep -E '^(ACCURACY|PERPLEXITY)' "$OUT/quant.log" | grep -E 'head-int6|head-int8|PERPLEXITY' | head -40
if [ "${QUICK:-0}" != 1 ]; then
  timeout 200 "$D/test_gpu_backend" >"$OUT/backend.log" 2>&1
  echo "test_gpu_backend: rc=$? $(tail -n 1 "$OUT/backend.log")"
  grep -E '^FAIL' "$OUT/backend.log" | head -5
fi
date -u
variants="new-int8:$D/falcon-gpu-bench --head-weights int8;new-int6:$D/falcon-gpu-bench --head-weights int6;new-int4:$D/falcon-gpu-bench --head-weights int4"
[ -x "$D/prev-bench" ] && variants="prev-int8:$D/prev-bench;$variants"
echo "== --weights int4 --no-long --decode-only 40b"
ROT_REPS=$REPS ROT_ARGS="--weights int4 --no-long --decode-only 40b" ROT_VARIANTS="$variants" \
  ROT_FIELDS="decode_512_tok_s decode_app_tok_s decode_app_sample_us decode_sm_mhz decode_power_capped bytes_per_token read_tb_s" \
  bash "$(dirname "$0")/gpu_ab_rotate.sh" | tee -a "$OUT/rotate.txt"
date -u
