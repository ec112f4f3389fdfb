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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

CONFIG = Path(__file__).with_name("configs") / "default.cfg"
GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)  # 1.01: never override the rules
# --stance-override: the values of the stance classifier's ``rule_neutral_only`` to choose from.
STANCE_OVERRIDE = {"rules-neutral": (True,), "any": (False,), "choose": (True, False)}
log = logging.getLogger("quoteattr.train")


def build_data(out: Path, *, corpus_dir: str | None, silver: int, dev_share: float, seed: int,
               gold_repeat: int = 8, gold_path: Path | None = None) -> dict[str, int]:
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
    train = gold_train * gold_repeat + silver_list
    rng.shuffle(train)
    counts = {
        "gold_train_docs": len(gold_train),
        "silver_docs": len(silver_list),
        "silver_masked_docs": sum(1 for d in silver_list if d.user_data.get("quoteattr.hide_rules")),
        "gold_repeat": gold_repeat,
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


def tune_thresholds(nlp: Language, examples: list[Example], grid: Sequence[float] = GRID,
                    stance_modes: Sequence[bool] = (True, False)) -> dict[str, Any]:
    """Choose the speaker linker's, then the stance classifier's threshold on ``examples``
    (and, among ``stance_modes``, whether the classifier may override only the rules' neutral
    labels (``True``), or any (``False``)).

    Ties go to the more conservative setting: the higher threshold, then neutral-only."""
    names = ("speaker_linker", "stance_classifier")
    with nlp.select_pipes(disable=list(names)):
        docs = [nlp(eg.predicted.copy()) for eg in examples]
    report: dict[str, Any] = {}
    for name in names:
        comp: Any = nlp.get_pipe(name)  # a trained quoteattr component: predict, cfg, ...
        scores = comp.predict(docs)
        modes = tuple(stance_modes) if "rule_neutral_only" in comp.cfg else (None,)
        table = {}
        for mode in modes:
            for t in grid:
                comp.cfg["threshold"] = t
                if mode is not None:
                    comp.cfg["rule_neutral_only"] = mode
                trial = [d.copy() for d in docs]
                comp.set_annotations(trial, scores)
                table[(mode, t)] = _score(comp, examples, trial)
        best = max(table.values())
        mode, chosen = max((k for k, v in table.items() if v >= best - 1e-9), key=lambda k: (k[1], k[0] is not False))
        comp.cfg["threshold"] = chosen
        if mode is not None:
            comp.cfg["rule_neutral_only"] = mode
        comp.set_annotations(docs, scores)  # the next component sees this one's choices
        dev_scores = {(str(t) if m is None else f"{'neutral-only' if m else 'any'} {t}"): round(v, 4)
                  for (m, t), v in table.items()}
        report[name] = {"threshold": chosen, "dev_scores": dev_scores}
        if mode is not None:
            report[name]["rule_neutral_only"] = mode
    return report


def _without_corpus_strings(nlp: Language) -> Language:
    """The same pipeline on a fresh vocabulary: training filled the string store with every
    word of the training texts (megabytes of corpus words), which a pipeline does not need."""
    import spacy

    config = nlp.config.copy()
    for name, proc in nlp.pipeline:  # the chosen thresholds go into the saved config too
        cfg = getattr(proc, "cfg", None)
        if not isinstance(cfg, dict):  # the rule components' RuleConfig holds no thresholds
            continue
        for key in ("threshold", "rule_neutral_only"):
            if key in cfg:
                config["components"][name][key] = cfg[key]
    fresh = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    for name, proc in nlp.pipeline:
        if hasattr(proc, "to_bytes"):
            target: Any = fresh.get_pipe(name)
            target.from_bytes(proc.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    fresh.meta.update({k: v for k, v in nlp.meta.items() if k in ("performance", "name", "version")})
    return fresh


def _hf_models(nlp: Language) -> Iterator[Any]:
    """The Hugging Face model of each spacy-transformers component of ``nlp``."""
    for _, proc in nlp.pipeline:
        hf = getattr(getattr(proc, "model", None), "transformer", None)
        if type(proc).__name__ == "Transformer" and hf is not None:
            yield hf


def restore_layer_norm_eps(nlp: Language, encoder: str) -> None:
    """Give the encoder back the layer-norm epsilon it was trained with.

    spacy-transformers rebuilds a saved encoder's configuration through ``srsly.write_json``,
    which keeps nine decimals: an epsilon of 1e-12 comes back as 0.0, in the configuration and
    in every LayerNorm of the rebuilt model (and ``quoteattr.save`` would then write 0.0 into
    the shipped ``config.json``). The value is read again from the encoder's own
    ``config.json`` (a folder), or BERT's default."""
    path = Path(encoder) / "config.json"
    eps = json.loads(path.read_text(encoding="utf-8")).get("layer_norm_eps", 1e-12) if path.is_file() else 1e-12
    import torch

    for hf in _hf_models(nlp):
        if hasattr(hf.config, "layer_norm_eps"):
            hf.config.layer_norm_eps = eps
        for module in hf.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.eps = eps


def attach_mlm_head(nlp: Language, encoder: str) -> bool:
    """Keep the pretrained encoder's masked-language-model head in the saved pipeline.

    spacy-transformers loads the base model only, so the head (a few hundred kB) would be lost;
    with it, anyone can measure what the shipped encoder knows with ``AutoModelForMaskedLM``.
    The ``cls.`` tensors of ``encoder/model.safetensors`` ride on the Hugging Face model as
    ``quoteattr_mlm_head``, and :func:`quoteattr.save` writes them beside the base weights.
    Returns whether there was a head to keep (a folder whose weights have one, of the same
    vocabulary and width)."""
    path = Path(encoder) / "model.safetensors"
    if not path.is_file():
        return False
    from safetensors.torch import load_file

    head = {k: v for k, v in load_file(str(path)).items() if k.startswith("cls.predictions.")}
    bias, dense = head.get("cls.predictions.bias"), head.get("cls.predictions.transform.dense.weight")
    if bias is None or dense is None:
        return False
    kept = False
    for hf in _hf_models(nlp):
        if bias.shape[0] != hf.config.vocab_size or dense.shape[0] != hf.config.hidden_size:
            continue
        hf.quoteattr_mlm_head = head
        kept = True
    return kept


def save_trained(nlp: Language, encoder: str, folder: Path) -> tuple[str, bool]:
    """Save a trained pipeline with :func:`quoteattr.save`, as shipped: on a fresh vocabulary,
    with the encoder's layer-norm epsilon and, where the encoder folder has one, its
    masked-language-model head (both are lost when the pipeline is rebuilt). Returns the
    manifest's SHA-256 and whether a head was kept."""
    from ..safeload import save

    fresh = _without_corpus_strings(nlp)
    restore_layer_norm_eps(fresh, encoder)
    kept = attach_mlm_head(fresh, encoder)
    return save(fresh, folder, overwrite=True), kept


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="quoteattr train",
        description="Train the transformer layer: training data, spacy train with the package's "
                    "config, thresholds chosen on held-out data, and a safely saved pipeline.",
        epilog="Steps: (1) data: the gold train split and silver corpus documents, written to "
               "OUT/data (the test split is never read); (2) spacy train, output in OUT/spacy; "
               "(3) thresholds chosen on the development part; (4) the pipeline saved with "
               "quoteattr.save into OUT/pipeline.")
    ap.add_argument("out", help="output folder (data/, spacy/, pipeline/, train_report.json)")
    ap.add_argument("--encoder", required=True, help="Hugging Face encoder name or folder")
    ap.add_argument("--config", default=str(CONFIG), help="spacy train config (default: the package's)")
    ap.add_argument("--corpus-dir", help="the SaudiNewsNet folder (default: ../shared/corpora/saudinewsnet "
                    "or $QUOTEATTR_CORPUS_DIR)")
    ap.add_argument("--silver", type=int, default=2000, help="silver documents from the corpus")
    ap.add_argument("--dev-share", type=float, default=0.25,
                    help="share of the gold train split kept for choosing thresholds (default: 0.25)")
    ap.add_argument("--gold-repeat", type=int, default=8, help="copies of each gold document in the training file")
    ap.add_argument("--max-steps", type=int, help="stop spacy train after this many steps")
    ap.add_argument("--width", type=int, help="the encoder's hidden size when it is not 256")
    ap.add_argument("--freeze-encoder", action="store_true",
                    help="train the two components on the encoder's vectors without updating the encoder")
    ap.add_argument("--stance-override", choices=tuple(STANCE_OVERRIDE), default="rules-neutral",
                    help="where the stance classifier may replace the rules' label: only where they say neutral "
                         "(default: it never contradicts their lexical evidence), any label, or choose on the "
                         "development part")
    ap.add_argument("--seed", type=int, default=13, help="random seed (default: 13)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--gpu-id", type=int, default=-1, help="GPU to train on (-1: the CPU)")
    ap.add_argument("--skip-data", action="store_true", help="reuse OUT/data")
    ap.add_argument("--data-only", action="store_true", help="stop after writing OUT/data")
    ap.add_argument("--skip-train", action="store_true", help="reuse OUT/spacy: only choose thresholds and save")
    ap.add_argument("--use", choices=("best", "last"), default="last",
                    help="which spacy train output to finish: model-last (default) or model-best (best dev score "
                         "at the config's thresholds, which can be the untrained step 0: its heads override nothing)")
    args = ap.parse_args(argv)

    import spacy
    from spacy.cli.train import train as spacy_train

    from .. import neural  # noqa: F401  (registers the factories, architecture and reader)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    out = Path(args.out)
    previous = out / "train_report.json"
    report: dict[str, Any] = json.loads(previous.read_text(encoding="utf-8")) if previous.is_file() else {}
    report.update({"encoder": args.encoder, "config": args.config, "seed": args.seed})
    t0 = time.perf_counter()
    if not args.skip_data:
        report["data"] = build_data(out / "data", corpus_dir=args.corpus_dir, silver=args.silver,
                                    dev_share=args.dev_share, seed=args.seed, gold_repeat=args.gold_repeat)
        log.info("data: %s", report["data"])
        report["data_s"] = round(time.perf_counter() - t0)
    if args.data_only:
        previous.parent.mkdir(parents=True, exist_ok=True)
        previous.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
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
    if args.freeze_encoder:
        for comp in ("speaker_linker", "stance_classifier"):
            overrides[f"components.{comp}.model.tok2vec.grad_factor"] = 0.0
    if not args.skip_train:
        t1 = time.perf_counter()
        spacy_train(args.config, out / "spacy", overrides=overrides, use_gpu=args.gpu_id)
        report["train_s"] = round(time.perf_counter() - t1)

    report["model"] = f"model-{args.use}"
    nlp = spacy.load(out / "spacy" / f"model-{args.use}")
    restore_layer_norm_eps(nlp, args.encoder)
    report["thresholds"] = tune_thresholds(nlp, _examples(nlp, out / "data" / "dev.spacy"),
                                           stance_modes=STANCE_OVERRIDE[args.stance_override])
    log.info("thresholds: %s", report["thresholds"])
    report["sha256"], report["mlm_head_kept"] = save_trained(nlp, args.encoder, out / "pipeline")
    report["total_s"] = round(time.perf_counter() - t0)
    (out / "train_report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("pipeline written to %s (%d s in all)", out / "pipeline", report["total_s"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
