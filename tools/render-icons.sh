#!/usr/bin/env bash
# Renders the app icon's PNG sizes from resources/icons/falcon-chat.svg (rsvg-convert, from
# Debian's librsvg2-bin). The PNGs are committed, so building needs no SVG renderer; run this
# after editing the SVG, then look at the 48 px one: it must still read as a falcon.
set -euo pipefail
cd "$(dirname "$0")/.."
for size in 48 128 256; do
  dir=resources/icons/hicolor/${size}x${size}
  mkdir -p "$dir"
  rsvg-convert -w "$size" -h "$size" resources/icons/falcon-chat.svg -o "$dir/falcon-chat.png"
done
ls -l resources/icons/hicolor/*/falcon-chat.png
