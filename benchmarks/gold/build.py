"""Build stand-off gold files from annotation drafts.

    python benchmarks/gold/build.py OUT.jsonl DRAFT.jsonl [DRAFT.jsonl ...]
    python benchmarks/gold/build.py --split OUTDIR DRAFT.jsonl ...   # train.jsonl + test.jsonl

Every draft field is checked against the article (content found, cue/speaker/aliases/targets
are substrings, labels valid); any failure stops with the offending id and quote.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from quoteattr.errors import CorpusError  # noqa: E402
from quoteattr.evaluation.corpus import Corpus  # noqa: E402
from quoteattr.evaluation.gold import draft_to_standoff, read_jsonl, write_jsonl  # noqa: E402


def split_of(rows: list[dict], corpus: Corpus) -> dict[str, str]:
    """Half of each newspaper's articles go to test, chosen by a hash of the id."""
    by_source = defaultdict(list)
    for row in rows:
        by_source[corpus.article(row["id"]).get("source")].append(row["id"])
    split = {}
    for ids in by_source.values():
        ids.sort(key=lambda i: hashlib.md5(i.encode()).hexdigest())
        for k, aid in enumerate(ids):
            split[aid] = "test" if k % 2 == 0 else "train"
    return split


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("drafts", nargs="+")
    ap.add_argument("--split", action="store_true", help="OUT is a folder; write train/test")
    args = ap.parse_args()
    corpus = Corpus()
    rows, seen, errors = [], set(), []
    for path in args.drafts:
        for draft in read_jsonl(path):
            if draft["id"] in seen:
                errors.append(f"{path}: {draft['id']} appears twice")
                continue
            seen.add(draft["id"])
            try:
                rows.append(draft_to_standoff(draft, corpus.text(draft["id"])))
            except (CorpusError, KeyError) as exc:
                errors.append(f"{path}: {exc}")
    for e in errors:
        print("ERROR", e, file=sys.stderr)
    if errors:
        return 1
    rows.sort(key=lambda r: (r["id"].split("#")[0], int(r["id"].split("#")[1])))
    if args.split:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        split = split_of(rows, corpus)
        for name in ("train", "test"):
            part = [r for r in rows if split[r["id"]] == name]
            write_jsonl(out / f"{name}.jsonl", part)
            print(f"{name}: {len(part)} articles, {sum(len(r['quotes']) for r in part)} quotes")
    else:
        write_jsonl(args.out, rows)
        print(f"{len(rows)} articles, {sum(len(r['quotes']) for r in rows)} quotes -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
