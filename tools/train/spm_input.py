#!/usr/bin/env python3
"""Prints the tokenizer's training text: every documentation line plus a fixed 1-in-12 subset
of the dialogue samples (one line per text line; spm_train reads lines)."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    for i, line in enumerate(f):
        d = json.loads(line)
        if d["kind"].startswith("doc:") or i % 12 == 0:
            for ln in d["text"].split("\n"):
                if ln.strip():
                    sys.stdout.write(ln + "\n")
