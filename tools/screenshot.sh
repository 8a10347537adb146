#!/usr/bin/env bash
# Starts falcon-chat under Xvfb, waits, and saves a PNG of the screen.
# Usage: tools/screenshot.sh OUT.png [seconds to wait] [-- extra falcon-chat args]
set -euo pipefail
out=${1:?usage: screenshot.sh OUT.png [seconds]}
wait_s=${2:-4}
shift $(( $# >= 2 ? 2 : 1 )) || true
[ "${1:-}" = "--" ] && shift
bin=${FALCON_CHAT_BIN:-$(dirname "$0")/../build/app/falcon-chat}
display=:$(( 90 + RANDOM % 100 ))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
# The app first, and waited for, so that it does not lose its X server mid-run (an XIO error).
app=
teardown() {
  if [ -n "$app" ]; then
    kill "$app" 2>/dev/null || true
    wait "$app" 2>/dev/null || true
  fi
  kill "$xvfb" 2>/dev/null || true
}
trap teardown EXIT
sleep 1
DISPLAY=$display QT_QPA_PLATFORM=xcb "$bin" "$@" &
app=$!
sleep "$wait_s"
DISPLAY=$display import -window root "$out"
echo "saved $out"
