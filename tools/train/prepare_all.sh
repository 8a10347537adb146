#!/usr/bin/env bash
# Rebuilds everything the GPU run needs, on a Debian 12 machine, from scratch:
# docs text -> dialogues + held-out fixtures -> tokenizer -> packed token ids.
# Deterministic (fixed seeds, no sampling in spm_train). About 15 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$here/work}
apt_pkgs="sentencepiece python3-numpy bash-doc coreutils grep sed findutils diffutils gzip gnu-standards ed wget gettext debian-reference-en debian-handbook"
missing=$(for p in $apt_pkgs; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then echo "prepare_all: install first: apt-get install" $missing >&2; exit 1; fi
python3 "$here/prepare_docs.py" "$work/docs"
python3 "$here/gen_dialogues.py" --docs "$work/docs" --out "$work/data" --fixtures "$root/tests/fixtures/bundled"
bash "$here/train_tokenizer.sh" "$work"
/usr/bin/python3 "$here/pack_data.py" "$work/tokenizer.model" "$work/data" "$work/packed"
du -sh "$work/packed"
