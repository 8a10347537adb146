#!/usr/bin/env bash
# Fails (listing the files) when any tracked C++/CUDA source is not clang-formatted.
# Usage: tools/check-format.sh [clang-format binary]
set -uo pipefail
cd "$(dirname "$0")/.."
fmt=${1:-clang-format}
bad=()
while IFS= read -r f; do
  [ -f "$f" ] || continue
  "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cpp' '*.cu' '*.cuh' | grep -v '^tests/fixtures/')
if [ ${#bad[@]} -gt 0 ]; then
  echo "Not clang-formatted (run: clang-format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all sources clang-formatted"
