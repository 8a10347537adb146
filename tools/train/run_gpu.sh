#!/usr/bin/env bash
# The one GPU-machine call that trains the bundled model (see MODEL_CARD.md, "Reproduce").
# Needs the packed data from prepare_all.sh in tools/train/work/ (carried to the machine).
# Writes into OUTDIR (default $OUT): result.tar.part-* (split at 15 MiB) and train.log.
# Environment: MINUTES (training budget), TIMEOUT_S (hard stop), PACKED / DATA (folders under
# tools/train/work/ with the packed tokens / the jsonl), EXTRA_ARGS (more train.py flags).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-${OUT:?set OUT or pass OUTDIR}}
minutes=${MINUTES:-5}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$out/run"
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader || true
python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
# A hard stop so that a hang in evaluation cannot eat the device budget; what exists is kept.
timeout "${TIMEOUT_S:-420}" python3 "$here/train.py" --data "$here/work/${PACKED:-packed}" \
  --tokenizer "$here/work/tokenizer.model" --fixtures "$root/tests/fixtures/bundled" \
  --valid-jsonl "$here/work/${DATA:-data}/valid.jsonl" --out "$out/run" --minutes "$minutes" ${EXTRA_ARGS:-} \
  2>&1 | tee "$out/train.log"
echo "train.py exit: ${PIPESTATUS[0]}" | tee -a "$out/train.log"
tar cf - -C "$out" run | split -b 15M - "$out/result.tar.part-"
rm -rf "$out/run"
ls -la "$out"
