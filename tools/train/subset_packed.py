#!/usr/bin/env python3
"""Copies a random subset of a packed training split (pack_data.py's format) that holds at most
MAX_TOKENS tokens, so that the data fits what one GPU-machine call can carry (~64 MiB with the
repository). The samples are drawn uniformly (seeded), so the mix of kinds stays the same; the
validation split is copied whole. Needs numpy (/usr/bin/python3).

Usage: subset_packed.py PACKED_IN PACKED_OUT MAX_TOKENS [SEED]
"""
import json
import lzma
import os
import shutil
import sys

import numpy as np


def main():
    src, dst, max_tokens = sys.argv[1], sys.argv[2], int(float(sys.argv[3]))
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with lzma.open(os.path.join(src, "train.tokens.u16.xz")) as f:
        tokens = np.frombuffer(f.read(), dtype="<u2")
    with lzma.open(os.path.join(src, "train.index.u32.xz")) as f:
        index = np.frombuffer(f.read(), dtype="<u4").reshape(-1, 3)
    with open(os.path.join(src, "meta.json")) as f:
        meta = json.load(f)
    order = np.random.default_rng(seed).permutation(len(index))
    keep = order[np.cumsum(index[order, 1].astype(np.int64)) <= max_tokens]
    keep.sort()  # the original order of kinds
    parts, new_index, pos = [], np.zeros((len(keep), 3), dtype="<u4"), 0
    for i, r in enumerate(keep):
        s, n, k = (int(v) for v in index[r])
        parts.append(tokens[s:s + n])
        new_index[i] = (pos, n, k)
        pos += n
    os.makedirs(dst, exist_ok=True)
    with lzma.open(os.path.join(dst, "train.tokens.u16.xz"), "wb", preset=9) as f:
        f.write(np.concatenate(parts).astype("<u2").tobytes())
    with lzma.open(os.path.join(dst, "train.index.u32.xz"), "wb", preset=9) as f:
        f.write(new_index.tobytes())
    for name in ("valid.tokens.u16.xz", "valid.index.u32.xz"):
        shutil.copy(os.path.join(src, name), os.path.join(dst, name))
    by_kind = {}
    for k in range(len(meta["kinds"])):
        by_kind[meta["kinds"][k]] = int(new_index[new_index[:, 2] == k, 1].astype(np.int64).sum())
    meta["train"] = {"samples": int(len(keep)), "tokens": int(pos), "tokens_by_kind": by_kind,
                     "subset_of": {"samples": int(len(index)), "tokens": int(len(tokens)), "seed": seed}}
    with open(os.path.join(dst, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{dst}: {len(keep)} of {len(index)} samples, {pos} of {len(tokens)} tokens: {by_kind}")


if __name__ == "__main__":
    main()
