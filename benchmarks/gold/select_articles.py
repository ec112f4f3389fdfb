"""Choose the development-set articles: seeded, stratified by newspaper.

Prints one article id per line (with its newspaper and length). Re-running with the
same seed gives the same list; the chosen list is kept in ``articles.tsv``.

    python benchmarks/gold/select_articles.py > benchmarks/gold/articles.tsv
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from quoteattr.evaluation.corpus import Corpus  # noqa: E402

# A rough signal, only used to pick articles that are likely to contain reported speech.
CUE = re.compile(r"(?:^|\s)[وف]?(?:قال|قالت|أكد|أكدت|أوضح|أوضحت|أضاف|أضافت|أشار|أشارت|دعا|بحسب|وفقا)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2015)
    ap.add_argument("--per-source", type=int, default=7)
    ap.add_argument("--no-quote-per-source", type=int, default=1)
    ap.add_argument("--corpus-dir")
    args = ap.parse_args()
    corpus = Corpus(args.corpus_dir)
    quoted, plain = defaultdict(list), defaultdict(list)
    for art in corpus.iter_articles():
        n = len(art["content"])
        if not 500 <= n <= 3500:
            continue
        cues = len(CUE.findall(art["content"]))
        if cues >= 3:
            quoted[art["source"]].append((art["id"], n))
        elif cues == 0 and "«" not in art["content"] and '"' not in art["content"]:
            plain[art["source"]].append((art["id"], n))
    rng = random.Random(args.seed)
    print("id\tsource\tchars\tselected_as")
    for source in sorted(quoted):
        for aid, n in rng.sample(quoted[source], min(args.per_source, len(quoted[source]))):
            print(f"{aid}\t{source}\t{n}\tquoted")
        pool = plain.get(source, [])
        for aid, n in rng.sample(pool, min(args.no_quote_per_source, len(pool))):
            print(f"{aid}\t{source}\t{n}\tno-cue")


if __name__ == "__main__":
    main()
