"""Evaluation: the corpus reader, stand-off gold sets, and the scorer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .corpus import Corpus
from .gold import load_gold
from .scorer import evaluate_predictions, format_summary, run_evaluation

__all__ = ["Corpus", "load_gold", "evaluate", "evaluate_predictions", "run_evaluation", "format_summary"]


def evaluate(
    gold_path: str | Path,
    *,
    pipeline: str = "default",
    corpus_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Score ``pipeline`` on a stand-off gold file joined with the corpus; return the report.

    The report holds overlap/exact P/R/F1, speaker accuracy, stance macro-F1 with per-label
    F1 and confusion, recall by kind, chars/s and a per-document error list.
    """
    import os

    from ..api import attribute_quotes
    from ..errors import InputTypeError

    if not isinstance(gold_path, (str, os.PathLike)):
        raise InputTypeError(f"gold_path must be a path (str or Path), not {type(gold_path).__name__}")
    docs = load_gold(gold_path, Corpus(corpus_dir))
    report = run_evaluation(
        docs, lambda text, subjects: attribute_quotes(text, subjects or None, pipeline=pipeline)
    )
    report["pipeline"] = str(pipeline)
    report["gold"] = str(gold_path)
    return report
