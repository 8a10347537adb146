#!/usr/bin/env bash
# Runs on an H200 (carry build-gpu/carry; needs the card's 141 GB for Falcon-40B bf16): issue 5's
# and issue 10's benchmarks in one call, as docs/BENCHMARKS.md records them.
#   1. falcon-gpu-bench --weights bf16 40b (decode at 512 and 8192 tokens, prefill 2048 back to back
#      and from idle, TTFT 512, peak memory) and --weights int4 --no-long 40b, the same run;
#   2. rotated, REPS rounds (default 2), Falcon-40B int4 decode-only with an int8, an int6 (the
#      default) and an int4 head: the step alone and the decode as the app runs it (the sampler
#      between the steps, reading the head's block maxima);
#   3. with TESTS=1 (default), the GPU tests (gpu_run.sh tests quant).
# JSON lines go to $OUT/bench.jsonl, the rotation to $OUT/rotate.txt.
set -u
source "$(dirname "$0")/gpu_dist.sh"
nvidia-smi --query-gpu=name,power.limit,clocks.max.sm,memory.total --format=csv,noheader
date -u
for w in "bf16 40b" "int4 --no-long 40b"; do
  echo "== --weights $w"
  timeout 240 "$D/falcon-gpu-bench" --weights $w 2>"$OUT/bench-err.txt" | tee -a "$OUT/bench.jsonl"
  tail -n 2 "$OUT/bench-err.txt"
done
date -u
echo "== rotation: int4 layers, int8 / int6 (default) / int4 head"
ROT_REPS=${REPS:-2} ROT_ARGS="--weights int4 --no-long --decode-only 40b" \
  ROT_VARIANTS="int8head:$D/falcon-gpu-bench --head-weights int8;int6head:$D/falcon-gpu-bench --head-weights int6;int4head:$D/falcon-gpu-bench --head-weights int4" \
  ROT_FIELDS="decode_512_tok_s decode_app_tok_s decode_app_nomax_tok_s decode_app_sample_us decode_sm_mhz decode_power_capped read_tb_s" \
  bash "$(dirname "$0")/gpu_ab_rotate.sh" | tee -a "$OUT/rotate.txt"
date -u
if [ "${TESTS:-1}" = 1 ]; then
  OUT=$OUT bash "$(dirname "$0")/gpu_run.sh" tests quant 2>&1 | tail -14
  date -u
fi
