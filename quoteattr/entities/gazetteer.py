"""The entity gazetteers, loaded from the TSV files in ``data/`` into lookup tables.

Every key is in normalised spelling (:func:`quoteattr.normalize.normalize`: hamza seats,
ى/ي, ة/ه, no diacritics), so one entry matches all its spellings. Multi-word names are keyed
by their first word, with the rest of the words beside the entry (longest first), so that
matching is one dictionary lookup per word of the text, never a scan of the gazetteer.
"""

from __future__ import annotations

import functools
import os
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import attrs

from ..arabic import NISBA_ENDINGS
from ..data import parse_tsv
from ..errors import LexiconError
from ..lexicon import load_cue_lexicon
from ..normalize import normalize
from .entity import LABELS

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

CONTEXTS = ("always", "sport", "headed")
TITLE_KINDS = ("name", "office", "modifier")
# Mined files: the package works without them (the mining script itself runs before they exist).
MINED_FILES = ("names.tsv", "common_words.tsv")


@attrs.frozen(slots=True)
class PhraseEntry:
    """A gazetteer name: its label, the canonical name it refers to, and when it applies."""

    label: str = attrs.field(validator=attrs.validators.in_(LABELS))
    canonical: str
    context: str = attrs.field(default="always", validator=attrs.validators.in_(CONTEXTS))
    nisba: bool = False  # a nisba adjective (الأمريكي) rather than the name itself


@attrs.frozen(slots=True)
class Title:
    """A person title (``الأمير``, ``وزير``, ``المتحدث باسم``)."""

    kind: str = attrs.field(validator=attrs.validators.in_(TITLE_KINDS))
    gender: str = attrs.field(validator=attrs.validators.in_(("m", "f")))


@attrs.frozen(slots=True)
class Gazetteer:
    """All lookup tables of the entity layer, keyed by normalised words.

    ``phrases`` and ``titles`` map a first word to ``[(rest_of_words, entry), ...]``, longest
    first. ``heads`` maps an organisation/place head noun, with and without the article, to
    its label.
    """

    phrases: dict[str, list[tuple[tuple[str, ...], PhraseEntry]]]
    titles: dict[str, list[tuple[tuple[str, ...], Title]]]
    heads: dict[str, str]
    named_after: frozenset[str]  # heads that may be followed by a titled person (مركز الملك سلمان)
    given: frozenset[str]
    family: frozenset[str]
    common: frozenset[str]
    stop: frozenset[str]
    sport_words: frozenset[str]
    starters: frozenset[str]  # every word that can open a match: a fast first filter


