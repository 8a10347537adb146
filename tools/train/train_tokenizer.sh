#!/usr/bin/env bash
# Trains the bundled model's sentencepiece tokenizer (BPE, byte fallback, single digits).
# Deterministic: the input is a fixed subset of the data (no sampling inside spm_train).
# Needs Debian's `sentencepiece` package (spm_train). Usage: train_tokenizer.sh WORKDIR
set -euo pipefail
work=${1:?usage: train_tokenizer.sh WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/spm_input.py" "$work/data/train.jsonl" > "$work/spm_input.txt"
# identity normalization + no dummy prefix + no whitespace squeezing: encoding is lossless and
# splitting a text at a newline never changes the tokens on either side (a newline is never
# part of a piece: training lines hold none, so it always becomes the byte token <0x0A>). The
# chat template tokenizes each message on its own, so this keeps per-message and whole-text
# tokens identical.
spm_train --input="$work/spm_input.txt" --model_prefix="$work/tokenizer" \
  --model_type=bpe --vocab_size=8192 --character_coverage=0.9995 \
  --byte_fallback=true --split_digits=true \
  --normalization_rule_name=identity --remove_extra_whitespaces=false --add_dummy_prefix=false \
  --allow_whitespace_only_pieces=true --max_sentence_length=16384 \
  --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1 \
  --unk_piece='<unk>' --bos_piece='<s>' --eos_piece='</s>' \
  --shuffle_input_sentence=false --input_sentence_size=0 --num_threads=2 \
  --minloglevel=1
echo "tokenizer: $work/tokenizer.model"
