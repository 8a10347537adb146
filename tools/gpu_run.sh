#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, what tools/gpu_build.sh built here:
#   bash tools/gpu_run.sh [smoke] [tests] [faults] [quant] [bench] [qbench] [kernels] [sass] [sanitize] [all] [hf] [ab] [decode-ab] [load] [ncu]
# (carry build-gpu/carry, unpacked into build-gpu/dist). Each step has its own time limit, so a hang cannot eat the lease.
# Prints one summary line per step at the end; full logs go to $OUT/gpu-logs.tar.gz.
# qbench knobs: QBENCH_FORMATS (default "bf16 int8 int4"), QBENCH_WAVES=0 skips the attention A/B.
set -u
DIST=${FALCON_GPU_DIST:-build-gpu/dist}
if [ ! -e "$DIST/falcon-gpu-bench" ] && [ -e build-gpu/carry/dist.tar.xz ]; then
  mkdir -p "$DIST" && tar -C "$DIST" -xJf build-gpu/carry/dist.tar.xz  # what gpu_build.sh packed
fi
OUT=${OUT:-/tmp/falcon-gpu-out}
LOG=$(mktemp -d)
mkdir -p "$OUT"
export FALCON_FIXTURES_DIR="$PWD/tests/fixtures"
source "$(dirname "$0")/gpu_libs.sh"
steps="$*"
[ -z "$steps" ] && steps=all
want() { [[ " $steps " == *" $1 "* || " $steps " == *" all "* ]]; }
summary=()
step() {  # step NAME LIMIT_S COMMAND...
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  echo "=== $name: $*"
  timeout "$limit" "$@" >"$LOG/$name.log" 2>&1
  local rc=$?
  local status=PASS
  [ $rc -eq 77 ] && status=SKIP
  [ $rc -ne 0 ] && [ $rc -ne 77 ] && status="FAIL(rc=$rc)"
  grep -E "^(FAIL|device|driver|trivial|cuBLAS|test_gpu|\{)|passed|ERROR SUMMARY|error" "$LOG/$name.log" | tail -25
  summary+=("$(printf '%-28s %-12s %4ds' "$name" "$status" $((SECONDS - t0)))")
}
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv >"$LOG/nvidia-smi.txt" 2>&1
cat "$LOG/nvidia-smi.txt"
if [ "${SMI_SAMPLE:-0}" = 1 ]; then  # SM clock, power and throttle reasons every 200 ms, to $OUT/smi.csv
  nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,clocks_throttle_reasons.active \
    --format=csv -lms 200 >"$OUT/smi.csv" 2>&1 &
  SMI_PID=$!
  trap 'kill $SMI_PID 2>/dev/null' EXIT
fi
want smoke && step smoke 60 "$DIST/test_gpu_smoke"
if want tests; then
  step kernels 240 "$DIST/test_gpu_kernels"
  step fixtures 240 "$DIST/test_gpu_fixtures"
  step backend 420 "$DIST/test_gpu_backend"
  # The prefill's stream layouts other than the default (fc1 beside QKV with two LayerNorms, tuned
  # GEMMs on both streams' handles; everything on one stream), against the same CPU reference.
  step backend-tuned 420 env FALCON_GEMM_TUNE=1 "$DIST/test_gpu_backend"
  step backend-one-stream 420 env FALCON_PREFILL_OVERLAP=0 "$DIST/test_gpu_backend"
  step oom 120 "$DIST/test_gpu_oom"
fi
if want tests || want faults; then  # device memory faults (issue 12); "faults" runs only this
  step alloc-faults 300 "$DIST/test_gpu_alloc_faults"
fi
if want quant || want tests; then
  step quant 300 "$DIST/test_gpu_quant"
  grep -E '^(ACCURACY|PERPLEXITY)' "$LOG/quant.log" >"$OUT/quant-accuracy.txt" || true
  # 2048-column int4 units take the integer-tensor-core kernel by default; the fp16 kernel (and
  # the LayerNorm's staged x) stays the A/B's other side (FALCON_Q4_IMMA=0), so it is checked too;
  # and the model runs with every unit 2048 columns wide, which the small fixtures never pick.
  step quant-fp16-units 300 env FALCON_Q4_IMMA=0 "$DIST/test_gpu_quant"
  step quant-2048-units 300 env FALCON_Q4_CHUNK=2048 "$DIST/test_gpu_quant"
