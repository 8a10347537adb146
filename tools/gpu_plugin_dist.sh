#!/usr/bin/env bash
# Collects what tools/gpu_plugin_check.sh runs on the GPU machine from a build folder with the
# CUDA plugin (default build-pkg): falcon-run and libfalcon-cuda.so in their installed layout
# (bin/, lib/<triplet>/falcon-chat/), stripped, plus the few shared libraries that machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-pkg}
DIST=$BUILD/gpu-dist
plugin=$(cd "$BUILD" && find lib -path '*falcon-chat/libfalcon-cuda.so' | head -1)
[ -n "$plugin" ] || { echo "no libfalcon-cuda.so under $BUILD/lib" >&2; exit 1; }
rm -rf "$DIST"
mkdir -p "$DIST/bin" "$DIST/$(dirname "$plugin")" "$DIST/deps"
strip -o "$DIST/bin/falcon-run" "$BUILD/app/falcon-run"
strip -o "$DIST/$plugin" "$BUILD/$plugin"
for lib in $(ldd "$BUILD/app/falcon-run" "$BUILD/$plugin" | awk '/sqlite3|pcre2|utf8proc/ {print $3}' | sort -u); do
  cp -L "$lib" "$DIST/deps/"
done
du -sh "$DIST"
