"""The entity layer as a spaCy component: ``nlp.add_pipe("quoteattr_entities")``.

It runs :func:`quoteattr.entities.find_entities` on ``doc.text`` and sets

- ``doc._.entities``: the :class:`~quoteattr.entities.Entity` objects, with character
  offsets into ``doc.text`` (exact, clitics excluded: ``حماس`` in ``وحماس``);
- ``doc.spans[spans_key]`` (default ``"entities"``): one span per entity, labelled PER, ORG,
  GPE, LOC or NORP, expanded to whole tokens (``spacy.blank("ar")`` keeps ``وحماس`` as one
  token, so that span is the token ``وحماس``). Nested entities are kept: a span group may
  overlap, unlike ``doc.ents``.

It reads nothing that other components set, so it can go anywhere in the pipeline.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..spans import doc_text, token_spans
from . import find_entities


def register_extensions() -> None:
    """Register ``doc._.entities`` (idempotent)."""
    if not Doc.has_extension("entities"):
        Doc.set_extension("entities", default=None)


class EntityRecognizer:
    """Finds named entities by rule and gazetteer; see :mod:`quoteattr.entities`."""

    def __init__(self, nlp: Language, name: str, spans_key: str = "entities") -> None:
        self.name = name
        self.spans_key = spans_key
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        entities = find_entities(doc_text(doc))
        doc._.entities = entities
        doc.spans[self.spans_key] = token_spans(doc, ((e.start, e.end, e.label) for e in entities))
        return doc


@Language.factory("quoteattr_entities", default_config={"spans_key": "entities"})
def make_entities(nlp: Language, name: str, spans_key: str) -> EntityRecognizer:
    """The ``quoteattr_entities`` factory."""
    return EntityRecognizer(nlp, name, spans_key)
