"""The rule layer as spaCy components over ``spacy.blank("ar")``.

Six small components run in order (:data:`RULE_COMPONENTS`); each reads what the previous
ones found:

=========================  =============================================  =====================
factory                    does                                           sets
=========================  =============================================  =====================
``quoteattr_quote_marks``  normalises for matching, pairs quotation marks ``doc._.marked_spans``
``quoteattr_speech_cues``  looks words up in the speech-cue lexicon       ``doc._.speech_cues``
``quoteattr_entities``     named entities (:mod:`quoteattr.entities`)     ``doc._.entities``
``quoteattr_quote_spans``  content spans (direct/indirect/mixed), subjects ``doc.spans["quotes"]``
``quoteattr_speakers``     resolves pro-drop speakers, builds the quotes   ``doc._.quotes``
``quoteattr_stance``       stance toward ``doc._.subjects`` per quote      ``Quote.stances``
=========================  =============================================  =====================

``doc._.subjects`` (a tuple of strings, or None) is what the stance component gives stances
toward; :func:`quoteattr.attribute_quotes` sets it from its ``subjects`` argument::

    doc = nlp.make_doc(text)
    doc._.subjects = ("حماس",)
    doc = nlp(doc)

Offsets in every extension are character offsets into ``doc.text``, which for this
pipeline is exactly the caller's string. Between components the working state (the
normalised view, cues, raw quotations) is one typed :class:`~.state.DocState` per ``Doc``;
a component whose input is missing raises :class:`~quoteattr.errors.PipelineError`. The
windows and confidences of the rules are the ``rules`` setting of ``quoteattr_quote_spans``
and ``quoteattr_speakers`` (:class:`~quoteattr.rules.config.RuleConfig`).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..checks import check_subjects
from ..entities.component import make_entities  # noqa: F401  (registers quoteattr_entities)
from ..errors import PipelineError
from ..rules.config import RuleConfig
from ..rules.content import find_quotes
from ..rules.cues import find_cues
from ..rules.naming import to_public
from ..rules.phrases import NO_NAMES, Names
from ..rules.speakers import resolve_speakers
from ..spans import token_spans
from ..stance.rules import assign_stances
from ..types import Cue
from . import (
    serialize,  # noqa: F401  (doc._.quotes and friends survive Doc.to_bytes)
    state,
)
from .state import ORDER as RULE_COMPONENTS
from .state import READERS

__all__ = ["RULE_COMPONENTS", "build_rules_pipeline", "register_extensions"]


def register_extensions() -> None:
    """Register the ``Doc`` extensions quoteattr sets (idempotent)."""
    for name in ("quotes", "speech_cues", "marked_spans", "subjects"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


@functools.lru_cache(maxsize=64)
def _last_reader(factories: tuple[str, ...]) -> int:
    """Index of the last component in ``factories`` that reads the state (-1: none)."""
    return max((i for i, f in enumerate(factories) if f in READERS), default=-1)


class _RuleComponent:
    """What the rule components share: their name, the pipeline, and when to let go of the
    state (after the last component of the pipeline that reads it)."""

    factory = ""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        register_extensions()

    def _done(self, doc: Doc) -> None:
        names = self.nlp.pipe_names
        factories = tuple(self.nlp.get_pipe_meta(n).factory for n in names)
        last = _last_reader(factories)
        if self.name not in names or last < 0 or names.index(self.name) >= last:
            state.release(doc)


class QuoteMarks(_RuleComponent):
    """Normalises the text for matching and pairs quotation marks (« » “ ” " ' ‹ ›, flipped,
    nested, multi-paragraph); starts the document's state."""

    factory = "quoteattr_quote_marks"

    def __call__(self, doc: Doc) -> Doc:
        view = state.start(doc).view
        doc._.marked_spans = [view.original(m.start, m.end) for m in view.marks]
        self._done(doc)
        return doc


class SpeechCues(_RuleComponent):
    """Finds speech cues: every generated form of the lexicon's lemmas, and attributive phrases."""

    factory = "quoteattr_speech_cues"

    def __call__(self, doc: Doc) -> Doc:
        st = state.get(doc, self.name, "view", "quoteattr_quote_marks")
        view = st.view
        st.cues = find_cues(view)
        text = view.text  # Doc.text re-joins every token: never call it in a loop
        cues = []
        for h in st.cues:
            s, e = view.original(h.start, h.end)
            cues.append(Cue(text[s:e], s, e, h.form.entry.lemma, h.form.entry.category))
        doc._.speech_cues = cues
        self._done(doc)
        return doc


class QuoteSpans(_RuleComponent):
    """Finds the content of each cue and its subject noun phrase; adds ``doc.spans[spans_key]``."""

    factory = "quoteattr_quote_spans"

    def __init__(self, nlp: Language, name: str, spans_key: str = "quotes", rules: dict | None = None) -> None:
        super().__init__(nlp, name)
        self.spans_key = spans_key
        self.cfg = RuleConfig.from_overrides(rules)

    def __call__(self, doc: Doc) -> Doc:
        st = state.get(doc, self.name, "cues", "quoteattr_speech_cues")
        entities = doc._.entities if Doc.has_extension("entities") else None
        if entities is None:
            raise PipelineError(f"{self.name} needs doc._.entities: add quoteattr_entities before it")
        view = st.view
        st.names = Names.build(view, entities)
        st.quotes, st.candidates = find_quotes(view, st.cues or [], self.cfg, st.names)
        doc.spans[self.spans_key] = token_spans(doc, ((*view.original(q.start, q.end), q.kind) for q in st.quotes))
        self._done(doc)
        return doc


