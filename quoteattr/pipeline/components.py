"""The rule layer as spaCy components over ``spacy.blank("ar")``.

Four small components run in order; each reads what the previous one left on the ``Doc``:

=========================  =============================================  =====================
factory                    does                                           sets
=========================  =============================================  =====================
``quoteattr_quote_marks``  normalises for matching, pairs quotation marks ``doc._.marked_spans``
``quoteattr_speech_cues``  looks words up in the speech-cue lexicon       ``doc._.speech_cues``
``quoteattr_quote_spans``  content spans (direct/indirect/mixed), subjects ``doc.spans["quotes"]``
``quoteattr_speakers``     resolves pro-drop speakers, builds the quotes   ``doc._.quotes``
``quoteattr_entities``     named entities (:mod:`quoteattr.entities`)     ``doc._.entities``
``quoteattr_stance``       stance toward ``doc._.subjects`` per quote      ``Quote.stances``
=========================  =============================================  =====================

``doc._.subjects`` (a tuple of strings, or None) is what the stance component gives stances
toward; :func:`quoteattr.attribute_quotes` sets it from its ``subjects`` argument::

    doc = nlp.make_doc(text)
    doc._.subjects = ("حماس",)
    doc = nlp(doc)

Offsets in every extension are character offsets into ``doc.text``, which for this
pipeline is exactly the caller's string. The working state between components lives in
``doc.user_data`` under private keys and is removed by the last component.
"""

from __future__ import annotations


from spacy.language import Language
from spacy.tokens import Doc

from ..rules.attribution import (
    TextView,
    find_cues,
    find_quotes,
    resolve_speakers,
    to_public,
)
from ..api import _check_subjects
from ..entities import find_entities
from ..entities.component import make_entities  # noqa: F401  (registers quoteattr_entities)
from ..stance.rules import assign_stances
from . import serialize  # noqa: F401  (doc._.quotes and friends survive Doc.to_bytes)
from ..spans import token_spans
from ..types import Cue

_VIEW = "quoteattr.view"
_CUES = "quoteattr.cues"
_RAW = "quoteattr.raw"


def register_extensions() -> None:
    """Register the ``Doc`` extensions quoteattr sets (idempotent)."""
    for name in ("quotes", "speech_cues", "marked_spans", "subjects"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def _view(doc: Doc) -> TextView:
    view = doc.user_data.get(_VIEW)
    if view is None:  # a component run on its own, without quote_marks before it
        view = doc.user_data[_VIEW] = TextView(doc.text)
    return view


class QuoteMarks:
    """Pairs quotation marks (« » “ ” " ' ‹ ›, flipped, nested, multi-paragraph)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        view = doc.user_data[_VIEW] = TextView(doc.text)
        doc._.marked_spans = [view.original(m.start, m.end) for m in view.marks]
        return doc


class SpeechCues:
    """Finds speech cues: every generated form of the lexicon's lemmas, and attributive phrases."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        view = _view(doc)
        hits = doc.user_data[_CUES] = find_cues(view)
        text = view.text  # Doc.text re-joins every token: never call it in a loop
        cues = []
        for h in hits:
            s, e = view.original(h.start, h.end)
            cues.append(Cue(text[s:e], s, e, h.form.entry.lemma, h.form.entry.category))
        doc._.speech_cues = cues
        return doc


class QuoteSpans:
    """Finds the content of each cue and its subject noun phrase; adds ``doc.spans["quotes"]``."""

    def __init__(self, nlp: Language, name: str, spans_key: str = "quotes") -> None:
        self.name = name
        self.spans_key = spans_key
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        view = _view(doc)
        cues = doc.user_data.get(_CUES)
        if cues is None:
            cues = find_cues(view)
        raw, candidates = find_quotes(view, cues)
        doc.user_data[_RAW] = (raw, candidates)
        doc.spans[self.spans_key] = token_spans(doc, ((*view.original(q.start, q.end), q.kind) for q in raw))
        return doc


class SpeakerResolver:
    """Resolves implicit speakers by agreement and names each speaker; sets ``doc._.quotes``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        view = _view(doc)
        raw, candidates = doc.user_data.get(_RAW) or find_quotes(view, find_cues(view))
        resolve_speakers(view, raw, candidates)
        doc._.quotes = to_public(view, raw, candidates)
        keep_view = "quoteattr_stance" in _later_factories(self.nlp, self.name)
        for key in (_CUES, _RAW) if keep_view else (_VIEW, _CUES, _RAW):
            doc.user_data.pop(key, None)
        return doc


def _later_factories(nlp: Language, name: str) -> list[str]:
    """Factory names of the components after ``name`` (to know who still needs the view)."""
    names = nlp.pipe_names
    if name not in names:
        return []
    return [nlp.get_pipe_meta(n).factory for n in names[names.index(name) + 1 :]]


class StanceAnnotator:
    """Gives each quote one :class:`~quoteattr.types.Stance` per subject in ``doc._.subjects``.

    The rule stance layer of :mod:`quoteattr.stance.rules`: cue polarity, evaluative words by
    their role, negation and shifters, subject mentions with clitics, nisba and references.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        view = doc.user_data.pop(_VIEW, None)
        quotes = doc._.quotes
        if not quotes:
            return doc
        view = view or TextView(doc.text)
        subjects = _check_subjects(doc._.subjects)  # the same rules as attribute_quotes(subjects=)
        if subjects is not None:
            doc._.quotes = assign_stances(view, quotes, tuple(subjects))
            return doc
        # No subjects: the named entities each quote mentions (from quoteattr_entities when it
        # ran before this component) and the objects of evaluative cues.
        entities = doc._.entities if Doc.has_extension("entities") else None
        if entities is None:
            entities = find_entities(view.text)
        doc._.quotes = assign_stances(view, quotes, None, entities=entities)
        return doc


@Language.factory("quoteattr_quote_marks")
def make_quote_marks(nlp: Language, name: str) -> QuoteMarks:
    return QuoteMarks(nlp, name)


@Language.factory("quoteattr_speech_cues")
def make_speech_cues(nlp: Language, name: str) -> SpeechCues:
    return SpeechCues(nlp, name)


@Language.factory("quoteattr_quote_spans", default_config={"spans_key": "quotes"})
def make_quote_spans(nlp: Language, name: str, spans_key: str) -> QuoteSpans:
    return QuoteSpans(nlp, name, spans_key)


@Language.factory("quoteattr_speakers")
def make_speakers(nlp: Language, name: str) -> SpeakerResolver:
    return SpeakerResolver(nlp, name)


@Language.factory("quoteattr_stance")
def make_stance(nlp: Language, name: str) -> StanceAnnotator:
    return StanceAnnotator(nlp, name)


RULE_COMPONENTS = (
    "quoteattr_quote_marks",
    "quoteattr_speech_cues",
    "quoteattr_quote_spans",
    "quoteattr_speakers",
    "quoteattr_entities",
    "quoteattr_stance",
)


def build_rules_pipeline(max_length: int) -> Language:
    """``spacy.blank("ar")`` plus the rule components."""
    import spacy

    nlp = spacy.blank("ar")
    nlp.max_length = max_length
    for factory in RULE_COMPONENTS:
        nlp.add_pipe(factory)
    return nlp
