"""Build a batch's stand-off annotation file from an annotator's draft, rejecting what fails.

    python benchmarks/corpus/build.py BATCH DRAFT.jsonl

Every article of the draft is checked (``quoteattr.evaluation.drafts``: exact substrings,
kinds, labels, no overlapping quotations, the cue in the content's sentence or the one before,
stance targets mentioned there). A rejected article is printed with its id and every reason
and is not written; the accepted ones go to

- ``annotations/BATCH.jsonl`` for a corpus batch (``b..``),
- ``agreement/BATCH.jsonl`` for a second, independent annotation (``a..``),
- ``process/BATCH.jsonl`` for the blind re-annotation of the test articles (``t..``),

as stand-off lines (offsets, fingerprints, short strings; no article text). ``build_log.jsonl``
keeps, per batch, the counts of accepted and rejected articles with the problem codes, both
at the annotator's first check (from ``DRAFT.checklog``) and now.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from annotate import batch_ids, check_file  # noqa: E402

from quoteattr.evaluation.drafts import problem_code  # noqa: E402
from quoteattr.evaluation.gold import write_jsonl  # noqa: E402

FOLDERS = {"b": "annotations", "c": "annotations", "a": "agreement", "t": "process"}


def first_check(draft: Path) -> dict | None:
    log = Path(str(draft) + ".checklog")
    if not log.is_file():
        return None
    first = json.loads(log.read_text(encoding="utf-8").splitlines()[0])
    return {"accepted": first["accepted"], "rejected": first["rejected"], "codes": first["codes"]}


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    batch, draft = sys.argv[1], Path(sys.argv[2])
    if batch[:1] not in FOLDERS:
        print(f"unknown batch {batch!r}", file=sys.stderr)
        return 2
    lines, problems = check_file(draft, batch)
    for errs in problems.values():
        for e in errs:
            print("REJECTED", e, file=sys.stderr)
    order = {aid: k for k, aid in enumerate(batch_ids(batch))}
    lines.sort(key=lambda line: order.get(line["id"], len(order)))
    out = HERE / FOLDERS[batch[0]] / f"{batch}.jsonl"
    out.parent.mkdir(exist_ok=True)
    write_jsonl(out, lines)
    codes = Counter(problem_code(e) for errs in problems.values() for e in errs)
    entry = {
        "batch": batch,
        "articles": len(order),
        "accepted": len(lines),
        "quotes": sum(len(line["quotes"]) for line in lines),
        "rejected": sorted(problems),
        "rejected_codes": dict(codes),
        "first_check": first_check(draft),
    }
    log = HERE / "build_log.jsonl"
    old = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.is_file() else []
    write_jsonl(log, sorted([e for e in old if e["batch"] != batch] + [entry], key=lambda e: e["batch"]))
    print(f"{batch}: {len(lines)} of {len(order)} articles accepted, {entry['quotes']} quotes -> {out}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