fi
if want qbench; then  # bf16 / int8 / int4 in the same run, same shapes
  for w in ${QBENCH_FORMATS:-bf16 int8 int4}; do
    step "qbench-$w" 240 "$DIST/falcon-gpu-bench" --weights "$w" 40b 7b
    grep '^{' "$LOG/qbench-$w.log" >>"$OUT/bench.jsonl" || true
  done
  step qbench-int8-head 200 "$DIST/falcon-gpu-bench" --weights int8 --quant-head --no-long 40b
  grep '^{' "$LOG/qbench-int8-head.log" >>"$OUT/bench.jsonl" || true
  if [ "${QBENCH_WAVES:-1}" = 1 ]; then  # A/B of the decode-attention split plan
    export FALCON_DECODE_ATTN_WAVES=1
    step qbench-bf16-waves1 240 "$DIST/falcon-gpu-bench" 40b 7b
    unset FALCON_DECODE_ATTN_WAVES
    grep '^{' "$LOG/qbench-bf16-waves1.log" | sed 's/^{/{"attn_waves":1,/' >>"$OUT/bench.jsonl" || true
  fi
fi
if [[ " $steps " == *" ab "* ]]; then  # not part of "all": A/B of the session-5 knobs, same call
  # Programmatic dependent launch off (FALCON_PDL=0). JSON lines tagged with "ab".
  for ab in "pdl0 bf16 FALCON_PDL=0" "pdl0 int8 FALCON_PDL=0" "pdl0 int4 FALCON_PDL=0"; do
    set -- $ab
    step "ab-$1-$2" 240 env "$3" "$DIST/falcon-gpu-bench" --weights "$2" --no-long 40b 7b
    grep '^{' "$LOG/ab-$1-$2.log" | sed "s/^{/{\"ab\":\"$1\",/" >>"$OUT/bench.jsonl" || true
  done
