"""``quoteattr train``: data, ``spacy train``, thresholds, and a safely saved pipeline.

Steps, each logged with its wall time:

1. **data** (:mod:`quoteattr.training.data`): the gold ``train`` split, cut into a training
   part and a development part (``--dev-share``), plus silver documents from the corpus;
   written to ``OUT/data/{train,dev}.spacy``. The ``test`` split is never read.
2. **spacy train** with the package's config (``configs/default.cfg`` or ``--config``), the
   encoder given by ``--encoder`` (a Hugging Face name or folder), output in ``OUT/spacy``.
3. **thresholds**: each component's override threshold is chosen on the development part,
   from a fixed grid, the highest threshold among the best scores (overriding the rules less
   when it gains nothing).
4. **save** with :func:`quoteattr.save` into ``OUT/pipeline``: the encoder's weights as
   safetensors, every other file msgpack/JSON, and a manifest.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path
from typing import Any, Sequence

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

CONFIG = Path(__file__).with_name("configs") / "default.cfg"
GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)  # 1.01: never override the rules
log = logging.getLogger("quoteattr.train")


def build_data(out: Path, *, corpus_dir: str | None, silver: int, dev_share: float, seed: int,
               gold_path: Path | None = None) -> dict[str, int]:
    from .. import load
    from ..evaluation.corpus import Corpus
    from ..evaluation.gold import load_gold
    from .data import GOLD_DIR, gold_docs, silver_docs, write_docbin

    nlp = load("rules")
    corpus = Corpus(corpus_dir)
    rows = load_gold(gold_path or GOLD_DIR / "train.jsonl", corpus)
    rng = random.Random(seed)
    rng.shuffle(rows)
    n_dev = max(1, round(len(rows) * dev_share))
    dev_rows, train_rows = rows[:n_dev], rows[n_dev:]
    gold_train = list(gold_docs(nlp, train_rows))
    days = corpus.days()
    random.Random(seed).shuffle(days)
    articles = (a for day in days for a in corpus.iter_articles([day]))
    silver_list = list(silver_docs(nlp, articles, limit=silver, seed=seed))
    train = gold_train + silver_list
    rng.shuffle(train)
    counts = {
        "gold_train_docs": len(gold_train),
        "silver_docs": len(silver_list),
        "silver_masked_docs": sum(1 for d in silver_list if d.user_data.get("quoteattr.hide_rules")),
        "dev_docs": len(dev_rows),
    }
    counts["train_docs"] = write_docbin(train, out / "train.spacy")
    write_docbin(gold_docs(nlp, dev_rows), out / "dev.spacy")
    return counts


def _examples(nlp: Language, path: Path) -> list[Example]:
    from ..neural.reader import create_reader

    return list(create_reader(path)(nlp))


def _score(component: Any, examples: list[Example], docs: list[Doc]) -> float:
    egs = [Example(d, eg.reference) for d, eg in zip(docs, examples)]
    return next(iter(component.score(egs).values()))


def tune_thresholds(nlp: Language, examples: list[Example], grid: Sequence[float] = GRID) -> dict[str, Any]:
    """Choose the speaker linker's, then the stance classifier's threshold on ``examples``."""
    names = ("speaker_linker", "stance_classifier")
    with nlp.select_pipes(disable=list(names)):
        docs = [nlp(eg.predicted.copy()) for eg in examples]
    report: dict[str, Any] = {}
    for name in names:
        comp = nlp.get_pipe(name)
        scores = comp.predict(docs)
        table = {}
        for t in grid:
            comp.cfg["threshold"] = t
            trial = [d.copy() for d in docs]
            comp.set_annotations(trial, scores)
            table[t] = _score(comp, examples, trial)
        best = max(table.values())
        chosen = max(t for t, s in table.items() if s >= best - 1e-9)
        comp.cfg["threshold"] = chosen
        comp.set_annotations(docs, scores)  # the next component sees this one's choices
        report[name] = {"threshold": chosen, "dev_scores": {str(t): round(s, 4) for t, s in table.items()}}
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="quoteattr train", description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output folder (data/, spacy/, pipeline/, train_report.json)")
    ap.add_argument("--encoder", required=True, help="Hugging Face encoder name or folder")
    ap.add_argument("--config", default=str(CONFIG))
    ap.add_argument("--corpus-dir")
    ap.add_argument("--silver", type=int, default=2000, help="silver documents from the corpus")
    ap.add_argument("--dev-share", type=float, default=0.25)
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--width", type=int, help="the encoder's hidden size when it is not 256")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--gpu-id", type=int, default=-1)
    ap.add_argument("--skip-data", action="store_true", help="reuse OUT/data")
    ap.add_argument("--data-only", action="store_true", help="stop after writing OUT/data")
    args = ap.parse_args(argv)

    import spacy
    from spacy.cli.train import train as spacy_train

    from .. import neural  # noqa: F401  (registers the factories, architecture and reader)
    from ..safeload import save

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    out = Path(args.out)
    report: dict[str, Any] = {"encoder": args.encoder, "config": args.config, "seed": args.seed}
    t0 = time.perf_counter()
    if not args.skip_data:
        report["data"] = build_data(out / "data", corpus_dir=args.corpus_dir, silver=args.silver,
                                    dev_share=args.dev_share, seed=args.seed)
        log.info("data: %s", report["data"])
    report["data_s"] = round(time.perf_counter() - t0)
    if args.data_only:
        return 0
    overrides: dict[str, Any] = {
        "paths.train": str(out / "data" / "train.spacy"),
        "paths.dev": str(out / "data" / "dev.spacy"),
        "paths.encoder": args.encoder,
        "system.seed": args.seed,
    }
    if args.max_steps:
        overrides["training.max_steps"] = args.max_steps
    if args.width:
        for comp in ("speaker_linker", "stance_classifier"):
            overrides[f"components.{comp}.model.width"] = args.width
    t1 = time.perf_counter()
    spacy_train(args.config, out / "spacy", overrides=overrides, use_gpu=args.gpu_id)
    report["train_s"] = round(time.perf_counter() - t1)

    nlp = spacy.load(out / "spacy" / "model-last")
    report["thresholds"] = tune_thresholds(nlp, _examples(nlp, out / "data" / "dev.spacy"))
    log.info("thresholds: %s", report["thresholds"])
    report["sha256"] = save(nlp, out / "pipeline", overwrite=True)
    report["total_s"] = round(time.perf_counter() - t0)
    (out / "train_report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("pipeline written to %s (%d s in all)", out / "pipeline", report["total_s"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
