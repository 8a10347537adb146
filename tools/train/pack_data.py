#!/usr/bin/env python3
"""Tokenizes the training data with Debian's spm_encode and packs it for tools/train/train.py.

Each sample becomes its tokens followed by eos. A sample is encoded line by line and the lines
are joined with the newline byte token: with this tokenizer (no dummy prefix, identity
normalization, newline never inside a piece) that equals encoding the whole text at once,
which train.py re-checks with the sentencepiece library on the GPU machine.

Output in OUTDIR, for SPLIT in train, valid:
  SPLIT.tokens.u16.xz   all samples' tokens, little-endian uint16, concatenated
  SPLIT.index.u32.xz    (start, length, kind) per sample, little-endian uint32
  meta.json             kinds, counts, vocabulary size, eos and newline ids
Needs numpy (Debian: python3-numpy, run with /usr/bin/python3). Usage: pack_data.py WORKDIR/tokenizer.model WORKDIR/data OUTDIR
"""
import collections
import json
import numpy as np
import lzma
import os
import subprocess
import sys
import tempfile


def load_vocab(model):
    out = subprocess.run(["spm_export_vocab", f"--model={model}"], check=True, capture_output=True, text=True)
    return [ln.split("\t")[0] for ln in out.stdout.split("\n") if ln]


def pack(model, jsonl, outdir, split, kinds, nl_id, eos_id):
    texts = []
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            k = d["kind"].split(":")[0]
            if k not in kinds:
                kinds.append(k)
            texts.append((kinds.index(k), d["text"]))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "lines.txt")
        with open(src, "w", encoding="utf-8", newline="") as f:
            for _, t in texts:
                f.write(t + "\n")  # a sample of n lines is n lines here
        with open(src, "rb") as fin:
            res = subprocess.run(["spm_encode", f"--model={model}", "--output_format=id"],
                                 stdin=fin, check=True, capture_output=True)
    # Vectorized reassembly (tens of millions of ids): every line's ids, then one separator:
    # the newline token inside a sample, eos after its last line.
    raw = res.stdout
    assert raw.endswith(b"\n"), "spm_encode output should end with a newline"
    b = np.frombuffer(raw, dtype=np.uint8)
    nl_pos = np.flatnonzero(b == 10)
    n_lines = len(nl_pos)
    line_start = np.concatenate([[0], nl_pos[:-1] + 1])
    nonempty = nl_pos > line_start
    sp_cum = np.concatenate([[0], np.cumsum(b == 32)])
    cnt = np.where(nonempty, sp_cum[nl_pos] - sp_cum[line_start] + 1, 0)
    ids = np.array(raw.split(), dtype=np.int64)
    assert len(ids) == cnt.sum(), "id count mismatch"
    lines_per_sample = np.array([t.count("\n") + 1 for _, t in texts], dtype=np.int64)
    assert lines_per_sample.sum() == n_lines, f"line count mismatch: {lines_per_sample.sum()} vs {n_lines}"
    last_line = np.cumsum(lines_per_sample) - 1
    sep = np.full(n_lines, nl_id, dtype=np.int64)
    sep[last_line] = eos_id
    out_len = cnt + 1
    out_end = np.cumsum(out_len)
    out_start = out_end - out_len
    tokens = np.empty(out_end[-1], dtype=np.int64)
    line_of_id = np.repeat(np.arange(n_lines), cnt)
    in_start = np.cumsum(cnt) - cnt
    tokens[out_start[line_of_id] + np.arange(len(ids)) - in_start[line_of_id]] = ids
    tokens[out_end - 1] = sep
    del ids, line_of_id
    first_line = last_line - lines_per_sample + 1
    s_start = out_start[first_line]
    s_len = out_end[last_line] - s_start
    kinds_arr = np.array([k for k, _ in texts], dtype=np.int64)
    index = np.stack([s_start, s_len, kinds_arr], 1)
    assert tokens.max() < 65536 and index.max() < 2**32
    counts = collections.Counter()
    for k in range(len(kinds)):
        counts[kinds[k]] = int(s_len[kinds_arr == k].sum())
    tokens = tokens.astype("<u2")
    index = index.astype("<u4")
    # Preset 9 (a 64 MiB dictionary) finds the repeats of generated chat: ~0.2 bytes per token
    # against ~0.33 at preset 3, which decides how much data one GPU-machine call can carry.
    with lzma.open(os.path.join(outdir, f"{split}.tokens.u16.xz"), "wb", preset=9) as f:
        f.write(tokens.tobytes())
    with lzma.open(os.path.join(outdir, f"{split}.index.u32.xz"), "wb", preset=9) as f:
        f.write(index.tobytes())
    print(f"{split}: {len(texts)} samples, {len(tokens)} tokens: " +
          ", ".join(f"{k} {v / 1e6:.2f}M" for k, v in counts.items()))
    return {"samples": len(texts), "tokens": len(tokens), "tokens_by_kind": dict(counts)}


def main():
    model, datadir, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    vocab = load_vocab(model)
    nl_id, eos_id = vocab.index("<0x0A>"), vocab.index("</s>")
    kinds = []
    meta = {"vocab_size": len(vocab), "eos_id": eos_id, "newline_id": nl_id, "kinds": kinds}
    for split in ("train", "valid"):
        meta[split] = pack(model, os.path.join(datadir, f"{split}.jsonl"), outdir, split, kinds, nl_id, eos_id)
    with open(os.path.join(outdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
