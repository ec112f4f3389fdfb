"""Print corpus articles for annotation: ``python benchmarks/gold/show.py ID [ID ...]``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from quoteattr.evaluation.corpus import Corpus  # noqa: E402

corpus = Corpus()
for aid in sys.argv[1:]:
    art = corpus.article(aid)
    print(f"=== {aid}  source={art.get('source')}  chars={len(art['content'])}")
    print(f"(title, not annotated: {art.get('title')})")
    print(art["content"])
    print()
