#!/usr/bin/env python3
"""The loops of a kernel's machine code, and whether each issues its global loads before its
first floating-point multiply-add.

Input: the text of `cuobjdump -sass BINARY` (run on the GPU machine: this one has no
disassembler). A loop is the span from a backward branch's target to that branch. For a
bandwidth-bound loop (the decode GEMVs) the loads issued before the first FMA are the loads in
flight while the warp waits, so `loads_first` says whether the scheduler kept all of them ahead
(docs/GPU_NOTES.md, run 19: a schedule that starts the FMAs of the first chunk before the last
loads cost Falcon-7B's bf16 decode 2.5-4%).

  tools/sass_loops.py SASS.txt SUBSTRING [--min-fma N] [--innermost]

prints, for every function whose (mangled) name contains SUBSTRING, one line per loop with at
least N FMAs (default 1; --innermost: only loops that hold no other loop): its address range,
instructions, LDG, FMA, the LDGs before the first FMA, and loads_first yes/no.
"""
import argparse
import re
import sys

FUNC = re.compile(r"Function : (\S+)")
INSN = re.compile(r"^\s*/\*([0-9a-f]{4,})\*/\s*(.*?)\s*;")
TARGET = re.compile(r"BRA\b.*?0x([0-9a-f]+)")
FMA = re.compile(r"\b(FFMA|HFMA2|HMMA|IMAD\.DOT|IDP)\b")


def functions(lines):
    """{name: [(address, text), ...]} in file order."""
    funcs, cur = {}, None
    for line in lines:
        m = FUNC.search(line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        m = INSN.match(line)
        if m and cur is not None:
            cur.append((int(m.group(1), 16), m.group(2)))
    return funcs


def loops(insns):
    """Each backward branch's (start, end, body)."""
    index = {a: i for i, (a, _) in enumerate(insns)}
    out = []
    for i, (addr, text) in enumerate(insns):
        m = TARGET.search(text)
        if not m:
            continue
        target = int(m.group(1), 16)
        if target <= addr and target in index:
            out.append((target, addr, [t for _, t in insns[index[target]:i + 1]]))
    return out


def describe(body):
    ldg = [i for i, t in enumerate(body) if "LDG" in t]
    fma = [i for i, t in enumerate(body) if FMA.search(t)]
    first = fma[0] if fma else len(body)
    before = sum(1 for i in ldg if i < first)
    return len(body), len(ldg), len(fma), before, bool(ldg) and before == len(ldg)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sass")
    ap.add_argument("substring")
    ap.add_argument("--min-fma", type=int, default=1)
    ap.add_argument("--innermost", action="store_true", help="only loops that contain no other loop")
    args = ap.parse_args(argv)
    with open(args.sass, errors="replace") as f:
        funcs = functions(f)
    hits = [n for n in funcs if args.substring in n]
    if not hits:
        print(f"no function matching {args.substring!r} in {args.sass}", file=sys.stderr)
        return 1
    for name in hits:
        print(name)
        found = loops(funcs[name])
        for start, end, body in found:
            if args.innermost and any(start <= s0 and e0 <= end and (s0, e0) != (start, end) for s0, e0, _ in found):
                continue
            n, ldg, fma, before, first = describe(body)
            if fma >= args.min_fma:
                print(f"  loop {start:#x}-{end:#x}: {n} insns, LDG {ldg}, FMA {fma}, "
                      f"LDG before first FMA {before}, loads_first {'yes' if first else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
