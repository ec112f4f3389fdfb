"""Peak memory (RSS) while streaming N corpus articles through quoteattr.pipe, against one.

    python benchmarks/memory.py [--articles 5000]

Each measurement runs in a fresh child process, so the peaks do not mix.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
import quoteattr
from quoteattr.evaluation.corpus import Corpus
n = {n}
def records():
    k = 0
    for a in Corpus().iter_articles():
        if k >= n:
            return
        k += 1
        yield {{"id": a["id"], "text": a["content"]}}
docs = quotes = errors = 0
for r in quoteattr.pipe(records(), batch_size=64):
    docs += 1; quotes += len(r.quotes); errors += not r.ok
print(docs, quotes, errors, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(n: int) -> tuple[int, int, int, int]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), n=n)],
                         capture_output=True, text=True, check=True)
    docs, quotes, errors, rss_kb = map(int, out.stdout.split())
    return docs, quotes, errors, rss_kb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=5000)
    args = ap.parse_args()
    rows = [(n, *run(n)) for n in (1, args.articles)]
    print(f"{'articles':>9} {'quotes':>8} {'errors':>7} {'peak RSS MB':>12}")
    for _, docs, quotes, errors, rss in rows:
        print(f"{docs:>9,} {quotes:>8,} {errors:>7} {rss / 1024:12.1f}")
    print(f"ratio of peaks, {rows[1][1]:,} articles vs 1: {rows[1][4] / rows[0][4]:.2f}")


if __name__ == "__main__":
    main()
