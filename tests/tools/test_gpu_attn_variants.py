#!/usr/bin/env python3
"""tools/gpu_attn_variants.sh with stand-in benches (no GPU): every run gets the attention-only
knob and --kernels, the variants' order rotates every round, the asked kernel's row becomes the
run's line, and a run without that row (missing binary, crash) is reported as FAILED with its
exit status and last stderr line.
Usage: test_gpu_attn_variants.py PATH/TO/gpu_attn_variants.sh"""
import os
import stat
import subprocess
import sys
import tempfile

from tool_checks import check, finish

SCRIPT = sys.argv[1]

ROW_MMA = "| attention prefill (causal, mma.sync) | 40B heads, 2048 tokens | 0.316 ms | 217.5 TFLOP/s | 776 TFLOP/s | 28% |"
ROW_WG = "| attention prefill (causal, wgmma) | 40B heads, 2048 tokens | 0.239 ms | 287.2 TFLOP/s | 776 TFLOP/s | 37% |"

with tempfile.TemporaryDirectory() as d:
    good = os.path.join(d, "good-bench")
    with open(good, "w") as f:
        # Prints its rows only when called the way the script must call it.
        f.write('#!/bin/sh\n'
                '[ "$FALCON_KERNEL_BENCH_ATTN_ONLY" = 1 ] && [ "$1" = --kernels ] || exit 3\n'
                'echo "| streaming read | 2 GiB |"\n'
                f'echo "{ROW_MMA}"\necho "{ROW_WG}"\n')
    bad = os.path.join(d, "bad-bench")
    with open(bad, "w") as f:
        f.write('#!/bin/sh\necho "| streaming read | 2 GiB |"\necho "CUDA error: launch failed" >&2\nexit 5\n')
    for p in (good, bad):
        os.chmod(p, os.stat(p).st_mode | stat.S_IXUSR)
    env = dict(os.environ, ATTN_REPS="2",
               ATTN_VARIANTS=f"a:{good};b:{bad};c:env FOO=1 {good};gone:{d}/missing-bench")
    env.pop("ATTN_KERNEL", None)
    p = subprocess.run(["bash", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    print(p.stdout, p.stderr, sep="\n")
    lines = p.stdout.strip().splitlines()
    check(p.returncode == 0, "the script exits 0")
    check(len(lines) == 8, f"one line per run: 2 rounds x 4 variants ({len(lines)})")
    order = [ln.split()[2] for ln in lines if len(ln.split()) > 2]
    check(order == ["a", "b", "c", "gone", "b", "c", "gone", "a"], f"the order rotates by one each round: {order}")
    rows = {ln.split()[2]: ln for ln in lines[:4] if len(ln.split()) > 2}
    check(rows.get("a", "") == "round 1 a " + ROW_WG, "the wgmma row becomes the line: " + rows.get("a", ""))
    check(rows.get("c", "") == "round 1 c " + ROW_WG, "a variant may be a command with arguments (env VAR=x bench)")
    check("FAILED (exit 5: CUDA error: launch failed)" in rows.get("b", ""),
          "a bench without the row is reported with its status and last stderr line: " + rows.get("b", ""))
    check("FAILED (exit 127" in rows.get("gone", ""), "a missing binary is reported: " + rows.get("gone", ""))

    env = dict(env, ATTN_REPS="1", ATTN_VARIANTS=f"a:{good}", ATTN_KERNEL="mma.sync")
    p = subprocess.run(["bash", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 0 and p.stdout.strip() == "round 1 a " + ROW_MMA,
          "ATTN_KERNEL picks the other kernel's row: " + p.stdout)

finish("test_gpu_attn_variants")
