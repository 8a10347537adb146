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
