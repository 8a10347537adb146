#!/usr/bin/env bash
# Builds, on this (CPU-only) machine, everything the GPU machine runs: the GPU tests and the
# benchmark driver, for sm_90 (H100/H200), with sqlite3/pcre2/utf8proc linked statically (the
# GPU machine lacks their libraries; it has CUDA 13 and libsentencepiece). The executables are
# collected in build-gpu/dist, and packed (stripped, xz) into build-gpu/carry/dist.tar.xz, which
# is what the `run` call carries.
#
#   tools/gpu_build.sh            # configure + build + collect
#
# Then run them on the GPU machine with ONE device call (see docs/bench/gpu.md):
#   run(command="bash tools/gpu_run.sh all", carry=["build-gpu/carry"], timeout_s=600)
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
# What a call carries: the working tree and the whole dist are over the 64 MiB a call may carry,
# so the binaries go stripped and xz-compressed (~10x: most of each is the sm_90 fatbin) into
# one archive, which gpu_run.sh unpacks there.
# Only the archive is replaced: other files a call carries from this folder (an older bench for
# an A/B, e.g. prev.xz) stay.
rm -rf "$BUILD/strip" "$BUILD/carry/dist.tar.xz"
mkdir -p "$BUILD/carry" "$BUILD/strip"
for f in "$BUILD"/dist/*; do strip --strip-unneeded -o "$BUILD/strip/$(basename "$f")" "$f"; done
tar -C "$BUILD/strip" -cf - . | xz -T"${JOBS:-2}" -6 >"$BUILD/carry/dist.tar.xz"
rm -rf "$BUILD/strip"
du -sh "$BUILD/carry/dist.tar.xz"
echo "carry: $BUILD/carry   command: bash tools/gpu_run.sh all"
