#!/usr/bin/env python3
"""`tools/gpu_run.sh sass` with a stand-in cuobjdump (no GPU): the step passes when every bf16
GEMV dot loop issues its loads before its first FMA, fails when one does not or when no dot loop
is found, and leaves the
dump (xz) and the loop list in $OUT.
Usage: test_gpu_run_sass.py PATH/TO/gpu_run.sh"""
import lzma
import os
import stat
import subprocess
import sys
import tempfile

from tool_checks import check, finish

SCRIPT = os.path.abspath(sys.argv[1])
REPO = os.path.dirname(os.path.dirname(SCRIPT))
NAME = "_ZN6falcon3gpu11gemv_kernelILNS0_12GemvEpilogueE1ELb1ELi2ELb0EEEvNS0_8GemvArgsE"


def sass(load_after_fma, fmas=16):
    body = ["ISETP.GE.AND P0, PT, R4, R5, PT"]           # 0x0: loop start
    body += ["LDG.E.NA.128.CONSTANT R8, desc[UR6][R22.64]"] * 2
    body += ["FFMA R34, R23, R22, R34"] * fmas
    if load_after_fma:
        body.append("LDG.E.128.STRONG.GPU R12, desc[UR6][R20.64]")
    body += ["FFMA R33, R12, R31, R13"] * fmas
    body.append("@!P0 BRA 0x0")
    lines = [f"\t\tFunction : {NAME}"]
    lines += [f"        /*{i * 16:04x}*/                   {t} ;  /* 0x000fe20000000f00 */" for i, t in enumerate(body)]
    return "\n".join(lines) + "\n"


def run(d, text):
    bindir, dist, out = (os.path.join(d, x) for x in ("bin", "dist", "out"))
    for p in (bindir, dist, out):
        os.makedirs(p, exist_ok=True)
    with open(os.path.join(d, "sass.txt"), "w") as f:
        f.write(text)
    co = os.path.join(bindir, "cuobjdump")
    with open(co, "w") as f:
        f.write(f'#!/bin/sh\n[ "$1" = -sass ] || exit 2\ncat "{d}/sass.txt"\n')
    bench = os.path.join(dist, "falcon-gpu-bench")
    with open(bench, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    for p in (co, bench):
        os.chmod(p, os.stat(p).st_mode | stat.S_IXUSR)
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}", FALCON_GPU_DIST=dist, OUT=out)
    p = subprocess.run(["bash", SCRIPT, "sass"], cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    summary = [l for l in p.stdout.splitlines() if l.startswith("sass")]
    return p, summary, out


with tempfile.TemporaryDirectory() as d:
    p, summary, out = run(os.path.join(d, "good"), sass(False))
    check(any("PASS" in l for l in summary), f"every load before the first FMA: the step passes ({summary})")
    check(os.path.exists(os.path.join(out, "sass.txt.xz")), "the dump is left in $OUT, compressed")
    if os.path.exists(os.path.join(out, "sass.txt.xz")):
        check("Function :" in lzma.open(os.path.join(out, "sass.txt.xz"), "rt").read(), "the dump is the stand-in's text")
    loops = open(os.path.join(out, "sass-loops.txt")).read() if os.path.exists(os.path.join(out, "sass-loops.txt")) else ""
    check("loads_first yes" in loops, f"the loop list says loads_first yes ({loops.strip()})")

    p, summary, out = run(os.path.join(d, "bad"), sass(True))
    check(any("FAIL" in l for l in summary), f"a load after the first FMA: the step fails ({summary})")
    loops = open(os.path.join(out, "sass-loops.txt")).read() if os.path.exists(os.path.join(out, "sass-loops.txt")) else ""
    check("loads_first no" in loops, "the loop list names the loop")

    # The kernel is there but no loop has the dot loop's FMAs (a rebuilt loop the check no longer
    # recognises): nothing was checked, so the step must not pass.
    p, summary, out = run(os.path.join(d, "none"), sass(False, fmas=4))
    check(any("FAIL" in l for l in summary), f"no dot loop found: the step fails, not passes vacuously ({summary})")

finish("test_gpu_run_sass")
