"""Throughput and scaling of attribute_quotes, with baselines measured in the same run.

    python benchmarks/speed.py [--articles 300] [--corpus-dir DIR]

Prints, for each pipeline, chars/s and docs/s over a fixed sample of corpus articles, beside
the bare ``spacy.blank("ar")`` tokenizer and a bare regex scan for quotation marks (as
ratios to them); then time per character for one text repeated to 1k ... 1M characters.
Figures only: nothing here asserts a wall-clock limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import regex  # noqa: E402
import spacy  # noqa: E402

import quoteattr  # noqa: E402
from quoteattr.evaluation.corpus import Corpus  # noqa: E402

MARKS = regex.compile(r'[«»“”"‹›]')


def sample(corpus: Corpus, n: int) -> list[str]:
    """Every k-th non-empty article of the first day files: fixed, spread over newspapers."""
    texts = [a["content"] for a in corpus.iter_articles(corpus.days()[:2]) if a["content"].strip()]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def timed(fn, texts: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--corpus-dir")
    args = ap.parse_args()
    texts = sample(Corpus(args.corpus_dir), args.articles)
    chars = sum(map(len, texts))
    print(f"sample: {len(texts)} articles, {chars:,} characters (best of 3 runs)\n")
    blank = spacy.blank("ar")
    base = {
        "regex scan for marks": timed(lambda t: MARKS.findall(t), texts),
        'spacy.blank("ar") tokenizer': timed(blank.make_doc, texts),
    }
    rows = list(base.items())
    nlp = quoteattr.load("rules")
    # The cost of each layer: the same pipeline with its last components switched off.
    for label, off in (("quotes and speakers only", ["quoteattr_entities", "quoteattr_stance"]),
                       ("+ entities", ["quoteattr_stance"])):
        with nlp.select_pipes(disable=off):
            rows.append((f"rules: {label}", timed(nlp, texts)))
    for name in quoteattr.PIPELINES:
        quoteattr.load(name)
        rows.append((f"attribute_quotes pipeline={name}", timed(lambda t: quoteattr.attribute_quotes(t, pipeline=name), texts)))
    subjects = ["السعودية", "إيران", "الهلال"]
    rows.append((f"  ... with subjects={len(subjects)}",
                 timed(lambda t: quoteattr.attribute_quotes(t, subjects, pipeline="rules"), texts)))
    tok = base['spacy.blank("ar") tokenizer']
    rx = base["regex scan for marks"]
    print(f"{'what':40} {'chars/s':>12} {'docs/s':>9} {'x tokenizer':>12} {'x regex':>9}")
    for name, sec in rows:
        print(f"{name:40} {chars / sec:12,.0f} {len(texts) / sec:9,.1f} {sec / tok:12.2f} {sec / rx:9.1f}")

    print("\nscaling: one article repeated to a given length, rules pipeline")
    unit = max(texts, key=len)
    print(f"{'chars':>10} {'seconds':>9} {'us/char':>9}")
    for size in (1_000, 10_000, 100_000, 1_000_000):
        text = (unit + "\n") * (size // (len(unit) + 1) + 1)
        text = text[:size]
        sec = timed(lambda t: quoteattr.attribute_quotes(t, pipeline="rules"), [text], repeat=1 if size >= 1_000_000 else 3)
        print(f"{size:>10,} {sec:9.3f} {sec / size * 1e6:9.2f}")


if __name__ == "__main__":
    main()
