#!/usr/bin/env bash
# README command 2: install what is missing, build with warnings as errors, run the whole suite
# with ctest, then the core and store suites once more under ASan + UBSan.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
jobs=$(nproc)

echo "== build (preset ci: warnings as errors) =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
echo "== test: whole suite =="
status=0
ctest --preset ci -j "$jobs" || status=$?

if [ "${FALCON_SKIP_ASAN:-0}" != 1 ]; then
  echo "== test: core + store under AddressSanitizer + UndefinedBehaviorSanitizer =="
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" || status=$?
fi
exit $status
