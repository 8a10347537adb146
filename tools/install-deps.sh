#!/usr/bin/env bash
# Installs the Debian 12 packages falcon-chat needs to build, run and test.
# Idempotent: asks dpkg what is already there and installs only what is missing.
# Works as root (or through sudo when it is available).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev clang-format
  # engine libraries: sentencepiece (tokenizer.model), SQLite (store), nlohmann-json
  # (config/tokenizer JSON), PCRE2 (tokenizer regexes), utf8proc (Unicode normalization)
  libsentencepiece-dev libsqlite3-dev nlohmann-json3-dev libpcre2-dev libutf8proc-dev libcli11-dev
  # Qt 6 Quick application
  qt6-base-dev qt6-declarative-dev qt6-declarative-dev-tools qt6-tools-dev qt6-tools-dev-tools
  # md4c's header: the Markdown parser Qt's reader is built on, read for what Qt 6.4 drops
  libmd4c-dev
  # the text of a document put into a message (falcon-doc-text): poppler's C++ library for PDFs,
  # libzip and expat for .docx and .odt
  libpoppler-cpp-dev libzip-dev libexpat1-dev
  qt6-l10n-tools qt6-svg-dev qt6-qpa-plugins libgl-dev libxkbcommon-dev
  qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-layouts qml6-module-qtquick-window qml6-module-qtquick-dialogs
  qml6-module-qt-labs-platform qml6-module-qttest
  # QtQuick.Dialogs' own file and folder dialogs (used without a desktop's native ones) need it
  qml6-module-qt-labs-folderlistmodel
  # Qt's own strings (standard buttons such as "Close", Qt's file dialogs) in German and Arabic
  qt6-translations-l10n
  # emoji in replies in colour (without an emoji font they are boxes)
  fonts-noto-color-emoji
  # headless UI tests and screenshots
  xvfb xauth imagemagick fonts-dejavu-core
  # packaging (tests/packaging): the .deb's checks, and rendering the icon's PNG sizes
  dpkg-dev file lintian desktop-file-utils appstream man-db librsvg2-bin
  # the GPU-machine scripts' tests (tests/tools): Python, and xz for the archives they write
  python3 xz-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages already installed."
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: these packages are missing and I am not root: ${missing[*]}" >&2
    echo "install-deps: run as root, or install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done."
