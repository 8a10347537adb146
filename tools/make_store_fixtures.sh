#!/usr/bin/env bash
# Writes the old-version conversation databases tests/fixtures/store/v<k>.sqlite, one per
# released schema version below the current one. Each is built by the store's own migration
# steps 1..k (the SQL that release shipped) plus sample rows; see writeFixtures() in
# tests/store/test_store_migration.cpp. Run it once when a new schema version is released, so
# the previous version's file is frozen; never regenerate an existing fixture after a step
# changed (test_store_migration's releasedStepsAreUnchanged() would catch that edit).
# Also writes the seed of the fuzz_store_import corpus (a real JSON export).
# Usage: tools/make_store_fixtures.sh [BUILD_DIR]   (default build-store)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-store}
cmake --build "$build" --target test_store_migration test_store_export
mkdir -p tests/fixtures/store tests/fuzz/corpus/fuzz_store_import
FALCON_MAKE_STORE_FIXTURES="$PWD/tests/fixtures/store" "$build/tests/test_store_migration" writeFixtures
# The fuzz seed is a real export of a store with branches, stats and a window state.
FALCON_MAKE_FUZZ_SEED="$PWD/tests/fuzz/corpus/fuzz_store_import" "$build/tests/test_store_export" writeFuzzSeed
ls -l tests/fixtures/store tests/fuzz/corpus/fuzz_store_import
