"""Score predicted quotations against a gold set (the metrics of DESIGN.md).

- quote detection P/R/F1 with *overlap* matching (one-to-one; a pair counts when the overlap
  covers at least half of the shorter span) and with *exact* spans (ignoring surrounding
  spaces, punctuation and quotation marks);
- speaker accuracy over gold quotes that have a speaker (a missed quote counts as wrong; a
  prediction is right when its speaker ``name`` or ``text`` equals or contains the gold speaker
  or one of its aliases, after Arabic normalisation);
- stance macro-F1 over favor/against/neutral on all gold (quote, target) pairs (a missed quote
  or a missing stance counts as wrong);
- recall by kind, and throughput.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from ..arabic import ALL_MARKS, SPACES
from ..normalize import normalize
from ..types import STANCE_LABELS as LABELS
from ..types import Quote

# What exact matching ignores at a span's edges: spaces, punctuation, quotation marks.
STRIP = SPACES + "\n.,،;؛:!?؟-–—()" + "".join(sorted(ALL_MARKS))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_overlap(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> dict[int, int]:
    """One-to-one gold→pred matching, largest overlaps first."""
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            ov = _overlap(g, p)
            shorter = min(g[1] - g[0], p[1] - p[0])
            if ov > 0 and shorter > 0 and ov * 2 >= shorter:
                pairs.append((ov, i, j))
    pairs.sort(reverse=True)
    used_g, used_p, out = set(), set(), {}
    for _, i, j in pairs:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            out[i] = j
    return out


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in STRIP:
        start += 1
    while end > start and text[end - 1] in STRIP:
        end -= 1
    return start, end


def names_match(gold: dict[str, Any], said: Iterable[str]) -> bool:
    """The gold speaker or one of its aliases equals or is contained in one of ``said``,
    after Arabic normalisation."""
    names = [normalize(n) for n in [gold.get("speaker"), *gold.get("speaker_aliases", [])] if n]
    said = [normalize(s) for s in said]
    return any(n and n in s for n in names for s in said)


def speaker_correct(pred: Quote | None, gold: dict[str, Any]) -> bool:
    if pred is None or pred.speaker is None or not gold.get("speaker"):
        return False
    return names_match(gold, (pred.speaker.name, pred.speaker.text))


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def stance_f1(gold: Sequence[str], pred: Sequence[str]) -> tuple[dict[str, dict[str, float]], float]:
    """Per-label P/R/F1 over favor/against/neutral and their macro-F1 (0 without pairs)."""
    per_label = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, pred) if g == p == label)
        per_label[label] = _prf(tp, list(pred).count(label), list(gold).count(label))
    macro = sum(v["f1"] for v in per_label.values()) / len(LABELS) if gold else 0.0
    return per_label, macro


def evaluate_predictions(
    docs: Sequence[dict[str, Any]], predictions: Sequence[Sequence[Quote]]
) -> dict[str, Any]:
    """Compare ``predictions[i]`` with ``docs[i]["quotes"]``; return the report dict."""
    tp_ov = tp_ex = n_gold = n_pred = 0
    spk_total = spk_right = 0
    kind_total: Counter[str] = Counter()
    kind_found: Counter[str] = Counter()
    stance_gold, stance_pred = [], []
    errors = []
    for doc, preds in zip(docs, predictions):
        text = doc["text"]
        gold = doc["quotes"]
        gspans = [(q["start"], q["end"]) for q in gold]
        pspans = [(q.start, q.end) for q in preds]
        m = match_overlap(gspans, pspans)
        n_gold += len(gold)
        n_pred += len(preds)
        tp_ov += len(m)
        gcore = Counter(_core(text, *s) for s in gspans)
        for s in pspans:
            c = _core(text, *s)
            if gcore[c] > 0:
                gcore[c] -= 1
                tp_ex += 1
        doc_errors: list[tuple[str, Any, Quote | None]] = []
        for i, g in enumerate(gold):
            kind_total[g["kind"]] += 1
            p = preds[m[i]] if i in m else None
            if p is not None:
                kind_found[g["kind"]] += 1
            if g.get("speaker"):
                spk_total += 1
                ok = speaker_correct(p, g)
                spk_right += ok
                if p is not None and not ok:
                    doc_errors.append(("misattributed", g, p))
            if p is None:
                doc_errors.append(("missed", g, None))
            for st in g.get("stance", []):
                stance_gold.append(st["label"])
                got = None
                if p is not None:
                    got = next((s.label for s in p.stances if normalize(s.subject) == normalize(st["target"])), None)
                stance_pred.append(got or "none")
        matched_p = set(m.values())
        for j, p in enumerate(preds):
            if j not in matched_p:
                doc_errors.append(("spurious", None, p))
        if doc_errors:
            errors.append({"id": doc["id"], "errors": [_describe(text, *e) for e in doc_errors]})
    per_label, macro = stance_f1(stance_gold, stance_pred)
    return {
        "documents": len(docs),
        "gold_quotes": n_gold,
        "predicted_quotes": n_pred,
        "overlap": _prf(tp_ov, n_pred, n_gold),
        "exact": _prf(tp_ex, n_pred, n_gold),
        "speaker_accuracy": round(spk_right / spk_total, 4) if spk_total else 0.0,
        "speaker_total": spk_total,
        "stance_macro_f1": round(macro, 4),
        "stance_per_label": per_label,
        "stance_pairs": len(stance_gold),
        "stance_confusion": _confusion(stance_gold, stance_pred),
        "recall_by_kind": {k: round(kind_found[k] / kind_total[k], 4) for k in sorted(kind_total)},
        "errors": errors,
    }


def _confusion(gold: list[str], pred: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {g: {p: 0 for p in (*LABELS, "none")} for g in LABELS}
    for g, p in zip(gold, pred):
        out[g][p] += 1
    return out


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    s = text[max(0, start - width) : start]
    e = text[end : end + width]
    return (s + "⟦" + text[start:end] + "⟧" + e).replace("\n", " ⏎ ")


def _describe(text: str, what: str, gold: dict | None, pred: Quote | None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": what}
    if gold is not None:
        out["gold"] = {"start": gold["start"], "end": gold["end"], "kind": gold["kind"],
                       "speaker": gold.get("speaker"), "context": _context(text, gold["start"], gold["end"])}
    if pred is not None:
        out["predicted"] = {"start": pred.start, "end": pred.end, "kind": pred.kind,
                            "speaker": pred.speaker.name if pred.speaker else None,
                            "cue": pred.cue.text if pred.cue else None,
                            "context": _context(text, pred.start, pred.end)}
    return out


def run_evaluation(
    docs: Sequence[dict[str, Any]],
    predict: Callable[[str, list[str]], list[Quote]],
) -> dict[str, Any]:
    """Predict every document (with its gold stance targets as subjects) and score it.

    The speed excludes loading: the first document is run once, untimed, before the clock
    starts (lexicons, gazetteers and models load on first use)."""
    predictions = []
    chars = 0
    if docs:
        predict(docs[0]["text"], [])
    t0 = time.perf_counter()
    for doc in docs:
        targets = sorted({s["target"] for q in doc["quotes"] for s in q.get("stance", [])})
        predictions.append(predict(doc["text"], targets))
        chars += len(doc["text"])
    elapsed = time.perf_counter() - t0
    report = evaluate_predictions(docs, predictions)
    report["seconds"] = round(elapsed, 3)
    report["chars_per_second"] = round(chars / elapsed) if elapsed else None
    return report


def format_summary(report: dict[str, Any], name: str = "") -> str:
    ov, ex = report["overlap"], report["exact"]
    lines = [
        f"pipeline {name}: {report['documents']} documents, {report['gold_quotes']} gold quotes, "
        f"{report['predicted_quotes']} predicted",
        f"  overlap  P {ov['precision']:.3f}  R {ov['recall']:.3f}  F1 {ov['f1']:.3f}",
        f"  exact    P {ex['precision']:.3f}  R {ex['recall']:.3f}  F1 {ex['f1']:.3f}",
        f"  speaker accuracy {report['speaker_accuracy']:.3f} (of {report['speaker_total']})",
        f"  stance macro-F1 {report['stance_macro_f1']:.3f} over {report['stance_pairs']} pairs  "
        + "  ".join(f"{k} {v['f1']:.3f}" for k, v in report["stance_per_label"].items()),
        "  recall by kind " + "  ".join(f"{k} {v:.3f}" for k, v in report["recall_by_kind"].items()),
    ]
    if report.get("chars_per_second"):
        lines.append(f"  speed {report['chars_per_second']:,} chars/s ({report['seconds']} s)")
    return "\n".join(lines)


def iter_error_lines(report: dict[str, Any]) -> Iterable[str]:
    for doc in report["errors"]:
        yield f"== {doc['id']}"
        for e in doc["errors"]:
            if e["type"] == "spurious":
                p = e["predicted"]
                yield f"  SPURIOUS  [{p['kind']}] cue={p['cue']} speaker={p['speaker']}: {p['context']}"
            elif e["type"] == "missed":
                g = e["gold"]
                yield f"  MISSED    [{g['kind']}] speaker={g['speaker']}: {g['context']}"
            else:
                g, p = e["gold"], e["predicted"]
                yield f"  SPEAKER   gold={g['speaker']} predicted={p['speaker']}: {g['context']}"


def format_comparison(names: Sequence[str], reports: Sequence[dict[str, Any]]) -> str:
    """One table, a column per pipeline: the headline metrics side by side."""
    rows = [
        ("overlap F1", lambda r: f"{r['overlap']['f1']:.3f}"),
        ("exact F1", lambda r: f"{r['exact']['f1']:.3f}"),
        ("speaker accuracy", lambda r: f"{r['speaker_accuracy']:.3f}"),
        ("stance macro-F1", lambda r: f"{r['stance_macro_f1']:.3f}"),
        ("chars/s", lambda r: f"{r['chars_per_second']:,}" if r.get("chars_per_second") else "-"),
    ]
    head = ["metric", *names]
    table = [head] + [[label, *(get(r) for r in reports)] for label, get in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in table)
