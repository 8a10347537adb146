#!/usr/bin/env python3
"""Turns the JSON lines of tools/gpu_compare.sh (our engine and HF transformers eager and
compiled, on one GPU) into the Markdown comparison of issue 5, and with --write puts it into a
file between the markers

    <!-- compare:begin -->
    <!-- compare:end -->

replacing what was there (the rest of the file is left as it is).

    python3 tools/bench_report.py compare.jsonl --command "..." [--commit REV] [--write docs/BENCHMARKS.md]

A measurement line may carry a "note" (why a number is missing or was rerun); notes are listed
under the table. When several lines have the same shape and HF mode, the last one counts.

Exit status 2 for an unreadable input line or a file without the markers (nothing is written).
"""
import argparse
import json
import sys

BEGIN = "<!-- compare:begin -->"
END = "<!-- compare:end -->"
NAMES = {"7b": "Falcon-7B", "40b": "Falcon-40B", "180b": "Falcon-180B", "11b": "Falcon2-11B", "rw-1b": "Falcon-RW-1B"}


class ReportError(Exception):
    pass


def read_lines(path):
    meta, rows = {}, []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                raise ReportError(f"{path}:{no}: not a JSON line ({e.msg})") from None
            if not isinstance(d, dict):
                raise ReportError(f"{path}:{no}: not a JSON object")
            if "compare_start" in d or "compare_end" in d:
                meta.update(d)
            elif "shape" in d:
                rows.append(d)
    return meta, rows


def fmt(v, unit="", digits=1):
    if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
        return "—"
    return f"{v:.{digits}f}{unit}"


def timed(r, key, unit=" ms"):
    """A prefill / TTFT cell: the back-to-back time, and the from-idle one when the line has it
    (`<key>` and `<key minus _ms>_idle_ms`, e.g. ttft_512_ms and ttft_512_idle_ms)."""
    cell = fmt(r.get(key), unit)
    idle = r.get(key[:-3] + "_idle_ms")
    if cell != "—" and fmt(idle) != "—":
        cell += f" ({fmt(idle, unit)} from idle)"
    return cell


def render(meta, rows, command, commit):
    shapes = []
    for r in rows:
        if r["shape"] not in shapes:
            shapes.append(r["shape"])
    when = meta.get("compare_start", "date unknown").replace("T", " ").replace("Z", " UTC")
    gpu = meta.get("gpu") or "GPU unknown"
    versions = sorted({r["versions"] for r in rows if r.get("engine") == "hf" and r.get("versions")})
    out = [BEGIN, ""]
    head = f"{when}, {gpu}" + (f", commit {commit}" if commit else "")
    out.append(f"{head}, command `{command}`: our engine (`falcon-gpu-bench`, the code of `falcon-run "
               "--bench --synthetic`) and HF transformers (`tools/hf_baseline.py`"
               + (f", {', '.join(versions)}" if versions else "")
               + ") one after the other on the same card, random weights of the real shapes.")
    out += ["", "| model | engine | decode tok/s (512 in cache) | prefill 2048 | TTFT 512 | peak memory | compile first |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    speedups, notes = [], []
    for s in shapes:
        name = NAMES.get(s, s)
        ours = [r for r in rows if r["shape"] == s and r.get("engine", "falcon") == "falcon"]
        hf = {r.get("mode"): r for r in rows if r["shape"] == s and r.get("engine") == "hf"}
        for r in ours:
            if "error" in r:
                out.append(f"| {name} | falcon-chat | {r['error']} | | | | |")
                continue
            out.append(f"| {name} | falcon-chat ({r.get('weights', 'bf16')}) | **{fmt(r.get('decode_512_tok_s'))}** | "
                       f"{timed(r, 'prefill_2048_ms')} | {timed(r, 'ttft_512_ms')} | "
                       f"{fmt(r.get('peak_gib'), ' GiB', 2)} | none |")
        for mode in ("eager", "compiled"):
            r = hf.get(mode)
            if r is None:
                out.append(f"| {name} | HF {mode} | not measured | | | | |")
                continue
            compile_s = fmt(r.get("compile_s"), " s") if mode == "compiled" else "none"
            out.append(f"| {name} | HF {mode} | {fmt(r.get('decode_512_tok_s'))} | {timed(r, 'prefill_2048_ms')} | "
                       f"{timed(r, 'ttft_512_ms')} | {fmt(r.get('peak_gib'), ' GiB', 2)} | {compile_s} |")
        for mode in ("eager", "compiled"):
            if hf.get(mode, {}).get("note"):
                notes.append(f"{name}, HF {mode}: {hf[mode]['note']}")
        # Against the fastest HF mode with a decode number (compiled, else eager).
        base = next((hf[m] for m in ("compiled", "eager") if m in hf and fmt(hf[m].get("decode_512_tok_s")) != "—"),
                    None)
        mine = next((r for r in ours if "error" not in r), None)
        if base and mine and fmt(mine.get("decode_512_tok_s")) != "—":
            ratio = mine["decode_512_tok_s"] / base["decode_512_tok_s"]
            speedups.append(f"{name} {ratio:.2f}× HF {base.get('mode')}")
    out.append("")
    for n in notes:
        out.append(f"- {n}")
    if notes:
        out.append("")
    if speedups:
        out.append("Decode speed-up: " + ", ".join(speedups) + ".")
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def write_into(path, section):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    b, e = text.find(BEGIN), text.find(END)
    if b < 0 or e < b:
        raise ReportError(f"{path}: no '{BEGIN}' ... '{END}' markers to write between")
    text = text[:b] + section.rstrip("\n") + text[e + len(END):]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jsonl")
    ap.add_argument("--command", default="bash tools/gpu_compare.sh start build-gpu/dist")
    ap.add_argument("--commit", default="")
    ap.add_argument("--write", metavar="FILE")
    a = ap.parse_args(argv)
    try:
        meta, rows = read_lines(a.jsonl)
        if not rows:
            raise ReportError(f"{a.jsonl}: no measurements")
        section = render(meta, rows, a.command, a.commit)
        if a.write:
            write_into(a.write, section)
        else:
            sys.stdout.write(section)
    except (OSError, ReportError) as e:
        print(f"bench_report: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
