#!/usr/bin/env bash
# Runs on the GPU machine (carry build-gpu/carry, with prev.xz: an older stripped falcon-gpu-bench
# to compare against): the checks and the A/B of the head GEMV's block maxima
# (Backend::last_block_maxima, docs/GPU_NOTES.md run 49).
#   1. the GPU tests (gpu_run.sh tests quant), and test_gpu_backend with the logits copied
#      (FALCON_LOGITS_DIRECT=0) and with the maxima off (FALCON_HEAD_MAXIMA=0);
#   2. rotated, REPS rounds (default 2): prev against this build with the maxima and without
#      (FALCON_HEAD_MAXIMA=0), Falcon-7B bf16 (the bf16 head GEMV's 8-pair items) and Falcon-40B
#      int4 (the int8 head's tiles), decode-only: the step alone (decode_512_tok_s) and the decode
#      as the app runs it, the sampler between the steps, with and without the maxima
#      (decode_app_tok_s / decode_app_nomax_tok_s; prev has neither).
# Everything also goes to $OUT.
set -u
source "$(dirname "$0")/gpu_dist.sh"
REPS=${REPS:-2}
nvidia-smi --query-gpu=name,power.limit,clocks.max.sm --format=csv,noheader
date -u
OUT=$OUT bash "$(dirname "$0")/gpu_run.sh" tests quant 2>&1 | tail -22
for v in FALCON_LOGITS_DIRECT FALCON_HEAD_MAXIMA; do
  env "$v=0" timeout 120 "$D/test_gpu_backend" >"$OUT/backend-$v-0.log" 2>&1
  echo "test_gpu_backend $v=0: rc=$? $(grep -E 'passed' "$OUT/backend-$v-0.log" | tail -1)"
  grep -E '^FAIL' "$OUT/backend-$v-0.log" | head -5
done
variants="new:$D/falcon-gpu-bench;nomax:env FALCON_HEAD_MAXIMA=0 $D/falcon-gpu-bench"
[ -x "$D/prev-bench" ] && variants="prev:$D/prev-bench;$variants"
for args in "--weights bf16 --no-long --decode-only 7b" "--weights int4 --no-long --decode-only 40b"; do
  echo "== $args"
  ROT_REPS=$REPS ROT_ARGS="$args" ROT_VARIANTS="$variants" \
    ROT_FIELDS="decode_512_tok_s decode_app_tok_s decode_app_nomax_tok_s decode_app_sample_us decode_sm_mhz decode_power_capped read_tb_s" \
    bash "$(dirname "$0")/gpu_ab_rotate.sh" | tee -a "$OUT/rotate.txt"
done
date -u
