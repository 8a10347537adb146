#!/usr/bin/env python3
"""Sums the kernel durations of one profiled prefill (tools/gpu_run.sh ncu, the
ncu-prefill-SHAPE.csv it leaves in $OUT) by kernel family and prints a table, largest first.

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


def main(path):
    rows = []
    with open(path, newline="") as f:
        lines = [l for l in f if l.startswith('"')]
    for r in csv.DictReader(lines):
        if r.get("Metric Name") != "gpu__time_duration.sum":
            continue
        v = float(r["Metric Value"].replace(",", ""))
        unit = r.get("Metric Unit", "ns")
        scale = {"ns": 1e-6, "us": 1e-3, "usecond": 1e-3, "nsecond": 1e-6, "ms": 1.0, "msecond": 1.0}.get(unit, 1e-6)
        rows.append((r["Kernel Name"], v * scale))
    total = sum(t for _, t in rows)
    by = defaultdict(lambda: [0.0, 0])
    for name, t in rows:
        by[family(name)][0] += t
        by[family(name)][1] += 1
    print(f"| kernel | launches | total ms | share |\n| --- | --- | --- | --- |")
    for k, (t, n) in sorted(by.items(), key=lambda kv: -kv[1][0]):
        print(f"| {k} | {n} | {t:.2f} | {100 * t / total:.1f}% |")
    print(f"| all kernels | {len(rows)} | {total:.2f} | 100% |")


if __name__ == "__main__":
    main(sys.argv[1])
