"""The trained layer: a speaker linker and a stance classifier that listen to one shared
``spacy-transformers`` encoder (needs ``torch`` and ``spacy-transformers``).

Importing this package registers the factories ``quoteattr_speaker_linker`` and
``quoteattr_stance_classifier``, the architecture ``quoteattr.PairScorer.v1`` and the corpus
reader ``quoteattr.Examples.v1``.
"""

from .components import (
    GOLD,
    HIDE_RULES,
    SpeakerLinker,
    StanceClassifier,
    make_speaker_linker,
    make_stance_classifier,
)
from .model import PairBatch, build_pair_scorer
from .reader import create_reader

__all__ = [
    "GOLD",
    "HIDE_RULES",
    "PairBatch",
    "SpeakerLinker",
    "StanceClassifier",
    "build_pair_scorer",
    "create_reader",
    "make_speaker_linker",
    "make_stance_classifier",
]
