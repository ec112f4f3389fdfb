"""Fingerprints of the rule pipeline's output on corpus articles: change nothing unseen.

    python benchmarks/outputs.py --write tests/data/rules_outputs.tsv   # after an intended change
    python benchmarks/outputs.py --check tests/data/rules_outputs.tsv   # lists what differs

For a seeded sample of corpus articles (``--articles``, 2,000 by default) it runs
``attribute_quotes(text, pipeline="rules")`` twice, without subjects (stances toward the named
entities) and with a fixed subject list, and keeps a 16-hex digest of each JSON result: no
article text is written. A refactoring or a speed-up must leave every digest as it was; a
change of behaviour regenerates the file in the same commit, with the reason in the message.
``tests/test_regression.py`` runs the check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SUBJECTS = ("السعودية", "إيران", "حماس", "الهلال", "الحكومة", "داعش", "أمريكا", "مصر", "الوزارة")
SEED = 2026


def sample_ids(n: int, corpus) -> list[str]:
    ids = [a["id"] for a in corpus.iter_articles() if a["content"].strip()]
    return sorted(random.Random(SEED).sample(ids, min(n, len(ids))))


def digest(quotes) -> str:
    data = json.dumps([q.to_dict() for q in quotes], ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


def fingerprints(ids: list[str], corpus) -> dict[str, tuple[str, str]]:
    from quoteattr import attribute_quotes

    out = {}
    for aid in ids:
        text = corpus.text(aid)
        out[aid] = (digest(attribute_quotes(text, pipeline="rules")),
                    digest(attribute_quotes(text, list(SUBJECTS), pipeline="rules")))
    return out


def read(path: str | Path) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            aid, plain, subj = line.split("\t")
            rows[aid] = (plain, subj)
    return rows


def main() -> int:
    from quoteattr.evaluation.corpus import Corpus

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", metavar="TSV")
    group.add_argument("--check", metavar="TSV")
    args = ap.parse_args()
    corpus = Corpus()
    if args.write:
        got = fingerprints(sample_ids(args.articles, corpus), corpus)
        with open(args.write, "w", encoding="utf-8") as fh:
            fh.write("# id\tno subjects\tfixed subjects (benchmarks/outputs.py)\n")
            for aid, (a, b) in got.items():
                fh.write(f"{aid}\t{a}\t{b}\n")
        print(f"{len(got)} articles -> {args.write}")
        return 0
    want = read(args.check)
    got = fingerprints(sorted(want), corpus)
    diff = [aid for aid in want if want[aid] != got[aid]]
    for aid in diff:
        print("DIFFERS", aid, "no-subjects" if want[aid][0] != got[aid][0] else "", "subjects" if want[aid][1] != got[aid][1] else "")
    print(f"{len(want) - len(diff)} of {len(want)} articles give the same output")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
