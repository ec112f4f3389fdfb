"""The rule layer's errors on a gold file, counted by class.

    python benchmarks/error_classes.py benchmarks/gold/train.jsonl [--pipeline rules] [--show CLASS]

Quotations are matched one-to-one by overlap (the scorer's rule). Every gold quotation the
pipeline misses, every spurious prediction and every wrong speaker is put in one class:

missed
  ``cue-unknown``      the gold cue is not a form of the cue lexicon (عبر عن، عزا، اكتفى بالقول)
  ``cue-diacritics``   the gold cue is written with diacritics (أكَّد، مبيناً)
  ``nominal``          an indirect quotation with no إن/أن/بأن, colon or mark before it
                       (أعلنت الوزارة بلوغ ...، شدد على ضرورة ...)
  ``continuation``     no cue: a paragraph that continues the previous speaker
  ``direct``           another direct quotation
  ``other``            the rest
spurious
  ``spurious``         a prediction that matches no gold quotation
wrong speaker (on a matched quotation)
  ``speaker-none``      no speaker predicted
  ``speaker-prodrop``   the verb carries the subject (وأضاف) and was resolved to someone else
  ``speaker-explicit``  a named subject that is not the gold speaker (swallowed words, the
                        object, the wrong noun)

``--show CLASS`` prints the contexts of one class (for development on the ``train`` split
or the annotated corpus; never on ``test``).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quoteattr.evaluation.gold import load_gold  # noqa: E402
from quoteattr.evaluation.scorer import _context, match_overlap, speaker_correct  # noqa: E402

CLASSES = ("cue-unknown", "cue-diacritics", "nominal", "continuation", "direct", "other", "spurious",
           "speaker-none", "speaker-prodrop", "speaker-explicit")


def missed_class(text: str, gold: dict, forms, phrases) -> str:
    from quoteattr.normalize import normalize

    cue = gold.get("cue")
    if not cue:
        return "continuation"
    if any("\u064b" <= c <= "\u0652" for c in cue):
        return "cue-diacritics"
    words = tuple(normalize(cue).split())
    known = (len(words) == 1 and words[0] in forms) or words in phrases or any(
        words[:k] in phrases for k in range(1, len(words) + 1))
    if not known:
        return "cue-unknown"
    if gold["kind"] == "direct":
        return "direct"
    before = normalize(text[max(0, gold["start"] - 12) : gold["start"]]).rstrip(" \u00a0«\"“")
    if gold["kind"] == "indirect" and not before.endswith(("ان", "انه", "انها", "انهم", ":", "بان")):
        return "nominal"
    return "other"


def classify(docs, predict) -> tuple[Counter, dict[str, list[str]]]:
    from quoteattr.lexicon import load_cue_lexicon

    lex = load_cue_lexicon()
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {c: [] for c in CLASSES}
    for doc in docs:
        text = doc["text"]
        gold = doc["quotes"]
        preds = predict(text)
        m = match_overlap([(q["start"], q["end"]) for q in gold], [(p.start, p.end) for p in preds])
        for i, g in enumerate(gold):
            if i not in m:
                c = missed_class(text, g, lex.forms, lex.phrases)
            elif g.get("speaker") and not speaker_correct(preds[m[i]], g):
                p = preds[m[i]]
                if p.speaker is None:
                    c = "speaker-none"
                elif p.speaker.resolved and p.cue is not None and p.speaker.start == p.cue.start:
                    c = "speaker-prodrop"
                else:
                    c = "speaker-explicit"
                examples[c].append(f"{doc['id']} gold={g['speaker']} predicted="
                                   f"{p.speaker.text + ' → ' + p.speaker.name if p.speaker else None}: "
                                   f"{_context(text, g['start'], g['end'])[:300]}")
                counts[c] += 1
                continue
            else:
                continue
            counts[c] += 1
            examples[c].append(f"{doc['id']} [{g['kind']}] cue={g.get('cue')} speaker={g.get('speaker')}: "
                               f"{_context(text, g['start'], g['end'])[:300]}")
        for j, p in enumerate(preds):
            if j not in m.values():
                counts["spurious"] += 1
                examples["spurious"].append(f"{doc['id']} cue={p.cue.text if p.cue else None}: "
                                            f"{_context(text, p.start, p.end)[:300]}")
    return counts, examples


def main() -> int:
    from quoteattr import attribute_quotes

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold")
    ap.add_argument("--pipeline", default="rules")
    ap.add_argument("--show", choices=CLASSES)
    args = ap.parse_args()
    docs = load_gold(args.gold)
    counts, examples = classify(docs, lambda t: attribute_quotes(t, pipeline=args.pipeline))
    n_gold = sum(len(d["quotes"]) for d in docs)
    print(f"{args.gold}: {len(docs)} documents, {n_gold} gold quotations, pipeline {args.pipeline}")
    print("| class | errors |\n| --- | --- |")
    for c in CLASSES:
        print(f"| {c} | {counts[c]} |")
    if args.show:
        print()
        for line in examples[args.show]:
            print(line.replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
