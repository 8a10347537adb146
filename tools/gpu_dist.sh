# Sourced by the one-call scripts that run on the GPU machine from the repository root
# (gpu_h200_goals.sh, gpu_head_maxima_check.sh, gpu_int6_head_check.sh): unpacks the carried
# build (build-gpu/carry/dist.tar.xz) into $D (FALCON_GPU_DIST, default build-gpu/dist) and, when
# carried, prev.xz (an older stripped falcon-gpu-bench for an A/B) as $D/prev-bench; puts cuBLAS on
# the library path (gpu_libs.sh), points the tests at the fixtures and makes $OUT
# (default /tmp/falcon-gpu-out).
D=${FALCON_GPU_DIST:-build-gpu/dist}
mkdir -p "$D"
tar -C "$D" -xJf build-gpu/carry/dist.tar.xz
if [ -e build-gpu/carry/prev.xz ]; then
  xz -dc build-gpu/carry/prev.xz >"$D/prev-bench" && chmod +x "$D/prev-bench"
fi
source "$(dirname "${BASH_SOURCE[0]}")/gpu_libs.sh"
export FALCON_FIXTURES_DIR=$PWD/tests/fixtures
OUT=${OUT:-/tmp/falcon-gpu-out}
mkdir -p "$OUT"

# sanitize LOG TOOL LABEL SECONDS CMD...: CMD under compute-sanitizer's TOOL (errors exit 9), for
# at most SECONDS, output in $OUT/LOG, and one line: the label, the exit status and the test's and
# the sanitizer's summaries.
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
sanitize() {
  local log=$1 tool=$2 label=$3 secs=$4
  shift 4
  timeout "$secs" "$CS" --tool "$tool" --error-exitcode 9 "$@" >"$OUT/$log" 2>&1
  echo "$tool $label: rc=$? $(grep -E 'passed|ERROR SUMMARY|RACECHECK SUMMARY' "$OUT/$log" | tr '\n' ' ')"
}
# The three sanitizers on test_gpu_quant's kernel checks of the formats $1 (FALCON_QUANT_TEST_FORMATS).
sanitize_quant_kernels() {
  local tool
  for tool in memcheck racecheck synccheck; do
    FALCON_QUANT_TEST_QUICK=kernels FALCON_QUANT_TEST_FORMATS=$1 \
      sanitize "$tool-$1.log" "$tool" "test_gpu_quant ($1 kernels)" 200 "$D/test_gpu_quant"
  done
}
