"""Choose the training-corpus articles: seeded, stratified by newspaper and by day.

    python benchmarks/corpus/select_articles.py > benchmarks/corpus/articles.tsv

Per newspaper, ``--per-source`` articles that are likely to hold reported speech (at least
three cue words, 600-3,500 characters) and ``--plain-per-source`` with no cue word and no
quotation mark (they keep about 8% of the corpus quote-free and measure precision). Within a
newspaper the articles are spread over the days round-robin, so every day of the corpus is
represented in every newspaper that has articles on it. Articles of the development gold set
(``benchmarks/gold/articles.tsv``: both its ``train`` and ``test`` halves) are never taken.

Every article gets a batch of ``--batch-size`` (batches mix newspapers and days), and 10% of the
articles, drawn with the same seed, a second batch for the independent agreement annotation.

About half of the "no-cue" articles turned out to hold reported speech after all (the cue
signal above is rough), so ``--supplement`` more articles are drawn, round-robin over the
newspapers, from those in which the library's speech-cue lexicon finds no cue word at all and
that have no quotation mark (batches ``c01`` ...): they bring the share of quote-free articles
back to about 8%. Only the lexicon's word list is used (no quotation is looked for), so
nothing the annotators see comes from the library.

Re-running with the same seed and corpus gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from quoteattr.evaluation.corpus import Corpus  # noqa: E402

# A rough signal, only used to pick articles that are likely to contain reported speech
# (the same one as the development set's selection).
CUE = re.compile(r"(?:^|\s)[وف]?(?:قال|قالت|أكد|أكدت|أوضح|أوضحت|أضاف|أضافت|أشار|أشارت|دعا|بحسب|وفقا)")


def gold_ids() -> set[str]:
    with open(HERE.parent / "gold" / "articles.tsv", encoding="utf-8") as fh:
        return {row["id"] for row in csv.DictReader(fh, delimiter="\t")}


def spread_over_days(pool: list[tuple[str, int]], k: int, rng: random.Random) -> list[tuple[str, int]]:
    """``k`` articles of ``pool``, taken round-robin over its days in a seeded order."""
    by_day: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for item in pool:
        by_day[item[0].split("#")[0]].append(item)
    days = sorted(by_day)
    for day in days:
        rng.shuffle(by_day[day])
    rng.shuffle(days)
    out: list[tuple[str, int]] = []
    while len(out) < k and any(by_day.values()):
        for day in days:
            if by_day[day] and len(out) < k:
                out.append(by_day[day].pop())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--per-source", type=int, default=105)
    ap.add_argument("--plain-per-source", type=int, default=9)
    ap.add_argument("--batch-size", type=int, default=25)
    ap.add_argument("--agreement", type=float, default=0.10, help="share annotated twice")
    ap.add_argument("--supplement", type=int, default=50, help="extra cue-free articles (batches c..)")
    ap.add_argument("--corpus-dir")
    args = ap.parse_args()
    corpus = Corpus(args.corpus_dir)
    excluded = gold_ids()
    quoted: dict[str, list] = defaultdict(list)
    plain: dict[str, list] = defaultdict(list)
    for art in corpus.iter_articles():
        if art["id"] in excluded:
            continue
        text = art["content"]
        cues = len(CUE.findall(text))
        if 600 <= len(text) <= 3500 and cues >= 3:
            quoted[art["source"]].append((art["id"], len(text)))
        elif 500 <= len(text) <= 3500 and cues == 0 and not any(m in text for m in '«"“'):
            plain[art["source"]].append((art["id"], len(text)))
    rng = random.Random(args.seed)
    chosen = []
    for source in sorted(quoted):
        for aid, n in spread_over_days(quoted[source], args.per_source, rng):
            chosen.append((aid, source, n, "quoted"))
        for aid, n in spread_over_days(plain.get(source, []), args.plain_per_source, rng):
            chosen.append((aid, source, n, "no-cue"))
    rng.shuffle(chosen)
    second = sorted(rng.sample(range(len(chosen)), round(len(chosen) * args.agreement)))
    rng.shuffle(second)
    n_batches = max(1, round(len(chosen) / args.batch_size))
    n_again = max(1, round(len(second) / args.batch_size))
    again = {i: f"a{k * n_again // len(second) + 1:02d}" for k, i in enumerate(second)}
    print("id\tsource\tchars\tselected_as\tbatch\tagreement_batch")
    for i, (aid, source, n, why) in enumerate(chosen):
        batch = f"b{i * n_batches // len(chosen) + 1:02d}"
        print(f"{aid}\t{source}\t{n}\t{why}\t{batch}\t{again.get(i, '')}")
    taken = {c[0] for c in chosen}
    for k, (aid, source, n) in enumerate(cue_free(corpus, excluded | taken, args.supplement, rng)):
        print(f"{aid}\t{source}\t{n}\tcue-free\tc{k // args.batch_size + 1:02d}\t")


def cue_free(corpus: Corpus, excluded: set[str], k: int, rng: random.Random) -> list[tuple[str, str, int]]:
    """``k`` articles (600-3,500 characters) with no word of the speech-cue lexicon and no
    quotation mark, spread over the newspapers round-robin in a seeded order."""
    from quoteattr.lexicon import load_cue_lexicon
    from quoteattr.normalize import normalize

    lex = load_cue_lexicon()
    pool: dict[str, list] = defaultdict(list)
    for art in corpus.iter_articles():
        text = art["content"]
        if art["id"] in excluded or not 600 <= len(text) <= 3500 or any(m in text for m in '«"“:'):
            continue
        words = normalize(text).split()
        if any(w in lex.forms for w in words) or any(tuple(words[i : i + 2]) in lex.phrases or (words[i],) in lex.phrases
                                                        for i in range(len(words))):
            continue
        pool[art["source"]].append((art["id"], art["source"], len(text)))
    sources = sorted(pool)
    for src in sources:
        rng.shuffle(pool[src])
    out: list[tuple[str, str, int]] = []
    while len(out) < k and any(pool.values()):
        for src in sources:
            if pool[src] and len(out) < k:
                out.append(pool[src].pop())
    return out


if __name__ == "__main__":
    main()
