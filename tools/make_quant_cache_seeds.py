#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_quant_cache.cpp from docs/QUANTIZATION.md's description
of the cache file alone (header, FNV-1a hashes, the CPU layout's segments), for the target's
shapes: int8 3x5, int4 2x130, int4 1x128, layers int4, key 42.

  python3 tools/make_quant_cache_seeds.py tests/fuzz/corpus/fuzz_quant_cache
"""
import os
import struct
import sys


def fnv(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


INT8, INT4 = 1, 2  # WeightFormat's values
SHAPES = [(3, 5, INT8), (2, 130, INT4), (1, 128, INT4)]


def sizes(rows, cols, fmt):
    groups = (cols + 127) // 128 if fmt == INT4 else 1
    ld = cols if fmt == INT8 else groups * 64
    return rows * ld, rows * groups * 4


def layout():
    data = struct.pack("<I", 0x32555043)  # "CPU2"
    for rows, cols, fmt in SHAPES:
        codes, scales = sizes(rows, cols, fmt)
        data += struct.pack("<iiiQQ", rows, cols, fmt, codes, scales)
    return fnv(data)


def payload(scale_of):
    out = b""
    for i, (rows, cols, fmt) in enumerate(SHAPES):
        codes, scales = sizes(rows, cols, fmt)
        out += bytes((7 * j + i) & 0xFF for j in range(codes))
        out += b"".join(struct.pack("<f", scale_of(i, j)) for j in range(scales // 4))
    return out


def header(body_len, key=42, fmt=INT4):
    h = b"FALCONQC" + struct.pack("<IIQQQQ", 1, 2 if fmt == INT4 else 1, key, layout(), 2 * len(SHAPES), body_len)
    return h + struct.pack("<Q", fnv(h))


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    good = payload(lambda i, j: 0.25 * (j + 1) if i == 0 else 0.5)
    seeds = {
        "payload_valid": b"\x00" + good,
        "payload_short": b"\x00" + good[:-1],
        "payload_nan_scale": b"\x00" + good[:-4] + struct.pack("<f", float("nan")),
        "payload_int4_scale_past_fp16": b"\x00" + good[:-4] + struct.pack("<f", 70000.0),
        "file_valid": b"\x01" + header(len(good)) + good,
        "file_other_key": b"\x01" + header(len(good), key=43) + good,
        "file_truncated_header": b"\x01" + header(len(good))[:40],
        "file_empty": b"\x01",
    }
    for name, data in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/fuzz_quant_cache")
