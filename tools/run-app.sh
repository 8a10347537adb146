#!/usr/bin/env bash
# README command 1: install what is missing, build, and open falcon-chat (on the bundled model
# once it is there). Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target falcon-chat falcon-run
exec ./build/app/falcon-chat "$@"
