#!/usr/bin/env bash
# Builds, on this (CPU-only) machine, everything the GPU machine runs: the GPU tests and the
# benchmark driver, for sm_90 (H100/H200), with sqlite3/pcre2/utf8proc linked statically (the
# GPU machine lacks their libraries; it has CUDA 13 and libsentencepiece). The executables are
# collected in build-gpu/dist (a few MB), which is what the `run` call carries.
#
#   tools/gpu_build.sh            # configure + build + collect
#
# Then run them on the GPU machine with ONE device call (see docs/bench/gpu.md):
#   run(command="bash tools/gpu_run.sh all", carry=["build-gpu/dist"], timeout_s=600)
# gpu_run.sh prints a summary table last and leaves the full logs in $OUT/gpu-logs.tar.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FALCON_GPU_BUILD:-build-gpu}
cmake -S . -B "$BUILD" -G Ninja -DFALCON_BUILD_APP=OFF -DFALCON_CUDA_ARCHS=90 -DFALCON_STATIC_DEPS=ON \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=(falcon-gpu-bench)
for src in tests/gpu/test_*.cpp tests/gpu/test_*.cu; do
  [ -e "$src" ] || continue
  name=$(basename "$src"); targets+=("${name%.*}")
done
cmake --build "$BUILD" --target "${targets[@]}" -j"${JOBS:-2}"
rm -rf "$BUILD/dist"
mkdir -p "$BUILD/dist"
cp "$BUILD/gpu/falcon-gpu-bench" "$BUILD/dist/"
for t in "${targets[@]:1}"; do cp "$BUILD/tests/$t" "$BUILD/dist/"; done
du -sh "$BUILD/dist"
echo "carry: $BUILD/dist   command: bash tools/gpu_run.sh all"
