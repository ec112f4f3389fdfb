"""Stance diagnostics on a gold split: target-matching recall, the most common errors, and
the calibration of ``Stance.score``; ``--calibrate`` refits the score on this split.

    python benchmarks/stance/report.py benchmarks/gold/test.jsonl
    python benchmarks/stance/report.py benchmarks/gold/train.jsonl --calibrate   # writes the fit

The calibration is fitted on ``train`` only and checked on ``test``. Reads the corpus in place
(``$QUOTEATTR_CORPUS_DIR`` or ``../shared/corpora/saudinewsnet``).
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path

from quoteattr import attribute_quotes
from quoteattr.evaluation.gold import load_gold
from quoteattr.evaluation.scorer import match_overlap
from quoteattr.normalize import normalize
from quoteattr.rules.view import TextView
from quoteattr.stance.rules import THRESHOLD, StanceRules, speaker_is_subject
from quoteattr.stance.subjects import find_subject_mentions

CALIBRATION = Path(__file__).resolve().parents[2] / "quoteattr" / "stance" / "data" / "calibration.json"


def _reason_kind(reasons: tuple[str, ...]) -> str:
    if not reasons:
        return "no evidence"
    kinds = sorted({r.split()[0] for r in reasons})
    return "+".join(kinds)


def collect(path: str, pipeline: str):
    """One row per gold (quote, target) pair with what the rule layer saw and decided."""
    rows = []
    for doc in load_gold(path):
        targets = sorted({s["target"] for q in doc["quotes"] for s in q.get("stance", [])})
        if not targets:
            continue
        text = doc["text"]
        preds = attribute_quotes(text, targets, pipeline=pipeline)
        view = TextView(text)
        rules = StanceRules(view)
        mentions = {t: find_subject_mentions(view.norm, t) for t in targets}
        m = match_overlap([(q["start"], q["end"]) for q in doc["quotes"]], [(p.start, p.end) for p in preds])
        for i, g in enumerate(doc["quotes"]):
            for st in g.get("stance", []):
                target = st["target"]
                # Matcher recall on the gold span: is the target found where the gold quote is?
                lo = g["start"] - 60  # the cue's complement sits just before the content
                gs, ge = rules.norm_span(max(0, lo), g["end"])
                in_gold = any(gs <= x.start < ge for x in mentions[target])
                row = {"doc": doc["id"], "target": target, "gold": st["label"], "in_gold_span": in_gold}
                p = preds[m[i]] if i in m else None
                if p is None:
                    row.update(pred="none", found=False, weight=0.0, reasons=("quote missed",), score=None)
                else:
                    ev = rules.decide(p, mentions[target], speaker_is_subject(p, target))
                    stance = next(s for s in p.stances if normalize(s.subject) == normalize(target))
                    row.update(pred=stance.label, found=ev.mentioned, weight=ev.weight,
                               reasons=ev.reasons, score=stance.score)
                rows.append(row)
    return rows


def error_table(rows) -> Counter:
    errors = Counter()
    for r in rows:
        if r["pred"] == r["gold"]:
            continue
        if r["pred"] == "none":
            why = "quote not found"
        elif not r["found"]:
            why = "target not found in the predicted quote"
        else:
            why = _reason_kind(r["reasons"])
        errors[f"gold {r['gold']} → {r['pred']}: {why}"] += 1
    return errors


def fit(rows, source: str) -> dict[str, float | str]:
    """Logistic P(right | |weight|) for polar decisions; rates for the other cases."""
    polar = [(abs(r["weight"]), r["pred"] == r["gold"]) for r in rows
             if r["found"] and abs(r["weight"]) >= THRESHOLD]
    a, b = 1.0, 0.0
    for _ in range(3000):  # plain gradient descent: 2 parameters, a few hundred points
        ga = gb = 0.0
        for x, y in polar:
            p = 1 / (1 + math.exp(-(a * x + b)))
            ga += (p - y) * x
            gb += p - y
        a -= 0.05 * ga / max(1, len(polar))
        b -= 0.05 * gb / max(1, len(polar))

    def rate(sel):
        sel = list(sel)
        return round((sum(sel) + 1) / (len(sel) + 2), 4)  # Laplace: never 0 or 1

    return {
        "a": round(a, 4),
        "b": round(b, 4),
        "neutral": rate(r["gold"] == "neutral" for r in rows if r["found"] and abs(r["weight"]) < THRESHOLD),
        "unmentioned": rate(r["gold"] == "neutral" for r in rows if r["pred"] != "none" and not r["found"]),
        "self": 0.6,
        "fitted_on": source,
        "pairs": len(rows),
    }


def ece(rows, bins: int = 5) -> float:
    scored = [(r["score"], r["pred"] == r["gold"]) for r in rows if r["score"] is not None]
    total, err = len(scored), 0.0
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        b = [(s, y) for s, y in scored if lo <= s < hi or (k == bins - 1 and s == 1.0)]
        if b:
            err += len(b) / total * abs(sum(s for s, _ in b) / len(b) - sum(y for _, y in b) / len(b))
    return err


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold")
    ap.add_argument("--pipeline", default="rules")
    ap.add_argument("--calibrate", action="store_true", help="fit the score on this split and write it")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    rows = collect(args.gold, args.pipeline)
    n = len(rows)
    found_gold = sum(r["in_gold_span"] for r in rows)
    matched = [r for r in rows if r["pred"] != "none"]
    print(f"{args.gold}: {n} gold (quote, target) pairs")
    print(f"  target found in the gold quote span (matcher recall): {found_gold}/{n} = {found_gold / n:.3f}")
    print(f"  target found in the matched predicted quote: {sum(r['found'] for r in matched)}/{len(matched)}"
          f" = {sum(r['found'] for r in matched) / max(1, len(matched)):.3f}  (quotes matched: {len(matched)}/{n})")
    acc = sum(r["pred"] == r["gold"] for r in rows) / n
    print(f"  label accuracy {acc:.3f}; score ECE (5 bins) {ece(rows):.3f}")
    print(f"  the {args.top} most common errors:")
    for why, c in error_table(rows).most_common(args.top):
        print(f"    {c:4d}  {why}")
    if args.calibrate:
        cal = fit(rows, Path(args.gold).name)
        CALIBRATION.write_text(json.dumps(cal, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"  wrote {CALIBRATION}: {cal}")


if __name__ == "__main__":
    main()
