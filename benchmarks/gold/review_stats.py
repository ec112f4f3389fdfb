"""How much the second (review) pass changed: compare two stand-off gold files.

    python benchmarks/gold/review_stats.py review/pass1.jsonl all.jsonl

Quotes are paired one-to-one by overlap (the scorer's rule); a pair with different offsets
counts as a span change, and speaker, kind and stance changes are counted separately.
"""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from quoteattr.evaluation.gold import read_jsonl  # noqa: E402
from quoteattr.evaluation.scorer import match_overlap  # noqa: E402

before = {r["id"]: r["quotes"] for r in read_jsonl(sys.argv[1])}
after = {r["id"]: r["quotes"] for r in read_jsonl(sys.argv[2])}
c = Counter()
for doc_id, new in after.items():
    old = before.get(doc_id, [])
    m = match_overlap([(q["start"], q["end"]) for q in old], [(q["start"], q["end"]) for q in new])
    c["removed"] += len(old) - len(m)
    c["added"] += len(new) - len(m)
    for i, j in m.items():
        a, b = old[i], new[j]
        changed = False
        for field, key in (("span", ("start", "end")), ("speaker", ("speaker",)), ("kind", ("kind",)),
                           ("cue", ("cue",)), ("stance", ("stance",)), ("aliases", ("speaker_aliases",))):
            if any(a.get(k) != b.get(k) for k in key):
                c[f"changed {field}"] += 1
                changed = True
        c["quotes changed"] += changed
c["before"] = sum(map(len, before.values()))
c["after"] = sum(map(len, after.values()))
for k in ("before", "after", "added", "removed", "quotes changed", "changed span", "changed kind",
          "changed cue", "changed speaker", "changed aliases", "changed stance"):
    print(f"{k:16} {c[k]}")
touched = c["added"] + c["removed"] + c["quotes changed"]
print(f"annotations touched by the review: {touched} of {c['before']} ({touched / c['before']:.1%})")
