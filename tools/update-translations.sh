#!/usr/bin/env bash
# Refreshes translations/*.ts from every qsTr()/tr() in app/ and ui/ (the CMake target
# falcon-chat_lupdate only sees main.cpp). New strings arrive as type="unfinished": translate
# them in both files; tests/app/test_translations.cpp fails until de and ar are complete (and
# until falcon-chat_en.ts has the English plural forms of every %n string).
set -euo pipefail
cd "$(dirname "$0")/.."
lupdate=${LUPDATE:-$(command -v lupdate || echo /usr/lib/qt6/bin/lupdate)}
"$lupdate" -locations relative -no-obsolete app/*.cpp app/*.h ui \
  -ts translations/falcon-chat_de.ts translations/falcon-chat_ar.ts
# English needs only its plural forms ("%n token(s)" -> "1 token", "28 tokens"): the source
# text is English already.
"$lupdate" -locations relative -no-obsolete -pluralonly app/*.cpp app/*.h ui -ts translations/falcon-chat_en.ts
