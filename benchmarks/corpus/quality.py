"""How good the corpus labels are: process accuracy against the reviewed test gold, and
agreement between two independent annotations.

    python benchmarks/corpus/quality.py process [--errors]   # process/t*.jsonl vs gold test.jsonl
    python benchmarks/corpus/quality.py agreement            # agreement/a*.jsonl vs annotations/
    python benchmarks/corpus/quality.py stats                # counts, and the builder's rejections

**Process accuracy** scores the blind re-annotation of the 48 ``test`` articles, made with the
corpus's own process, with ``quoteattr evaluate``'s scorer (``evaluate_predictions``): each draft
quotation becomes a prediction whose speaker ``name`` is the annotator's speaker, and whose stance
toward each gold target is the annotator's label for that target (matched after normalisation,
one containing the other), or ``neutral`` where the annotator gave that target no label. The
test gold itself is only read.

**Agreement** pairs the quotations of the two annotations one-to-one by overlap (the scorer's
rule) and reports, per field: quotation F1 (overlap and exact, one annotation taken as the
reference; F1 is symmetric), and on the matched pairs the share of equal kinds, cues, speakers
(either speaker or alias list naming the other's), speaker types, stance targets (F1 of the
target sets) and stance labels on shared targets, with Cohen's kappa for kind and label.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
from quoteattr.evaluation.corpus import Corpus  # noqa: E402
from quoteattr.evaluation.gold import join_gold, load_gold, read_jsonl  # noqa: E402
from quoteattr.evaluation.scorer import (  # noqa: E402
    _core,
    evaluate_predictions,
    format_summary,
    iter_error_lines,
    match_overlap,
    names_match,
)
from quoteattr.normalize import normalize  # noqa: E402
from quoteattr.types import Cue, Quote, Speaker, Stance  # noqa: E402


def read_folder(folder: str, prefix: str) -> list[dict]:
    rows = []
    for path in sorted((HERE / folder).glob(f"{prefix}*.jsonl")):
        rows.extend(read_jsonl(path))
    return rows


def same_target(a: str, b: str) -> bool:
    a, b = normalize(a), normalize(b)
    return bool(a and b) and (a in b or b in a)


def as_prediction(text: str, q: dict, gold_targets: list[str]) -> Quote:
    """A draft quotation as a prediction the scorer can read."""
    cue = None
    if q.get("cue") and q.get("cue_start") is not None:
        cue = Cue(q["cue"], q["cue_start"], q["cue_start"] + len(q["cue"]), "", "")
    speaker = None
    if q.get("speaker"):
        pos = q.get("speaker_start") or 0
        speaker = Speaker(q["speaker"], pos, pos + len(q["speaker"]), q["speaker"], False)
    stances = []
    for target in gold_targets:
        label = next((s["label"] for s in q.get("stance", []) if same_target(s["target"], target)), "neutral")
        stances.append(Stance(target, label, 1.0))
    return Quote(text[q["start"] : q["end"]], q["start"], q["end"], q["kind"], cue, speaker, stances)


def process(args: argparse.Namespace) -> int:
    corpus = Corpus()
    drafts = {row["id"]: row for row in join_gold(read_folder("process", "t"), corpus)}
    gold = [d for d in load_gold(REPO / "benchmarks" / "gold" / "test.jsonl", corpus) if d["id"] in drafts]
    missing = 48 - len(gold)
    preds, covered, pairs = [], 0, 0
    for doc in gold:
        targets = sorted({s["target"] for q in doc["quotes"] for s in q["stance"]})
        preds.append([as_prediction(doc["text"], q, targets) for q in drafts[doc["id"]]["quotes"]])
        for q in drafts[doc["id"]]["quotes"]:
            for g in doc["quotes"]:
                for s in g["stance"]:
                    if max(q["start"], g["start"]) < min(q["end"], g["end"]):
                        pairs += 1
                        covered += any(same_target(d["target"], s["target"]) for d in q["stance"])
    report = evaluate_predictions(gold, preds)
    print(format_summary(report, "annotation process (blind drafts vs reviewed test gold)"))
    print(f"  articles scored {len(gold)} (missing {missing}); stance: the annotators labelled "
          f"{covered} of {pairs} gold targets on overlapping quotations, the rest count as neutral")
    kinds = Counter((e["type"], (e.get("gold") or e.get("predicted"))["kind"]) for d in report["errors"] for e in d["errors"])
    print("  errors by class: " + ", ".join(f"{t} {k}: {n}" for (t, k), n in sorted(kinds.items())))
    if args.errors:
        for line in iter_error_lines(report):
            print(line)
    return 0


def kappa(pairs: list[tuple[str, str]]) -> float:
    if not pairs:
        return 0.0
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def agreement(args: argparse.Namespace) -> int:
    corpus = Corpus()
    second = {row["id"]: row for row in join_gold(read_folder("agreement", "a"), corpus)}
    first = {row["id"]: row for row in join_gold(read_folder("annotations", "b"), corpus) if row["id"] in second}
    ids = sorted(set(first) & set(second))
    c = Counter()
    kinds, labels = [], []
    for aid in ids:
        text = first[aid]["text"]
        a, b = first[aid]["quotes"], second[aid]["quotes"]
        m = match_overlap([(q["start"], q["end"]) for q in a], [(q["start"], q["end"]) for q in b])
        c["a"] += len(a)
        c["b"] += len(b)
        c["matched"] += len(m)
        ca = Counter(_core(text, q["start"], q["end"]) for q in a)
        for q in b:
            k = _core(text, q["start"], q["end"])
            if ca[k] > 0:
                ca[k] -= 1
                c["exact"] += 1
        for i, j in m.items():
            qa, qb = a[i], b[j]
            kinds.append((qa["kind"], qb["kind"]))
            c["cue_same"] += qa.get("cue_start") == qb.get("cue_start") and qa.get("cue") == qb.get("cue")
            if qa.get("speaker") or qb.get("speaker"):
                c["speaker_pairs"] += 1
                said_b = [x for x in [qb.get("speaker"), *qb["speaker_aliases"]] if x]
                said_a = [x for x in [qa.get("speaker"), *qa["speaker_aliases"]] if x]
                ok = bool(qa.get("speaker") and qb.get("speaker")) and (
                    names_match({"speaker": qa["speaker"]}, said_b) or names_match({"speaker": qb["speaker"]}, said_a))
                c["speaker_same"] += ok
            c["type_same"] += qa["speaker_type"] == qb["speaker_type"]
            ta, tb = qa["stance"], qb["stance"]
            shared = [(x, y) for x in ta for y in tb if same_target(x["target"], y["target"])]
            c["targets_a"] += len(ta)
            c["targets_b"] += len(tb)
            c["targets_shared"] += len({id(x) for x, _ in shared})
            seen = set()
            for x, y in shared:
                if id(x) not in seen:
                    seen.add(id(x))
                    labels.append((x["label"], y["label"]))

    def f1(tp: int, na: int, nb: int) -> float:
        return 2 * tp / (na + nb) if na + nb else 0.0

    n = c["matched"] or 1
    print(f"agreement over {len(ids)} articles annotated twice ({c['a']} and {c['b']} quotations)")
    print("| field | agreement |\n| --- | --- |")
    print(f"| quotation, overlap F1 | {f1(c['matched'], c['a'], c['b']):.3f} |")
    print(f"| quotation, exact-span F1 | {f1(c['exact'], c['a'], c['b']):.3f} |")
    print(f"| kind (matched pairs) | {sum(x == y for x, y in kinds) / n:.3f} (kappa {kappa(kinds):.3f}) |")
    print(f"| cue, same word and place | {c['cue_same'] / n:.3f} |")
    print(f"| speaker, same source | {c['speaker_same'] / (c['speaker_pairs'] or 1):.3f} (of {c['speaker_pairs']}) |")
    print(f"| speaker type | {c['type_same'] / n:.3f} |")
    print(f"| stance targets, F1 | {f1(c['targets_shared'], c['targets_a'], c['targets_b']):.3f} |")
    same = sum(x == y for x, y in labels)
    print(f"| stance label on shared targets | {same / (len(labels) or 1):.3f} (kappa {kappa(labels):.3f}, "
          f"{len(labels)} pairs) |")
    return 0


def stats(args: argparse.Namespace) -> int:
    """Counts by newspaper, kind and stance label, and the builder's rejections."""
    import csv
    import json

    with open(HERE / "articles.tsv", encoding="utf-8") as fh:
        source = {row["id"]: row["source"] for row in csv.DictReader(fh, delimiter="\t")}
    rows = read_folder("annotations", "")
    by_source: Counter = Counter()
    quotes_by_source: Counter = Counter()
    kinds: Counter = Counter()
    labels: Counter = Counter()
    types: Counter = Counter()
    empty = 0
    for row in rows:
        by_source[source[row["id"]]] += 1
        quotes_by_source[source[row["id"]]] += len(row["quotes"])
        empty += not row["quotes"]
        for q in row["quotes"]:
            kinds[q["kind"]] += 1
            types[q["speaker_type"]] += 1
            labels.update(s["label"] for s in q["stance"])
    n_quotes = sum(kinds.values())
    print(f"{len(rows)} articles, {n_quotes} quotations, {empty} articles without a quotation "
          f"({empty / len(rows):.1%}), {sum(labels.values())} stance pairs")
    print("\n| newspaper | articles | quotations |\n| --- | --- | --- |")
    for src in sorted(by_source):
        print(f"| {src} | {by_source[src]} | {quotes_by_source[src]} |")
    print("\n| kind | quotations |\n| --- | --- |")
    for k, n in kinds.most_common():
        print(f"| {k} | {n} |")
    print("\n| stance label | pairs |\n| --- | --- |")
    for k, n in labels.most_common():
        print(f"| {k} | {n} |")
    print("\n| speaker type | quotations |\n| --- | --- |")
    for k, n in types.most_common():
        print(f"| {k} | {n} |")
    log = [json.loads(x) for x in (HERE / "build_log.jsonl").read_text(encoding="utf-8").splitlines()]
    first = [e["first_check"] for e in log if e.get("first_check")]
    codes: Counter = Counter()
    for f in first:
        codes.update(f["codes"])
    print(f"\nbuilder: {len(log)} batches; at the annotators' first check "
          f"{sum(f['rejected'] for f in first)} of {sum(f['accepted'] + f['rejected'] for f in first)} "
          f"articles rejected; at build {sum(len(e['rejected']) for e in log)} rejected")
    print("\n| first-check rejection reason | problems |\n| --- | --- |")
    for k, n in codes.most_common():
        print(f"| {k} | {n} |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("process")
    p.add_argument("--errors", action="store_true", help="list every missed, spurious and misattributed quote")
    p.set_defaults(func=process)
    sub.add_parser("agreement").set_defaults(func=agreement)
    sub.add_parser("stats").set_defaults(func=stats)
    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
