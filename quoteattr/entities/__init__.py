"""Named entities in Arabic news text: people, organisations, places and peoples.

``find_entities(text)`` returns :class:`Entity` objects (PER, ORG, GPE, LOC, NORP) with
offsets into the caller's string. It is rule-based and fast (one dictionary lookup per word):

- **gazetteers** (``data/*.tsv``, data not code): places with their nisba adjectives
  (``places.tsv``), well-known organisations, groups and clubs (``organisations.tsv``), head
  nouns that open organisation and place names (``org_heads.tsv``), person titles
  (``titles.tsv``), stop words (``stopwords.tsv``) and sport words (``contexts.tsv``) are
  hand-written; given and family names (``names.tsv``) and common words
  (``common_words.tsv``) are mined from SaudiNewsNet by ``python -m quoteattr.entities.mine``
  (CC BY-NC-SA 4.0, like the corpus; the gold test articles are excluded);
- **patterns**: title + name (``وزير الصحة خالد العمري``), head noun + complement
  (``حركة حماس``, ``الحكومة الفلسطينية``), bare full names opening with a known given name,
  and the surname of a person found once, found again on its own.

Matching ignores diacritics, tatweel and hamza/ى/ة spelling, and strips clitics
(``وحماس``, ``بالسعودية``, ``للأمم المتحدة``); the span never includes the clitic. A nisba
adjective after a noun (``الجيش الأمريكي``) is a NORP entity with ``canonical`` set to its
country, nested inside the organisation or title it belongs to.

As a spaCy component: ``nlp.add_pipe("quoteattr_entities")`` sets ``doc.spans["entities"]``
and ``doc._.entities`` (see :mod:`quoteattr.entities.component`).
"""

from __future__ import annotations

from ..errors import InputTypeError
from .entity import LABELS, Entity
from .finder import find_matches
from .gazetteer import Gazetteer, build_gazetteer, load_gazetteer

__all__ = ["Entity", "LABELS", "find_entities", "load_gazetteer", "build_gazetteer", "Gazetteer"]


def find_entities(text: str, gazetteer: Gazetteer | None = None) -> list[Entity]:
    """The named entities of ``text``, ordered by start (a longer one first at a tie).

    ``text[e.start:e.end] == e.text`` for every entity. ``gazetteer`` defaults to the
    installed data files.

    >>> [(e.text, e.label, e.canonical) for e in find_entities("ورحبت حماس بالقرار")]
    [('حماس', 'ORG', 'حماس')]
    """
    if not isinstance(text, str):
        raise InputTypeError(f"text must be a str, not {type(text).__name__}")
    finder, matches = find_matches(text, gazetteer or load_gazetteer())
    out = []
    seen = set()
    for m in matches:
        start, end = finder.span(m.first, m.last, m.skip, m.end)
        if (start, end, m.label) in seen:
            continue
        seen.add((start, end, m.label))
        head = None
        if m.head is not None:
            hs, he = finder.span(m.head[0], m.head[1], m.skip)
            head = text[hs:he]
        canonical = m.canonical
        if canonical is None and m.label == "PER":
            canonical = finder.name_text(m)
        out.append(Entity(text[start:end], start, end, m.label, head, canonical, m.nested))
    out.sort(key=lambda e: (e.start, -e.end))
    return out