def _rows(
    data: Traversable, name: str, ncols: int, required: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """The data rows of ``data/name`` (after ``#`` comments and the header line)."""
    path = data.joinpath(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise LexiconError(f"entity data file {name} is missing") from None
        return
    for lineno, raw in parse_tsv(text):
        cols = [c.strip() for c in raw]
        if len(cols) != ncols or not cols[0]:
            raise LexiconError(f"{name}:{lineno}: expected {ncols} columns, got {len(cols)}")
        yield lineno, cols


def _list(value: str) -> list[str]:
    return [] if value in ("", "-") else [v.strip() for v in value.split(",") if v.strip()]


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(normalize(phrase).split())


def nisba_forms(adjective: str) -> Iterator[tuple[str, ...]]:
    """Every normalised form of a nisba: ``أمريكي`` → ``("امريكي",)``, ``("الامريكيه",)``, ...

    A multi-word nisba (``كوري جنوبي``) takes the same ending and article on every word.
    A form that does not end in ي (a broken plural such as ``أتراك``) is used as it is.
    """
    words = _words(adjective)
    suffixes = NISBA_ENDINGS if all(w.endswith("ي") for w in words) else ("",)
    for suffix in suffixes:
        for article in ("", "ال"):
            yield tuple(article + w + suffix for w in words)


def _add(table: dict, words: tuple[str, ...], value: object) -> None:
    """Add a multi-word key; the first value given for a key is kept (earlier files win)."""
    bucket = table.setdefault(words[0], [])
    if any(rest == words[1:] and type(v) is type(value) and v == value for rest, v in bucket):
        return
    bucket.append((words[1:], value))


def _sorted(table: dict) -> dict:
    return {k: sorted(v, key=lambda rv: -len(rv[0])) for k, v in table.items()}


def build_gazetteer(
    include_mined: bool = True, data_dir: str | os.PathLike[str] | None = None
) -> Gazetteer:
    """Read every data file and build the lookup tables (``load_gazetteer`` caches this).

    ``data_dir`` is a folder with the same files as the package's ``data/`` (to try an
    edited gazetteer); a malformed file raises :class:`~quoteattr.errors.LexiconError`
    naming the file and line.
    """
    data: Traversable = (
        Path(data_dir) if data_dir is not None else resources.files(__package__).joinpath("data")
    )
    phrases: dict[str, list] = {}
    for lineno, (name, label, aliases, nisba) in _rows(data, "places.tsv", 4):
        if label not in ("GPE", "LOC"):
            raise LexiconError(f"places.tsv:{lineno}: label {label!r} is not GPE or LOC")
        entry = PhraseEntry(label, name)
        for form in [name, *_list(aliases)]:
            _add(phrases, _words(form), entry)
        norp = PhraseEntry("NORP", name, nisba=True)
        for adjective in _list(nisba):
            for words in nisba_forms(adjective):
                _add(phrases, words, norp)
    for lineno, (name, label, aliases, context) in _rows(data, "organisations.tsv", 4):
        try:
            entry = PhraseEntry(label, name, context)
        except (TypeError, ValueError) as exc:
            raise LexiconError(f"organisations.tsv:{lineno}: {exc}") from None
        _add(phrases, _words(name), entry)
        alias_entry = attrs.evolve(entry, context="always") if context == "headed" else entry
        for alias in _list(aliases):
            _add(phrases, _words(alias), alias_entry)

    titles: dict[str, list] = {}
    for lineno, (title, kind, gender) in _rows(data, "titles.tsv", 3):
        try:
            _add(titles, _words(title), Title(kind, gender))
        except (TypeError, ValueError) as exc:
            raise LexiconError(f"titles.tsv:{lineno}: {exc}") from None

    heads: dict[str, str] = {}
    named_after: set[str] = set()
    for lineno, (head, label, person) in _rows(data, "org_heads.tsv", 3):
        if label not in ("ORG", "GPE", "LOC") or person not in ("yes", "no"):
            raise LexiconError(
                f"org_heads.tsv:{lineno}: expected label ORG, GPE or LOC and person yes or no"
            )
        key = normalize(head)
        heads.setdefault(key, label)
        heads.setdefault("ال" + key, label)
        if person == "yes":
            named_after.add(key)

    given: set[str] = set()
    family: set[str] = set()
    common: set[str] = set()
    if include_mined:
        for lineno, (word, role, count) in _rows(data, "names.tsv", 3, required=False):
            if role not in ("given", "family") or not count.isdigit():
                raise LexiconError(f"names.tsv:{lineno}: expected role given|family and a count")
            (given if role == "given" else family).add(normalize(word))
        for _, (word, _count) in _rows(data, "common_words.tsv", 2, required=False):
            common.add(normalize(word))

    stop = {normalize(w) for _, (w,) in _rows(data, "stopwords.tsv", 1)}
    stop.update(load_cue_lexicon().forms)  # speech verbs end a name: "الوزير خالد مؤكدا"
    sport = frozenset(normalize(w) for _, (w,) in _rows(data, "contexts.tsv", 1))
    phrases = _sorted(phrases)
    titles = _sorted(titles)
    starters = frozenset(phrases) | frozenset(titles) | frozenset(heads) | given
    return Gazetteer(
        phrases=phrases,
        titles=titles,
        heads=heads,
        named_after=frozenset(named_after),
        given=frozenset(given),
        family=frozenset(family),
        common=frozenset(common - given - family),
        stop=frozenset(stop),
        sport_words=sport,
        starters=starters,
    )


@functools.lru_cache(maxsize=None)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of the installed data files (built once per process)."""
    return build_gazetteer()
