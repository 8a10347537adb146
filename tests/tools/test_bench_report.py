#!/usr/bin/env python3
"""tools/bench_report.py: the comparison table from gpu_compare.sh's JSON lines, written between
the markers of a Markdown file. Usage: test_bench_report.py PATH/TO/bench_report.py"""
import json
import os
import subprocess
import sys
import tempfile

from tool_checks import check, finish

REPORT = sys.argv[1]


def run(*args):
    p = subprocess.run([sys.executable, REPORT, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


lines = [
    {"compare_start": "2026-12-02T09:00:00Z", "gpu": "NVIDIA H200", "shapes": "7b 40b"},
    {"engine": "falcon", "shape": "7b", "weights": "bf16", "decode_512_tok_s": 223.6, "prefill_2048_ms": 49.1,
     "ttft_512_ms": 11.4, "peak_gib": 13.79},
    {"engine": "hf", "shape": "7b", "mode": "eager", "compile_s": 0.0, "prefill_2048_ms": 242.0, "ttft_512_ms": 46.0,
     "decode_512_tok_s": 31.0, "peak_gib": 15.6, "gpu": "NVIDIA H200", "versions": "torch 2.11"},
    {"engine": "hf", "shape": "7b", "mode": "compiled", "compile_s": 80.2, "ttft_512_ms": 24.0,
     "decode_512_tok_s": 111.8, "peak_gib": 13.5, "gpu": "NVIDIA H200", "versions": "torch 2.11"},
    {"engine": "falcon", "shape": "40b", "error_kind": 4, "error": "not enough GPU memory"},
    {"engine": "hf", "shape": "40b", "mode": "eager", "compile_s": 0.0, "prefill_2048_ms": 345.0,
     "ttft_512_ms": 93.0, "decode_512_tok_s": 10.4, "peak_gib": 81.7, "versions": "torch 2.11"},
    {"compare_end": "2026-12-02T09:20:00Z"},
]
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "compare.jsonl")
    with open(src, "w") as f:
        f.write("\n".join(json.dumps(l) for l in lines) + "\n")

    rc, out, err = run(src, "--command", "CMD", "--commit", "abc1234")
    check(rc == 0, f"renders (rc {rc}, {err.strip()})")
    rows = [l for l in out.splitlines() if l.startswith("| Falcon")]
    check(len(rows) == 6, f"one row per engine and shape: {len(rows)}")
    check("| Falcon-7B | falcon-chat (bf16) | **223.6** | 49.1 ms | 11.4 ms | 13.79 GiB | none |" in rows, "our 7B row")
    check("| Falcon-7B | HF eager | 31.0 | 242.0 ms | 46.0 ms | 15.60 GiB | none |" in rows, "HF eager row")
    check("| Falcon-7B | HF compiled | 111.8 | — | 24.0 ms | 13.50 GiB | 80.2 s |" in rows,
          "HF compiled row: no prefill number shows as a dash, the compile time is shown")
    check("| Falcon-40B | falcon-chat | not enough GPU memory | | | | |" in rows, "an error line is shown as such")
    check("| Falcon-40B | HF compiled | not measured | | | | |" in rows, "a missing run says so")
    check("Falcon-7B 2.00× HF compiled" in out, "decode speed-up against HF compiled (223.6 / 111.8)")
    check("Falcon-40B" not in out.split("Decode speed-up")[1], "no speed-up without our number")
    check("2026-12-02 09:00:00 UTC, NVIDIA H200, commit abc1234, command `CMD`" in out, "date, GPU, commit, command")
    check("torch 2.11" in out, "HF versions named")

    # From-idle timings, where a line has them, follow the back-to-back ones in the same cell.
    idle = [dict(l) for l in lines]
    idle[1].update(prefill_2048_idle_ms=43.2, ttft_512_idle_ms=10.8)
    idle[2].update(ttft_512_idle_ms=40.5)
    src2 = os.path.join(tmp, "idle.jsonl")
    with open(src2, "w") as f:
        f.write("\n".join(json.dumps(l) for l in idle) + "\n")
    rc, out2, err = run(src2, "--command", "CMD")
    rows2 = [l for l in out2.splitlines() if l.startswith("| Falcon")]
    check(rc == 0 and "| Falcon-7B | falcon-chat (bf16) | **223.6** | 49.1 ms (43.2 ms from idle) | "
          "11.4 ms (10.8 ms from idle) | 13.79 GiB | none |" in rows2, "from-idle timings beside ours")
    check("| Falcon-7B | HF eager | 31.0 | 242.0 ms | 46.0 ms (40.5 ms from idle) | 15.60 GiB | none |" in rows2,
          "from-idle timings beside HF's, and none where the line has none")

    doc = os.path.join(tmp, "BENCH.md")
    before, after = "# Title\n\ntext before\n\n", "\n\ntext after\n"
    with open(doc, "w") as f:
        f.write(before + "<!-- compare:begin -->\nold table\n<!-- compare:end -->" + after)
    rc, _, err = run(src, "--command", "CMD", "--write", doc)
    text = open(doc).read()
    check(rc == 0 and "old table" not in text and "**223.6**" in text, f"written between the markers ({err.strip()})")
    check(text.startswith(before) and text.endswith(after), "the rest of the file is kept")
    run(src, "--command", "CMD", "--write", doc)
    check(open(doc).read() == text, "writing again gives the same file")

    plain = os.path.join(tmp, "PLAIN.md")
    with open(plain, "w") as f:
        f.write("no markers\n")
    rc, _, err = run(src, "--write", plain)
    check(rc == 2 and "markers" in err and open(plain).read() == "no markers\n",
          "a file without markers: exit 2, a message, file untouched")

    # A compiled run whose decode was not valid (a note says why) and a rerun of another: the
    # note is listed, the later line counts, and the speed-up falls back to eager.
    noted = os.path.join(tmp, "noted.jsonl")
    more = lines[:4] + [
        {"engine": "hf", "shape": "7b", "mode": "compiled", "compile_s": 143.4, "ttft_512_ms": 26.3,
         "decode_512_tok_s": 102.2, "peak_gib": 13.2, "note": "rerun"},
        {"engine": "falcon", "shape": "40b", "weights": "bf16", "decode_512_tok_s": 50.0},
        lines[5],
        {"engine": "hf", "shape": "40b", "mode": "compiled", "compile_s": 112.4, "ttft_512_ms": 80.0,
         "decode_512_tok_s": None, "peak_gib": 78.1, "note": "decode timed a compile"},
    ]
    with open(noted, "w") as f:
        f.write("\n".join(json.dumps(l) for l in more) + "\n")
    rc, out, err = run(noted)
    check(rc == 0, f"renders with notes ({err.strip()})")
    check("| Falcon-7B | HF compiled | 102.2 |" in out and "111.8" not in out, "the later line of a mode counts")
    check("| Falcon-40B | HF compiled | — | — | 80.0 ms |" in out, "no decode number: a dash")
    check("- Falcon-40B, HF compiled: decode timed a compile" in out and "- Falcon-7B, HF compiled: rerun" in out,
          "notes listed under the table")
    check("Falcon-7B 2.19× HF compiled" in out, "7B speed-up against the rerun (223.6 / 102.2)")
    check("Falcon-40B 4.81× HF eager" in out, "40B speed-up falls back to eager (50.0 / 10.4)")

    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w") as f:
        f.write(json.dumps(lines[0]) + "\n{truncated\n")
    rc, _, err = run(bad)
    check(rc == 2 and "bad.jsonl:2" in err, f"a broken line: exit 2 naming the line ({err.strip()})")
    rc, _, err = run(os.path.join(tmp, "missing.jsonl"))
    check(rc == 2 and "missing.jsonl" in err, "a missing input: exit 2 naming it")

finish("test_bench_report")