fi
if [[ " $steps " == *" decode-ab "* ]]; then  # not part of "all": A/B of one change (decode, or all with prefill), same call
  # Variants: "new" ($DIST/falcon-gpu-bench), "env" (the same with AB_ENV set, e.g.
  # FALCON_DECODE_OVERLAP=0; AB_ENV may hold several variants separated by ";", tagged env1, env2..)
  # and, with AB_OLD (the bench of an older build), "old"; each format (AB_FORMATS) and shape
  # (AB_SHAPES), in AB_REPS rounds. AB_DECODE_ONLY=1 times the decode only. JSON lines tagged "ab".
  IFS=';' read -r -a ab_envs <<<"${AB_ENV:-}"
  extra=(); [ "${AB_DECODE_ONLY:-0}" = 1 ] && extra=(--decode-only)
  for rep in $(seq "${AB_REPS:-2}"); do
    for w in ${AB_FORMATS:-bf16 int8 int4}; do
      variants=(new)
      for i in "${!ab_envs[@]}"; do [ -n "${ab_envs[$i]// /}" ] && variants+=("env$((i + 1))"); done
      [ -n "${AB_OLD:-}" ] && variants+=(old)
      for v in "${variants[@]}"; do
        tag=$v envs=""
        case $v in
          new) cmd=("$DIST/falcon-gpu-bench") ;;
          env*) envs=${ab_envs[$((${v#env} - 1))]}; cmd=(env $envs "$DIST/falcon-gpu-bench")
                [ ${#ab_envs[@]} -eq 1 ] && tag=env ;;
          old) cmd=("$AB_OLD") ;;
        esac
        step "ab$rep-$tag-$w" 240 "${cmd[@]}" --weights "$w" --no-long "${extra[@]}" ${AB_SHAPES:-40b 7b}
        grep '^{' "$LOG/ab$rep-$tag-$w.log" |
          sed "s/^{/{\"ab\":\"$tag\",\"env\":\"${envs// /,}\",\"round\":$rep,/" >>"$OUT/bench.jsonl" || true
      done
    done
  done
fi
if [[ " $steps " == *" load "* ]]; then  # not part of "all": writes a 14 GB checkpoint first
  # Load throughput from the page cache and start-to-first-token including loading (issue 5),
  # through the real loader on a synthetic Falcon-7B checkpoint in HF format.
  LOAD_DIR=${LOAD_DIR:-/tmp/falcon-7b-synthetic}
  for w in bf16 int8; do
    step "load-$w" 300 "$DIST/falcon-gpu-bench" --weights "$w" --load "$LOAD_DIR" 7b
    grep '^{' "$LOG/load-$w.log" >>"$OUT/bench.jsonl" || true
    if [ "${LOAD_AB:-0}" = 1 ]; then  # the same with one host thread filling the staging buffers
      step "load-$w-1thread" 300 env FALCON_UPLOAD_THREADS=1 "$DIST/falcon-gpu-bench" --weights "$w" --load "$LOAD_DIR" 7b
      grep '^{' "$LOG/load-$w-1thread.log" | sed 's/^{/{"upload_threads":1,/' >>"$OUT/bench.jsonl" || true
    fi
  done
fi
if [[ " $steps " == *" ncu "* ]]; then  # not part of "all": hardware counters of kernels of the kernel bench
  # NCU_KERNELS: "name-regex:launch-number" pairs (ncu --kernel-id ::regex:NAME:N; empty: none); logs to $OUT.
  NCU=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
  for kid in ${NCU_KERNELS-attention_mma:1 gemv_q4:1}; do
    tag=${kid//:/-}${NCU_TAG:+-$NCU_TAG}  # NCU_TAG: tells apart the logs of several runs
    # The stall reasons (warps stalled per issued instruction, by reason) come as raw metrics:
    # the WarpStateStats section prints only its summary on the command line. NCU_BENCH: the
    # bench to profile (default this build's; e.g. an older build's for a before/after).
    step "ncu-$tag" 240 "$NCU" --clock-control none --kernel-id "::regex:$kid" --section SpeedOfLight \
      --section WarpStateStats --section Occupancy --section LaunchStats --section MemoryWorkloadAnalysis \
      --section ComputeWorkloadAnalysis --section InstructionStats \
      --metrics "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\.ratio" \
      "${NCU_BENCH:-$DIST/falcon-gpu-bench}" --kernels
    cp "$LOG/ncu-$tag.log" "$OUT/" 2>/dev/null || true
  done
  # Every kernel of one prefill, with its duration (summed per kernel family by
  # tools/ncu_prefill_sum.py here): where the prefill time goes. NCU_PREFILL: SHAPE:TOKENS pairs (empty: none).
  for sp in ${NCU_PREFILL-40b:2048 40b:512 7b:2048}; do
    step "ncu-prefill-${sp/:/-}" 300 "$NCU" --profile-from-start off --clock-control none --csv \
      --metrics gpu__time_duration.sum "$DIST/falcon-gpu-bench" --no-long --profile-prefill "${sp#*:}" "${sp%%:*}"
    cp "$LOG/ncu-prefill-${sp/:/-}.log" "$OUT/ncu-prefill-${sp/:/-}.csv" 2>/dev/null || true
  done
  # Every kernel of one decode step (CUDA graph nodes, profiled one by one) with its duration and
  # DRAM bytes read. NCU_DECODE: SHAPE:WEIGHTS pairs (default none).
  for sd in ${NCU_DECODE-}; do
    step "ncu-decode-${sd/:/-}" 300 "$NCU" --profile-from-start off --clock-control none --csv \
      --metrics gpu__time_duration.sum,dram__bytes_read.sum "$DIST/falcon-gpu-bench" --no-long \
      --weights "${sd#*:}" --profile-decode 1 "${sd%%:*}"
    cp "$LOG/ncu-decode-${sd/:/-}.log" "$OUT/ncu-decode-${sd/:/-}.csv" 2>/dev/null || true
  done
fi
if want bench; then
  step bench 300 "$DIST/falcon-gpu-bench" 40b 7b 180b
  grep '^{' "$LOG/bench.log" >>"$OUT/bench.jsonl" || true
fi
want kernels && step kernel-bench 180 "$DIST/falcon-gpu-bench" --kernels
if want sass; then  # the machine code of the bench (this machine has cuobjdump, the build machine not)
  # The bf16 decode GEMV's dot loops (its launched variants: 2 chunks in flight, 'ELb1ELi2E' in
  # the mangled name) must each issue their loads before their first FMA (docs/GPU_NOTES.md, run
  # 19: 5% of Falcon-7B's bf16 decode); the step fails if one does not, or if it finds no such
  # loop at all (then it checked nothing). SASS_LOOPS picks other
  # kernels (a substring of the mangled name). The dump and the loop list land in $OUT.
  CO=$(command -v cuobjdump || echo /usr/local/cuda/bin/cuobjdump)
  step sass 120 bash -c '"$0" -sass "$1" >"$2/sass.txt" || exit 1
    python3 tools/sass_loops.py "$2/sass.txt" "$3" --min-fma 30 --innermost >"$2/sass-loops.txt" || exit 1
    xz -T4 -f "$2/sass.txt"
    n=$(grep -c "loads_first no" "$2/sass-loops.txt"); all=$(grep -c "loads_first" "$2/sass-loops.txt")
    echo "sass: $n of $all dot loops with a load after their first FMA"
    [ "$all" -gt 0 ] && [ "$n" -eq 0 ]' "$CO" "$DIST/falcon-gpu-bench" "$OUT" "${SASS_LOOPS:-ELb1ELi2E}"
fi
if want sanitize; then
  CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
  export FALCON_KERNEL_TEST_QUICK=1
  step memcheck-kernels 150 "$CS" --tool memcheck --error-exitcode 9 "$DIST/test_gpu_kernels"
  # racecheck also reports shared-memory hazards inside cuBLAS's own TMA kernels (nvjet_*, run by
  # the Blas candidate checks; session 12: 24, all there). Those are not ours to inspect or fix,
  # so this step fails only on a hazard in any other kernel (every hazard is printed in the log).
  step racecheck-kernels 180 bash -c '"$0" --tool racecheck --print-limit 10000 "$1"; rc=$?
    if grep "Race reported" "$2" | grep -qv "access at nvjet_"; then exit 9; fi; exit $rc' \
    "$CS" "$DIST/test_gpu_kernels" "$LOG/racecheck-kernels.log"
  step memcheck-fixtures 120 "$CS" --tool memcheck --error-exitcode 9 "$DIST/test_gpu_fixtures"
  step synccheck-kernels 150 "$CS" --tool synccheck --error-exitcode 9 "$DIST/test_gpu_kernels"
  # The quantized path (int8/int4 GEMV, dequantize, quantize-at-load) on the fixture checkpoints.
  export FALCON_QUANT_TEST_QUICK=1
  step memcheck-quant 240 "$CS" --tool memcheck --error-exitcode 9 "$DIST/test_gpu_quant"
  # racecheck / synccheck (shared memory and barriers): the kernel checks only, not the model runs.
  FALCON_QUANT_TEST_QUICK=kernels step racecheck-quant 240 "$CS" --tool racecheck --error-exitcode 9 "$DIST/test_gpu_quant"
  FALCON_QUANT_TEST_QUICK=kernels step synccheck-quant 240 "$CS" --tool synccheck --error-exitcode 9 "$DIST/test_gpu_quant"
  unset FALCON_QUANT_TEST_QUICK
  # Every injected allocation failure must free what the load had allocated: the leak check
  # lists any device allocation still held at exit (fixture checkpoints only, for time).
  export FALCON_ALLOC_FAULTS_QUICK=1
  step memcheck-alloc-faults 240 "$CS" --tool memcheck --leak-check full --error-exitcode 9 \
    "$DIST/test_gpu_alloc_faults"
  unset FALCON_ALLOC_FAULTS_QUICK
fi
if [[ " $steps " == *" hf "* ]]; then  # not part of "all": costs device minutes
  export PYTHONUNBUFFERED=1
  step hf-eager-7b 150 python3 tools/hf_baseline.py --shape 7b --mode eager
  grep '^{' "$LOG/hf-eager-7b.log" >>"$OUT/bench.jsonl" || true
fi
tar -czf "$OUT/gpu-logs.tar.gz" -C "$LOG" . 2>/dev/null
echo
echo "===== summary ($(date -u +%FT%TZ)) ====="
printf '%s\n' "${summary[@]}"
