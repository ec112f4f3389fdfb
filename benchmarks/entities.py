"""Coverage and speed of the named-entity layer (``quoteattr.entities.find_entities``).

    python benchmarks/entities.py [--misses]

Coverage, on the stand-off gold files joined with their SaudiNewsNet articles:

- speakers: the share of distinct (article, gold speaker) pairs for which some occurrence
  of the speaker's name or of one of its aliases in the article lies inside an entity span
  ("inside"), or at least overlaps one ("overlap");
- targets: the share of distinct (article, stance target) pairs for which an entity span
  overlaps some occurrence of the target in the article.

Speed: ``find_entities`` on the first 200 articles of the first day file that are not in the
gold test split, best of 3, and its ratio to the time of the ``spacy.blank("ar")``
tokenizer on the same texts (the machine is shared: the ratio is steadier than the rate).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from quoteattr.entities import find_entities, load_gazetteer  # noqa: E402
from quoteattr.evaluation.corpus import Corpus  # noqa: E402
from quoteattr.evaluation.gold import load_gold  # noqa: E402


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    out, pos = [], text.find(needle)
    while needle and pos >= 0:
        out.append((pos, pos + len(needle)))
        pos = text.find(needle, pos + 1)
    return out


def coverage(docs: list[dict], misses: bool = False) -> dict[str, tuple[int, int]]:
    counts = {"speaker inside": [0, 0], "speaker overlap": [0, 0], "target overlap": [0, 0]}
    for doc in docs:
        text = doc["text"]
        spans = [(e.start, e.end) for e in find_entities(text)]
        speakers, targets = {}, set()
        for q in doc["quotes"]:
            if q["speaker"]:
                speakers[q["speaker"]] = [q["speaker"], *q["speaker_aliases"]]
            targets.update(s["target"] for s in q["stance"])
        for name, forms in speakers.items():
            occ = [o for f in forms for o in occurrences(text, f)]
            inside = any(s <= a and b <= e for a, b in occ for s, e in spans)
            overlap = any(s < b and a < e for a, b in occ for s, e in spans)
            for key, hit in (("speaker inside", inside), ("speaker overlap", overlap)):
                counts[key][0] += hit
                counts[key][1] += 1
            if misses and not overlap:
                print(f"speaker miss {doc['id']}: {name} | {forms[1:]}")
        for target in targets:
            occ = occurrences(text, target)
            hit = any(s < b and a < e for a, b in occ for s, e in spans)
            counts["target overlap"][0] += hit
            counts["target overlap"][1] += 1
            if misses and not hit:
                print(f"target miss {doc['id']}: {target}")
    return {k: (v[0], v[1]) for k, v in counts.items()}


def speed(n: int = 200) -> tuple[float, int, int]:
    corpus = Corpus()
    test_ids = {d["id"] for d in load_gold(ROOT / "benchmarks/gold/test.jsonl", corpus)}
    texts = []
    for record in corpus.iter_articles(corpus.days()[:1]):
        if record["id"] not in test_ids and record["content"]:
            texts.append(record["content"])
        if len(texts) == n:
            break
    load_gazetteer()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        found = sum(len(find_entities(t)) for t in texts)
        best = min(best, time.perf_counter() - t0)
    tokenizer = spacy.blank("ar").tokenizer
    best_tok = float("inf")
    for _ in range(3):  # the reference the other speed figures are given against
        t0 = time.perf_counter()
        for t in texts:
            tokenizer(t)
        best_tok = min(best_tok, time.perf_counter() - t0)
    chars = sum(map(len, texts))
    return chars / best, chars, found, best / best_tok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--misses", action="store_true", help="print every uncovered gold string")
    ap.add_argument("--splits", nargs="*", default=["train", "test"])
    args = ap.parse_args()
    print("| split | speakers inside an entity | speakers overlapped | targets overlapped |")
    print("| --- | --- | --- | --- |")
    for split in args.splits:
        docs = load_gold(ROOT / f"benchmarks/gold/{split}.jsonl")
        c = coverage(docs, args.misses)
        cells = [f"{c[k][0] / c[k][1]:.3f} ({c[k][0]}/{c[k][1]})" for k in c]
        print(f"| {split} | " + " | ".join(cells) + " |")
    rate, chars, found, ratio = speed()
    print(f"\nfind_entities: {rate:,.0f} chars/s on 200 articles ({chars:,} chars, {found:,} entities), "
          f"{ratio:.2f} x the time of the spacy.blank('ar') tokenizer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
