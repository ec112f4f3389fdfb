"""The lexicons of quoteattr, loaded from the TSV files in ``data/``.

``load_cue_lexicon()`` returns the speech-cue lexicon: every surface form of every speech
verb (expanded by :mod:`quoteattr.lexicon.morphology`) and every attributive phrase, keyed
by normalised spelling. The files are data: edit them, not the code, to add a cue.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator

import attrs

from ..arabic import CONJUNCTIONS
from ..data import read_tsv_rows
from ..errors import LexiconError
from ..normalize import normalize
from .morphology import expand

CATEGORIES = frozenset(
    """assert add explain point-out emphasise declare mention continue opine express claim
    predict describe call demand appeal urge recommend propose vow promise threaten warn deny
    reject condemn criticise accuse oppose welcome praise appreciate thank support admit
    reveal report quote write ask answer comment conclude hint instruct wish reassure
    according-to""".split()
)


@attrs.frozen(slots=True)
class CueEntry:
    """A lexicon entry: one speech lemma and what it means."""

    lemma: str
    category: str = attrs.field(validator=attrs.validators.in_(CATEGORIES))
    polarity: int = attrs.field(validator=attrs.validators.in_((-1, 0, 1)))
    strict: bool = False
    gloss: str = ""
    attributive: bool = False  # "وفقا لـ X": the source follows, content is the clause


@attrs.frozen(slots=True)
class CueForm:
    """One surface form (normalised) of an entry, with the agreement it carries."""

    surface: str
    entry: CueEntry
    aspect: str
    gender: str | None
    number: str | None


@attrs.frozen(slots=True)
class CueLexicon:
    """Single-word forms and multi-word attributive phrases, both keyed by normalised text."""

    forms: dict[str, CueForm]
    phrases: dict[tuple[str, ...], CueForm]
    entries: dict[str, CueEntry]
    #: The first words of the phrases: only a form or one of these can start a cue.
    phrase_starts: frozenset[str] = attrs.field(
        init=False, default=attrs.Factory(lambda self: frozenset(k[0] for k in self.phrases), takes_self=True))

    def __len__(self) -> int:
        return len(self.entries)


def greedy_scan(n: int, match_at: Callable[[int], Any], candidates: Iterable[int] | None = None) -> list[Any]:
    """Longest-first left-to-right matching over ``n`` words: ``match_at(i)`` returns a hit
    (with ``.last``, its last word) or None; the scan resumes after each hit.

    ``candidates``, in increasing order, are the only words where a hit may start (the words
    whose text opens an entry): the others are not looked at."""
    hits = []
    resume = 0
    for i in range(n) if candidates is None else candidates:
        if i < resume:
            continue
        hit = match_at(i)
        if hit is not None:
            hits.append(hit)
            resume = hit.last + 1
    return hits


def _rows(name: str) -> Iterator[tuple[int, list[str]]]:
    return read_tsv_rows(__package__, name)


def _dash(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "-") else value


@functools.lru_cache(maxsize=None)
def load_cue_lexicon() -> CueLexicon:
    """Load and expand the speech-cue lexicon (cached: built once per process)."""
    forms: dict[str, CueForm] = {}
    entries: dict[str, CueEntry] = {}
    for lineno, cols in _rows("speech_verbs.tsv"):
        if len(cols) != 10:
            raise LexiconError(f"speech_verbs.tsv:{lineno}: expected 10 columns, got {len(cols)}")
        lemma, vclass, imperfect, participle, masdar, passive, category, polarity, strict, gloss = cols
        try:
            entry = CueEntry(lemma, category, int(polarity), strict == "1", gloss)
        except (ValueError, TypeError) as exc:
            raise LexiconError(f"speech_verbs.tsv:{lineno}: {exc}") from None
        entries[lemma] = entry
        try:
            generated = list(
                expand(
                    lemma,
                    vclass,
                    _dash(imperfect),
                    _dash(participle),
                    _dash(masdar),
                    [p for p in (passive.split(",") if _dash(passive) else [])],
                )
            )
        except ValueError as exc:
            raise LexiconError(f"speech_verbs.tsv:{lineno}: {exc}") from None
        for f in generated:
            # The first lemma listed keeps a form that two lemmas share (يبين: بين/أبان).
            forms.setdefault(f.surface, CueForm(f.surface, entry, f.aspect, f.gender, f.number))
    phrases: dict[tuple[str, ...], CueForm] = {}
    for lineno, cols in _rows("attributions.tsv"):
        if len(cols) != 3:
            raise LexiconError(f"attributions.tsv:{lineno}: expected 3 columns, got {len(cols)}")
        phrase, category, gloss = cols
        entry = CueEntry(phrase, category, 0, False, gloss, attributive=True)
        entries[phrase] = entry
        words = tuple(normalize(phrase).split())
        for conj in ("", *CONJUNCTIONS):
            key = (conj + words[0], *words[1:])
            phrases[key] = CueForm(" ".join(key), entry, "attributive", None, None)
    return CueLexicon(forms, phrases, entries)


@functools.lru_cache(maxsize=None)
def load_speaker_words() -> dict[str, frozenset[str]]:
    """Role -> set of normalised words, from ``speaker_words.tsv`` (cached)."""
    roles: dict[str, set[str]] = {}
    for lineno, cols in _rows("speaker_words.tsv"):
        if len(cols) != 2:
            raise LexiconError(f"speaker_words.tsv:{lineno}: expected 2 columns, got {len(cols)}")
        roles.setdefault(cols[1].strip(), set()).add(normalize(cols[0].strip()))
    return {role: frozenset(words) for role, words in roles.items()}
