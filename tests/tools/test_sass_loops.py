#!/usr/bin/env python3
"""tools/sass_loops.py on hand-written cuobjdump-style text (the shape `cuobjdump -sass` prints):
a loop whose FMAs start before its last load says loads_first no, one that issues every load
first says yes, a forward branch is no loop, --innermost drops a loop that holds another, and a
name that matches nothing exits 1.
Usage: test_sass_loops.py PATH/TO/sass_loops.py"""
import os
import subprocess
import sys
import tempfile

from tool_checks import check, finish

SCRIPT = sys.argv[1]


def function(name, body):
    lines = [f"\t\tFunction : {name}", "\t.headerflags\t@\"EF_CUDA_VIRTUAL_SM(EF_CUDA_SM90)\""]
    for i, text in enumerate(body):
        lines.append(f"        /*{i * 16:04x}*/                   {text} ;"
                     f"                  /* 0x000fe20000000f00 */")
        lines.append("                                                               /* 0x000fca0000000f00 */")
    return lines


late = ["MOV R1, c[0x0][0x28]",
        "ISETP.GE.AND P0, PT, R4, R5, PT",                    # 0x10: loop start
        "LDG.E.NA.128.CONSTANT R8, desc[UR6][R22.64]",
        "LDG.E.128.STRONG.GPU R12, desc[UR6][R20.64]",
        "FFMA R34, R23, R22, R34",
        "@!P2 LDG.E.NA.128.CONSTANT R28, desc[UR6][R42.64]",
        "FFMA R33, R12, R31, R13",
        "@P0 BRA 0x80",                                      # forward: not a loop
        "@!P0 BRA 0x10",                                     # backward: the loop
        "EXIT"]
early = ["MOV R1, c[0x0][0x28]",
         "LDG.E.NA.128.CONSTANT R8, desc[UR6][R22.64]",      # 0x10: loop start
         "LDG.E.128.STRONG.GPU R12, desc[UR6][R20.64]",
         "LDG.E.NA.128.CONSTANT R28, desc[UR6][R42.64]",
         "FFMA R34, R23, R22, R34",
         "FFMA R33, R12, R31, R13",
         "@!P0 BRA `(.L_x_3) 0x10",
         "EXIT"]
nested = ["MOV R1, c[0x0][0x28]",
          "LDG.E R2, desc[UR6][R4.64]",                      # 0x10: outer loop start
          "FFMA R3, R2, R2, R3",
          "LDG.E.NA.128.CONSTANT R8, desc[UR6][R22.64]",     # 0x30: inner loop start
          "FFMA R34, R8, R9, R34",
          "@!P1 BRA 0x30",                                   # inner
          "@!P0 BRA 0x10",                                   # outer
          "EXIT"]
text = "\n".join(["Fatbin elf code:", "================", "arch = sm_90", ""]
                 + function("_Z11late_kernelv", late) + [""] + function("_Z12early_kernelv", early)
                 + [""] + function("_Z13nested_kernelv", nested)) + "\n"

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "sass.txt")
    with open(path, "w") as f:
        f.write(text)
    run = lambda *a: subprocess.run([sys.executable, SCRIPT, path, *a], capture_output=True, text=True, timeout=60)

    p = run("late_kernel")
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip().startswith("loop")]
    check(p.returncode == 0, "exit 0 when a function matches")
    check(len(lines) == 1, f"one loop (the forward branch is none): {lines}")
    check(bool(lines) and lines[0].startswith("loop 0x10-0x80:"), "the loop spans the target to the branch")
    check(bool(lines) and "LDG 3, FMA 2, LDG before first FMA 2, loads_first no" in lines[0],
          f"a load after the first FMA: loads_first no ({lines})")

    p = run("early_kernel")
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip().startswith("loop")]
    check(len(lines) == 1 and "LDG before first FMA 3, loads_first yes" in lines[0],
          f"every load first: loads_first yes ({lines})")

    p = run("kernel", "--min-fma", "3")
    check(p.returncode == 0 and "_Z11late_kernelv" in p.stdout and "_Z12early_kernelv" in p.stdout,
          "a substring lists every function it matches")
    check(not any(l.strip().startswith("loop") for l in p.stdout.splitlines()),
          "--min-fma leaves out loops with fewer FMAs")

    p = run("nested_kernel")
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip().startswith("loop")]
    check(len(lines) == 2, f"nested: both loops without --innermost ({lines})")
    p = run("nested_kernel", "--innermost")
    lines = [l.strip() for l in p.stdout.splitlines() if l.strip().startswith("loop")]
    check(len(lines) == 1 and lines[0].startswith("loop 0x30-0x50:"),
          f"--innermost keeps only the loop that holds no other ({lines})")

    p = run("no_such_kernel")
    check(p.returncode == 1 and "no function matching" in p.stderr, "no match: exit 1 with a message")

finish("test_sass_loops")
