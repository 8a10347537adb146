#!/usr/bin/env python3
"""tools/gpu_ab_rotate.sh with stand-in benches (no GPU): the variants' order rotates every round,
a bench's JSON line becomes its row, and a run that prints none (missing binary, crash) is
reported as FAILED with its exit status and last stderr line, never as an empty row.
Usage: test_gpu_ab_rotate.py PATH/TO/gpu_ab_rotate.sh"""
import os
import stat
import subprocess
import sys
import tempfile

from tool_checks import check, finish

SCRIPT = sys.argv[1]


with tempfile.TemporaryDirectory() as d:
    good = os.path.join(d, "good-bench")
    with open(good, "w") as f:
        f.write('#!/bin/sh\necho "some log line"\n'
                'echo \'{"decode_512_tok_s": 161.5, "read_tb_s": 4.47, "read_sm_mhz": 1980, '
                '"decode_sm_mhz": 1900, "decode_power_capped": 0.9}\'\n')
    bad = os.path.join(d, "bad-bench")
    with open(bad, "w") as f:
        f.write('#!/bin/sh\necho "loading" >&2\necho "error: out of device memory" >&2\nexit 4\n')
    for p in (good, bad):
        os.chmod(p, os.stat(p).st_mode | stat.S_IXUSR)
    env = dict(os.environ, ROT_REPS="2", ROT_ARGS="--weights int4 40b",
               ROT_VARIANTS=f"a:{good};b:{bad};c:env FOO=1 {good};gone:{d}/missing-bench")
    p = subprocess.run(["bash", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    lines = p.stdout.strip().splitlines()
    print(p.stdout, p.stderr, sep="\n")
    check(p.returncode == 0, "the script exits 0")
    check(len(lines) == 8, f"one line per run: 2 rounds x 4 variants ({len(lines)})")
    order = [ln.split()[2] for ln in lines if len(ln.split()) > 2]
    check(order == ["a", "b", "c", "gone", "b", "c", "gone", "a"], f"the order rotates by one each round: {order}")
    rows = {ln.split()[2]: ln for ln in lines[:4] if len(ln.split()) > 2}
    check("161.5 (read 4.47 TB/s at 1980 MHz; decode 1900 MHz, capped 0.9)" in rows.get("a", ""),
          "a JSON line becomes the row: " + rows.get("a", ""))
    check("FAILED (exit 4: error: out of device memory)" in rows.get("b", ""),
          "a failing bench is reported with its status and last stderr line: " + rows.get("b", ""))
    check("161.5" in rows.get("c", ""), "a variant may be a command with arguments (env VAR=x bench)")
    check("FAILED (exit 127" in rows.get("gone", ""), "a missing binary is reported: " + rows.get("gone", ""))

    # ROT_FIELDS: the named fields of each JSON line instead of the decode summary.
    env = dict(env, ROT_REPS="1", ROT_VARIANTS=f"a:{good}", ROT_FIELDS="read_tb_s prefill_2048_ms")
    p = subprocess.run(["bash", SCRIPT], capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 0 and p.stdout.strip() == "round 1 a read_tb_s=4.47 prefill_2048_ms=None",
          "ROT_FIELDS prints name=value for each field asked (None where the line lacks it): " + p.stdout)

finish("test_gpu_ab_rotate")
