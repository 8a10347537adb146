#!/usr/bin/env python3
"""Whether two builds of a CUDA object hold the same machine code, kernel by kernel.

A refactor of a kernel that should change nothing (a shared helper, a renamed variable) can be
checked here without a GPU and without a disassembler (this machine has neither cuobjdump nor
nvdisasm): the cubins embedded in each object's .nv_fatbin section are read as ELF, and every
kernel's .text.* section (its SASS bytes) and .nv.info.* section (registers, shared memory,
parameters) is compared. Line information (.debug_*, .nv_debug_*) is left out: moving code in
the file changes it and nothing that runs.

  tools/sass_same.py BEFORE.o AFTER.o

Typical use, in build-gpu:
  cp gpu/CMakeFiles/falcon_gpu_objects.dir/kernels/quant_gemv.cu.o /tmp/before.o
  (edit, then) ninja gpu/CMakeFiles/falcon_gpu_objects.dir/kernels/quant_gemv.cu.o
  ../tools/sass_same.py /tmp/before.o gpu/CMakeFiles/falcon_gpu_objects.dir/kernels/quant_gemv.cu.o

Exit status 0 when every kernel's code is the same, 1 when any differs (each is named), 2 when an
object cannot be read.
"""
import struct
import sys


def sections(elf):
    """name -> bytes of an ELF64 little-endian image (NOBITS sections read as empty)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise ValueError("not an ELF64 image")
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    heads = [struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names_at = heads[shstrndx][4]
    out = {}
    for name, kind, _flags, _addr, offset, size in heads:
        start = names_at + name
        label = elf[start:elf.index(b"\0", start)].decode()
        out[label] = b"" if kind == 8 else elf[offset:offset + size]  # 8: SHT_NOBITS
    return out


def cubins(path):
    """The ELF images inside an object's .nv_fatbin section, in order."""
    host = sections(open(path, "rb").read())
    fatbin = host.get(".nv_fatbin")
    if fatbin is None:
        raise ValueError(f"{path}: no .nv_fatbin section (not a CUDA object?)")
    images, at = [], fatbin.find(b"\x7fELF")
    while at >= 0:
        try:
            images.append(sections(fatbin[at:]))
        except (ValueError, struct.error, IndexError):
            pass  # a byte run that only looks like an ELF start, inside compressed data
        at = fatbin.find(b"\x7fELF", at + 4)
    if not images:
        raise ValueError(f"{path}: no uncompressed cubin in .nv_fatbin")
    return images


def code(images):
    keep = (".text.", ".nv.info.", ".nv.constant0.")
    return {name: body for image in images for name, body in image.items() if name.startswith(keep)}


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0] + "\nusage: sass_same.py BEFORE.o AFTER.o", file=sys.stderr)
        return 2
    try:
        before, after = code(cubins(sys.argv[1])), code(cubins(sys.argv[2]))
    except (OSError, ValueError) as e:
        print(f"sass_same: {e}", file=sys.stderr)
        return 2
    kernels = sorted(n[len(".text."):] for n in before if n.startswith(".text."))
    differ = [n for n in sorted(set(before) | set(after)) if before.get(n) != after.get(n)]
    for n in differ:
        print(f"differs: {n} ({len(before.get(n, b''))} -> {len(after.get(n, b''))} bytes)")
    print(f"{len(kernels)} kernels, {len(differ)} sections differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
