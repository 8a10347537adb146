#!/usr/bin/env python3
"""Draws the model card's loss curve from train.py's loss.csv files, one per training stage,
one after the other on a shared token axis.
Usage: plot_loss.py OUT.png "title" LABEL=stage1.csv [LABEL=stage2.csv ...]"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    out, title, stages = sys.argv[1], sys.argv[2], sys.argv[3:]
    fig, ax = plt.subplots(figsize=(7.5, 4), dpi=110)
    offset = 0.0
    for i, st in enumerate(stages):
        label, path = st.split("=", 1)
        rows = list(csv.DictReader(open(path)))
        t = [offset + float(r["tokens"]) / 1e6 for r in rows]
        ax.plot(t, [float(r["train_loss"]) for r in rows], color=f"C{2 * i}", lw=1, label=f"{label}: train (10-step mean)")
        v = [(tt, float(r["valid_loss"])) for tt, r in zip(t, rows) if r["valid_loss"]]
        ax.plot([a for a, _ in v], [b for _, b in v], "o-", ms=3, color=f"C{2 * i + 1}", label=f"{label}: held-out")
        offset = t[-1]
    ax.set_xlabel("training tokens (millions)")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    main()
