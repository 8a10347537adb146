#!/usr/bin/env python3
"""Held-out arithmetic through our own engine: runs `falcon-run --chat QUESTION --greedy` for
every question of tests/fixtures/bundled/arith_heldout.jsonl and counts exact answers
(the integer after "=", else the last integer of the reply, as train.py's HF evaluation does).
Usage: eval_engine_arith.py FALCON_RUN MODEL_DIR [FIXTURE] [--backend cpu|cuda]"""
import json
import os
import re
import subprocess
import sys


def correct(reply, answer):
    m = re.search(r"=\s*(-?\d+)", reply)
    if m:
        return int(m.group(1)) == answer
    nums = re.findall(r"-?\d+", reply)
    return bool(nums) and int(nums[-1]) == answer


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--backend")]
    backend = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--backend=")), "cpu")
    exe, model = args[0], args[1]
    here = os.path.dirname(os.path.abspath(__file__))
    fixture = args[2] if len(args) > 2 else os.path.join(here, "../../tests/fixtures/bundled/arith_heldout.jsonl")
    qs = [json.loads(line) for line in open(fixture)]
    ok = 0
    for q in qs:
        out = subprocess.run([exe, "--model", model, "--backend", backend, "--chat", q["question"], "--greedy",
                              "--max-new-tokens", "24"], capture_output=True, text=True, check=True).stdout
        good = correct(out, q["answer"])
        ok += good
        if not good:
            print(f"WRONG {q['question']} -> {out.strip()!r} (want {q['answer']})", flush=True)
    print(f"arithmetic through falcon-run ({backend}): {ok}/{len(qs)}")


if __name__ == "__main__":
    main()
