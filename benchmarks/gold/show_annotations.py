"""Print a draft's annotations of one article with their content, for review.

    python benchmarks/gold/show_annotations.py DRAFT.jsonl ID
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from quoteattr.evaluation.gold import read_jsonl  # noqa: E402

path, doc_id = sys.argv[1], sys.argv[2]
for row in read_jsonl(path):
    if row["id"] == doc_id:
        for i, q in enumerate(row["quotes"]):
            print(f"[{i}] {json.dumps(q, ensure_ascii=False)}")
        break
else:
    sys.exit(f"{doc_id} not in {path}")
