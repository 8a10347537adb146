#!/usr/bin/env python3
"""tools/sass_same.py on hand-built objects: a host ELF whose .nv_fatbin section holds a cubin (an
ELF of its own) behind a fatbin-like header and bytes that only look like an ELF start. Builds
that differ only in line information are the same; a changed byte of a kernel's code, a changed
.nv.info (registers), or an added kernel differ and are named; a file that is not ELF, or an
object without .nv_fatbin, exits 2.
Usage: test_sass_same.py PATH/TO/sass_same.py"""
import os
import struct
import subprocess
import sys
import tempfile

from tool_checks import check, finish

SCRIPT = sys.argv[1]


def elf(sections):
    """An ELF64 little-endian image holding `sections` ({name: bytes}) and its .shstrtab."""
    names = b"\0"
    offsets = {}
    for name in list(sections) + [".shstrtab"]:
        offsets[name] = len(names)
        names += name.encode() + b"\0"
    body = dict(sections)
    body[".shstrtab"] = names
    data, placed = b"", {}
    for name, blob in body.items():
        placed[name] = 64 + len(data)
        data += blob + b"\0" * (-len(blob) % 8)
    shoff = 64 + len(data)
    header = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    header += struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, len(body) + 1,
                          len(body))
    table = b"\0" * 64  # section 0
    for name, blob in body.items():
        table += struct.pack("<IIQQQQIIQQ", offsets[name], 1, 0, 0, placed[name], len(blob), 0, 0, 1, 0)
    return header + data + table


def cubin(text2=b"\x10\x20\x30\x40" * 8, regs=b"\x2f\x04\x08\x00\x40\x00\x00\x00", debug=b"line 1",
          extra=None):
    sections = {
        ".text.k1": b"\x01\x02\x03\x04" * 16,
        ".text.k2": text2,
        ".nv.info.k1": regs,
        ".nv.info.k2": b"\x2f\x04\x08\x00\x20\x00\x00\x00",
        ".debug_line": debug,
        ".nv_debug_line_sass": debug * 3,
    }
    if extra:
        sections.update(extra)
    return elf(sections)


def host(image):
    # A header, then bytes that start like an ELF but are not one (as compressed data can), then
    # the cubin.
    fatbin = b"\x50\xed\x55\xba\x01\x00\x10\x00" + b"\x7fELFjunk" + b"\0" * 13 + image
    return elf({".text": b"\xc3", ".nv_fatbin": fatbin})


def run(a, b):
    with tempfile.TemporaryDirectory() as d:
        pa, pb = os.path.join(d, "a.o"), os.path.join(d, "b.o")
        with open(pa, "wb") as f:
            f.write(a)
        with open(pb, "wb") as f:
            f.write(b)
        r = subprocess.run([sys.executable, SCRIPT, pa, pb], capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr


def said(what, out):
    return what + ": " + out.strip().replace("\n", " | ")


base = host(cubin())

rc, out = run(base, host(cubin(debug=b"line 1234 moved")))
check(rc == 0 and "2 kernels, 0 sections differ" in out, said("line information alone: the same", out))

rc, out = run(base, base)
check(rc == 0, said("the same object", out))

changed = bytearray(b"\x10\x20\x30\x40" * 8)
changed[17] ^= 1
rc, out = run(base, host(cubin(text2=bytes(changed))))
check(rc == 1 and "differs: .text.k2" in out and ".text.k1" not in out, said("one byte of k2's code", out))

rc, out = run(base, host(cubin(regs=b"\x2f\x04\x08\x00\x48\x00\x00\x00")))
check(rc == 1 and "differs: .nv.info.k1" in out, said("k1's register count", out))

rc, out = run(base, host(cubin(extra={".text.k3": b"\x05" * 16})))
check(rc == 1 and "differs: .text.k3 (0 -> 16 bytes)" in out, said("an added kernel", out))

rc, out = run(base, b"not an object at all")
check(rc == 2 and "sass_same:" in out, said("not ELF: exit 2 with a message", out))

rc, out = run(base, elf({".text": b"\xc3"}))
check(rc == 2 and "no .nv_fatbin" in out, said("no .nv_fatbin: exit 2", out))

finish("sass_same")
