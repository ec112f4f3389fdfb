"""The held-out curve of a pretraining run, as a Markdown table.

    python benchmarks/pretrain_curve.py OUT_DIR [OUT_DIR ...]

Reads ``OUT_DIR/train_log.jsonl`` (written by ``python -m quoteattr.training.pretrain``) and
prints, for each held-out evaluation: the step, tokens seen, wall time, the loss at the
positions replaced by [MASK] (nats), top-1 and top-5 accuracy there, and the number of
distinct top-1 predictions; then the unigram entropy of the run's training tokens (what a
model that ignores context scores at best, roughly) and the bar of the encoder issue (loss at
least 2 nats below it, top-1 at least 30%). A resumed run restarts its clock: the wall time
of a later process is added to the last one logged before it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def curve(log: Path) -> list[dict]:
    rows, offset, last = [], 0, 0
    for line in log.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["elapsed_s"] < last:  # a new process: its clock starts again
            offset += last
        last = row["elapsed_s"]
        if "mask_loss" in row:
            rows.append({**row, "wall_s": offset + row["elapsed_s"]})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path)
    args = ap.parse_args()
    import numpy as np

    from quoteattr.training.pretrain import unigram_entropy

    for run in args.runs:
        print(f"\n{run}\n")
        print("| step | tokens seen | wall time | [MASK] loss | top-1 | top-5 | distinct top-1 |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for r in curve(run / "train_log.jsonl"):
            print(f"| {r['step']:,} | {r['tokens_seen'] / 1e6:.1f} M | {r['wall_s'] / 60:.0f} min | "
                  f"{r['mask_loss']:.2f} | {r['top1']:.1%} | {r['top5']:.1%} | {r['distinct_top1']:,} |")
        train = run / "data" / "train.npy"
        if train.is_file():
            h = unigram_entropy(np.load(train, mmap_mode="r"))
            print(f"\nunigram entropy of the training tokens: {h:.2f} nats; bar: [MASK] loss <= {h - 2:.2f}, "
                  "top-1 >= 30%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
