#!/usr/bin/env python3
"""Sums the kernel durations of one profiled prefill or decode step (tools/gpu_run.sh ncu, the
ncu-prefill-SHAPE.csv / ncu-decode-SHAPE-WEIGHTS.csv it leaves in $OUT) by kernel family and
prints a table, largest first. Where the CSV has dram__bytes_read.sum (the decode profile), the
table also gives each family's DRAM bytes and achieved GB/s.

    python3 tools/ncu_prefill_sum.py ncu-prefill-40b.csv
"""
import csv
import re
import sys
from collections import defaultdict


def family(name):
    n = name.split("(")[0]
    if "attention_mma_kernel" in name:  # attention_mma_kernel<HD, kDecode>: ncu prints kDecode as 0/1
        return "attention (prefill)" if re.search(r"attention_mma_kernel<\d+, 0[,>]", name) else "attention (decode)"
    if re.search(r"sm90|gemm|cutlass|nvjet|xmma", name, re.I):
        return "cuBLAS GEMM"
    return re.sub(r"^.*::", "", n).strip() or name


TIME_MS = {"ns": 1e-6, "nsecond": 1e-6, "us": 1e-3, "usecond": 1e-3, "ms": 1.0, "msecond": 1.0}
BYTES = {"byte": 1, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "KB": 1e3, "MB": 1e6, "GB": 1e9}


def main(path):
    kernels = {}  # (ID, name) -> {"ms": ..., "bytes": ...}
    with open(path, newline="") as f:
        lines = [l for l in f if l.startswith('"')]
    for r in csv.DictReader(lines):
        key = (r.get("ID", str(len(kernels))), r["Kernel Name"])
        v = float(r["Metric Value"].replace(",", ""))
        unit = r.get("Metric Unit", "")
        if r.get("Metric Name") == "gpu__time_duration.sum":
            kernels.setdefault(key, {})["ms"] = v * TIME_MS.get(unit, 1e-6)
        elif r.get("Metric Name") == "dram__bytes_read.sum":
            kernels.setdefault(key, {})["bytes"] = v * BYTES.get(unit, 1)
    rows = [(name, m.get("ms", 0.0), m.get("bytes")) for (_, name), m in kernels.items()]
    with_bytes = any(b is not None for _, _, b in rows)
    total = sum(t for _, t, _ in rows)
    by = defaultdict(lambda: [0.0, 0, 0.0])
    for name, t, b in rows:
        f = by[family(name)]
        f[0] += t
        f[1] += 1
        f[2] += b or 0.0
    if with_bytes:
        print("| kernel | launches | total ms | share | DRAM read | GB/s |\n| --- | --- | --- | --- | --- | --- |")
    else:
        print("| kernel | launches | total ms | share |\n| --- | --- | --- | --- |")
    for k, (t, n, b) in sorted(by.items(), key=lambda kv: -kv[1][0]):
        line = f"| {k} | {n} | {t:.3f} | {100 * t / total:.1f}% |"
        if with_bytes:
            line += f" {b / 1e6:.1f} MB | {b / (t * 1e-3) / 1e9 if t else 0:.0f} |"
        print(line)
    tb = sum(b for _, _, b in by.values())
    print(f"| all kernels | {len(rows)} | {total:.3f} | 100% |" + (f" {tb / 1e6:.1f} MB | {tb / (total * 1e-3) / 1e9:.0f} |" if with_bytes else ""))


if __name__ == "__main__":
    main(sys.argv[1])
