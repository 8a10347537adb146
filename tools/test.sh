#!/usr/bin/env bash
# README command 2: install what is missing, build with warnings as errors, run the whole suite
# with ctest, then the whole non-GPU suite once more under ASan + UBSan (preset asan: the app and
# its QML UI, engine, falcon-run, core, store and fuzz corpus replays; LeakSanitizer on, with the
# narrow suppressions of tests/sanitizers/lsan.supp for Qt's and the graphics stack's own leaks).
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
  echo "== test: whole non-GPU suite (app, ui, engine, cli, core, store, fuzz replays) under AddressSanitizer + UndefinedBehaviorSanitizer =="
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs" || status=$?
fi
exit $status
