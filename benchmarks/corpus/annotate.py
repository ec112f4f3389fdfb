"""The annotators' tool: print a batch's articles, find strings, check a draft.

    python benchmarks/corpus/annotate.py calibration --out DIR  # DIR/examples.txt: worked examples
    python benchmarks/corpus/annotate.py show BATCH --out DIR   # DIR/articles.txt (outside the repo)
    python benchmarks/corpus/annotate.py find ID "نص"           # every occurrence, with context
    python benchmarks/corpus/annotate.py check DRAFT.jsonl [--batch BATCH]

A BATCH is a name from ``articles.tsv`` (``b01`` .. for the corpus, ``a01`` .. for the second,
independent annotation) or ``t01``/``t02`` (the blind re-annotation of the development test
articles that measures the process). ``check`` runs exactly the builder's checks
(``quoteattr.evaluation.drafts``) and, with ``--batch``, also that every article of the batch is
there once; it logs each run's problem codes beside the draft (``DRAFT.checklog``) so the
builder can report how many articles were rejected on the first check. Nothing here runs the
library's pipeline: annotators read the raw article only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
from quoteattr.errors import CorpusError  # noqa: E402
from quoteattr.evaluation.corpus import Corpus  # noqa: E402
from quoteattr.evaluation.drafts import check_draft, problem_code  # noqa: E402

TEST_BATCHES = 2
# Reviewed articles of the development ``train`` split shown to annotators as worked examples.
CALIBRATION = ("2015-07-21#1611", "2015-07-21#2333", "2015-07-24#990", "2015-07-31#725",
               "2015-08-09#226", "2015-08-08#44")


def batch_ids(batch: str) -> list[str]:
    """The article ids of a batch, in their order."""
    if batch.startswith("t"):
        ids = [json.loads(line)["id"] for line in open(REPO / "benchmarks" / "gold" / "test.jsonl", encoding="utf-8")]
        ids.sort(key=lambda i: hashlib.md5(i.encode()).hexdigest())
        k = int(batch[1:]) - 1
        if not 0 <= k < TEST_BATCHES:
            raise SystemExit(f"no batch {batch}: t01..t{TEST_BATCHES:02d}")
        return ids[k::TEST_BATCHES]
    column = "agreement_batch" if batch.startswith("a") else "batch"
    with open(HERE / "articles.tsv", encoding="utf-8") as fh:
        ids = [row["id"] for row in csv.DictReader(fh, delimiter="\t") if row[column] == batch]
    if not ids:
        raise SystemExit(f"no batch {batch!r} in {HERE / 'articles.tsv'}")
    return ids


def show(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit("article texts never go inside the repository: choose --out outside it")
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus()
    with open(out / "articles.txt", "w", encoding="utf-8") as fh:
        for aid in batch_ids(args.batch):
            art = corpus.article(aid)
            fh.write(f"=== {aid}  source={art.get('source')}  chars={len(art['content'])}\n")
            fh.write(art["content"].rstrip() + "\n\n")
    print(f"{out / 'articles.txt'}: {len(batch_ids(args.batch))} articles")
    return 0


def calibration(args: argparse.Namespace) -> int:
    """The worked examples: reviewed train articles and their annotations in draft form."""
    from quoteattr.evaluation.gold import load_gold

    out = Path(args.out).resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit("article texts never go inside the repository: choose --out outside it")
    out.mkdir(parents=True, exist_ok=True)
    docs = {d["id"]: d for d in load_gold(REPO / "benchmarks" / "gold" / "train.jsonl")}
    with open(out / "examples.txt", "w", encoding="utf-8") as fh:
        for aid in CALIBRATION:
            doc = docs[aid]
            text = doc["text"]
            fh.write(f"=== {aid}\n{text.rstrip()}\n\n--- its annotation, one quotation per line:\n")
            for q in doc["quotes"]:
                content = text[q["start"] : q["end"]]
                fields = {"content": content, "occurrence": text[: q["start"]].count(content),
                          **{k: q[k] for k in ("kind", "cue", "speaker", "speaker_aliases",
                                                "speaker_type", "stance")}}
                fh.write(json.dumps(fields, ensure_ascii=False) + "\n")
            fh.write("\n")
    print(f"{out / 'examples.txt'}: {len(CALIBRATION)} reviewed articles")
    return 0


def find(args: argparse.Namespace) -> int:
    text = Corpus().text(args.id)
    pos, k = text.find(args.string), 0
    while pos >= 0:
        ctx = text[max(0, pos - 30) : pos + len(args.string) + 30].replace("\n", " ⏎ ")
        print(f"occurrence {k} at {pos}: …{ctx}…")
        pos, k = text.find(args.string, pos + 1), k + 1
    if k == 0:
        print("not found (copy the characters exactly: hamzas, ى/ي, ة/ه, spaces, digits)")
        return 1
    return 0


def check_file(path: str | Path, batch: str | None = None) -> tuple[list[dict], dict[str, list[str]]]:
    """Check every draft line of ``path``; return the stand-off lines and the problems by id."""
    corpus = Corpus()
    lines, problems, seen = [], {}, Counter()
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                draft = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems[f"line {lineno}"] = [f"line {lineno}: [format] not JSON ({exc})"]
                continue
            aid = draft.get("id") if isinstance(draft, dict) else None
            if not isinstance(aid, str):
                problems[f"line {lineno}"] = [f"line {lineno}: [format] no article id"]
                continue
            seen[aid] += 1
            try:
                text = corpus.text(aid)
            except CorpusError as exc:
                problems[aid] = [f"{aid}: [format] {exc}"]
                continue
            line, errs = check_draft(draft, text)
            if errs:
                problems[aid] = errs
            else:
                lines.append(line)
    for aid, n in seen.items():
        if n > 1:
            problems.setdefault(aid, []).append(f"{aid}: [duplicate] appears {n} times")
    if batch is not None:
        expected = batch_ids(batch)
        for aid in expected:
            if aid not in seen:
                problems.setdefault(aid, []).append(f"{aid}: [missing] not in the draft")
        for aid in seen:
            if aid not in expected:
                problems.setdefault(aid, []).append(f"{aid}: [not-in-batch] not an article of {batch}")
        lines = [line for line in lines if line["id"] in expected]
    return lines, problems


def check(args: argparse.Namespace) -> int:
    lines, problems = check_file(args.draft, args.batch)
    for errs in problems.values():
        for e in errs:
            print("REJECTED", e)
    codes = Counter(problem_code(e) for errs in problems.values() for e in errs)
    with open(str(args.draft) + ".checklog", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"time": time.time(), "accepted": len(lines), "rejected": len(problems),
                             "codes": codes}) + "\n")
    n_quotes = sum(len(line["quotes"]) for line in lines)
    print(f"{len(lines)} articles accepted ({n_quotes} quotes), {len(problems)} rejected")
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("show", help="write a batch's article texts to DIR/articles.txt")
    p.add_argument("batch")
    p.add_argument("--out", required=True)
    p.set_defaults(func=show)
    p = sub.add_parser("calibration", help="write the worked examples to DIR/examples.txt")
    p.add_argument("--out", required=True)
    p.set_defaults(func=calibration)
    p = sub.add_parser("find", help="every occurrence of a string in an article")
    p.add_argument("id")
    p.add_argument("string")
    p.set_defaults(func=find)
    p = sub.add_parser("check", help="check a draft with the builder's rules")
    p.add_argument("draft")
    p.add_argument("--batch")
    p.set_defaults(func=check)
    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