class SpeakerResolver(_RuleComponent):
    """Resolves implicit speakers by agreement and names each speaker; sets ``doc._.quotes``."""

    factory = "quoteattr_speakers"

    def __init__(self, nlp: Language, name: str, rules: dict | None = None) -> None:
        super().__init__(nlp, name)
        self.cfg = RuleConfig.from_overrides(rules)

    def __call__(self, doc: Doc) -> Doc:
        st = state.get(doc, self.name, "quotes", "quoteattr_quote_spans")
        raw, candidates = st.quotes or [], st.candidates or []
        resolve_speakers(st.view, raw, candidates, self.cfg, st.names or NO_NAMES)
        doc._.quotes = quotes = to_public(st.view, raw, candidates, self.cfg, st.names or NO_NAMES)
        st.quotes = st.candidates = st.names = None  # resolved: the public quotes are the result now
        # Span groups for spaCy's tools (displaCy's span view among them): the cues and the
        # speaker mentions, and all three parts together in "attribution".
        doc.spans["cues"] = token_spans(doc, ((q.cue.start, q.cue.end, q.cue.category) for q in quotes if q.cue))
        doc.spans["speakers"] = token_spans(
            doc, ((q.speaker.start, q.speaker.end, "SPEAKER") for q in quotes if q.speaker))
        doc.spans["attribution"] = token_spans(doc, sorted(
            [(q.start, q.end, q.kind.upper()) for q in quotes]
            + [(q.cue.start, q.cue.end, "CUE") for q in quotes if q.cue]
            + [(q.speaker.start, q.speaker.end, "SPEAKER") for q in quotes if q.speaker]))
        self._done(doc)
        return doc


class StanceAnnotator(_RuleComponent):
    """Gives each quote one :class:`~quoteattr.types.Stance` per subject in ``doc._.subjects``.

    The rule stance layer of :mod:`quoteattr.stance.rules`: cue polarity, evaluative words by
    their role, negation and shifters, subject mentions with clitics, nisba and references.
    Without subjects, the stances are toward the named entities each quote mentions
    (``doc._.entities``, from ``quoteattr_entities`` before this component) and the objects of
    evaluative cues.
    """

    factory = "quoteattr_stance"

    def __call__(self, doc: Doc) -> Doc:
        st = state.get(doc, self.name, "view", "quoteattr_quote_marks")
        quotes = doc._.quotes
        if quotes is None:
            raise PipelineError(f"{self.name} needs doc._.quotes, set by quoteattr_speakers before it")
        subjects = check_subjects(doc._.subjects)  # the same rules as attribute_quotes(subjects=)
        if quotes and subjects is not None:
            doc._.quotes = assign_stances(st.view, quotes, tuple(subjects))
        elif quotes:
            entities = doc._.entities if Doc.has_extension("entities") else None
            if entities is None:
                raise PipelineError(
                    f"{self.name} gives stances toward the named entities when doc._.subjects is "
                    "None, and needs doc._.entities: add quoteattr_entities before it, or set subjects"
                )
            doc._.quotes = assign_stances(st.view, quotes, None, entities=entities)
        self._done(doc)
        return doc


@Language.factory("quoteattr_quote_marks", assigns=["doc._.marked_spans"])
def make_quote_marks(nlp: Language, name: str) -> QuoteMarks:
    return QuoteMarks(nlp, name)


@Language.factory("quoteattr_speech_cues", assigns=["doc._.speech_cues"], requires=["doc._.marked_spans"])
def make_speech_cues(nlp: Language, name: str) -> SpeechCues:
    return SpeechCues(nlp, name)


@Language.factory(
    "quoteattr_quote_spans",
    assigns=["doc.spans"],
    requires=["doc._.speech_cues", "doc._.entities"],
    default_config={"spans_key": "quotes", "rules": {}},
)
def make_quote_spans(nlp: Language, name: str, spans_key: str, rules: dict[str, Any]) -> QuoteSpans:
    return QuoteSpans(nlp, name, spans_key, rules)


@Language.factory(
    "quoteattr_speakers", assigns=["doc._.quotes", "doc.spans"], requires=["doc.spans"],
    default_config={"rules": {}},
)
def make_speakers(nlp: Language, name: str, rules: dict[str, Any]) -> SpeakerResolver:
    return SpeakerResolver(nlp, name, rules)


@Language.factory("quoteattr_stance", assigns=["doc._.quotes"], requires=["doc._.quotes", "doc._.entities"])
def make_stance(nlp: Language, name: str) -> StanceAnnotator:
    return StanceAnnotator(nlp, name)


_BUILD_LOCK = threading.Lock()


@contextlib.contextmanager
def _own_factories_only() -> Iterator[None]:
    """Every ``Language()`` imports the ``spacy_factories`` entry points of all installed
    packages: spacy-transformers, and with it transformers (about 1.5 s), which the rule
    pipeline never uses. Its factories are registered by importing this module, so it is built
    without them (the default pipeline, built by ``spacy.load``, still reads them all)."""
    from spacy import util

    entry_points = util.registry._entry_point_factories
    with _BUILD_LOCK:
        entry_points.get_all = dict  # an instance attribute shadows the method
        try:
            yield
        finally:
            del entry_points.get_all


def build_rules_pipeline(max_length: int) -> Language:
    """``spacy.blank("ar")`` plus the rule components, in :data:`RULE_COMPONENTS` order."""
    import spacy

    with _own_factories_only():
        nlp = spacy.blank("ar")
    nlp.max_length = max_length
    for factory in RULE_COMPONENTS:
        nlp.add_pipe(factory)
    return nlp
