"""Where a subject is mentioned: its name with clitics and spelling variants, its nisba
adjective, and definite descriptions that the document ties to it.

All offsets here are into the *normalised* text of a :class:`~quoteattr.rules.view.TextView`
(hamza seats, ى/ي and ة/ه are folded there, so الأونروا and الاونروا are one spelling).

- Name: the subject's words with any clitic in front: وحماس، لحماس، بحماس، والأونروا،
  للأونروا (ل + ال), كالأونروا. The mention span leaves the clitic out.
- Nisba: for a place, its adjective (إيران → الإيراني، الإيرانية، الإيرانيين), when the
  caller (the entity layer) says the subject is a place.
- Reference: a definite description whose head noun introduced the subject earlier in the
  document (حركة حماس ... الحركة؛ وكالة الأونروا ... الوكالة), or the subject's own head
  (هيئة الطيران المدني ... الهيئة). A reference is dropped when another name with the same
  head came in between (حركة حماس ... حركة فتح ... الحركة).
"""

from __future__ import annotations

import functools
from typing import Iterable

import attrs
import regex

from ..arabic import HEAD_PREFIXES, LETTER, NO_LETTER_AFTER, NO_LETTER_BEFORE, clitic_pattern
from ..data import read_tsv_rows
from ..normalize import normalize


@attrs.frozen(slots=True)
class SubjectMention:
    """A mention of a subject in normalised offsets; ``kind`` is name, nisba or reference."""

    start: int
    end: int
    kind: str


@functools.lru_cache(maxsize=None)
def reference_heads() -> frozenset[str]:
    """Head nouns that a definite description uses to refer back (حركة، وكالة، الوزير ...)."""
    return frozenset(normalize(cols[0].strip()) for _, cols in read_tsv_rows(__package__, "reference_heads.tsv"))


@functools.lru_cache(maxsize=4096)
def subject_pattern(subject: str) -> regex.Pattern:
    """The compiled pattern that finds ``subject`` (any spelling) in normalised text."""
    words = normalize(subject).split()
    if not words:
        raise ValueError("empty subject")
    rest = "".join(rf"\s+{regex.escape(w)}" for w in words[1:])
    return regex.compile(rf"{NO_LETTER_BEFORE}{clitic_pattern(words[0])}(?P<r>{rest}){NO_LETTER_AFTER}")


@attrs.frozen(slots=True)
class PlaceForms:
    """Other names and nisba adjectives (masculine singular, normalised) of a place."""

    aliases: tuple[str, ...]
    nisba: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def _places() -> dict[str, PlaceForms]:
    """Every name and alias of ``quoteattr/entities/data/places.tsv`` → the place's forms."""
    out: dict[str, PlaceForms] = {}
    for _, cols in read_tsv_rows("quoteattr.entities", "places.tsv"):
        if len(cols) < 4:
            continue
        name, _label, aliases, nisba = (c.strip() for c in cols[:4])
        names = [name] + ([a.strip() for a in aliases.split(",")] if aliases not in ("", "-") else [])
        stems = tuple(normalize(n.strip()) for n in nisba.split(",") if n.strip() and n.strip() != "-")
        for n in names:
            out[normalize(n)] = PlaceForms(tuple(x for x in names if normalize(x) != normalize(n)), stems)
    return out


def place_forms(subject: str) -> PlaceForms | None:
    """The aliases and nisba stems of ``subject`` if it is a place of the entity gazetteer.

    >>> place_forms("إيران").nisba
    ('ايراني',)
    """
    return _places().get(" ".join(normalize(subject).split()))


@functools.lru_cache(maxsize=1024)
def _nisba_pattern(stems: tuple[str, ...]) -> regex.Pattern:
    alts = "|".join(regex.escape(s) for s in sorted(stems, key=len, reverse=True))
    prefix = r"(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)"
    return regex.compile(rf"{NO_LETTER_BEFORE}{prefix}(?P<m>(?:{alts})(?:ه|ين|ون|يه|يين)?){NO_LETTER_AFTER}")


def _word_before(norm: str, pos: int) -> tuple[int, str] | None:
    m = regex.search(rf"({LETTER}+)\s+$", norm[max(0, pos - 40):pos])
    if not m:
        return None
    return pos - (len(norm[max(0, pos - 40):pos]) - m.start(1)), m.group(1)


def _bare(word: str) -> str:
    """A head word without its clitics and article (والحركة → حركه)."""
    for pre in HEAD_PREFIXES:
        if word.startswith(pre) and len(word) - len(pre) >= 3:
            return word[len(pre):]
    return word


def find_subject_mentions(
    norm: str, subject: str, *, nisba: Iterable[str] | None = None, aliases: Iterable[str] | None = None
) -> list[SubjectMention]:
    """Every mention of ``subject`` in the normalised text ``norm``, in text order.

    ``nisba`` and ``aliases`` default to what the entity gazetteer knows of a place
    (:func:`place_forms`); pass ``()`` to match the name alone.
    """
    if nisba is None or aliases is None:
        place = place_forms(subject)
        nisba = (place.nisba if place else ()) if nisba is None else nisba
        aliases = (place.aliases if place else ()) if aliases is None else aliases
    names = []
    for name in (subject, *aliases):
        for m in subject_pattern(name).finditer(norm):
            names.append(SubjectMention(m.start("m"), m.end("r"), "name"))
    found = list(names)
    if nisba:
        found.extend(
            SubjectMention(m.start("m"), m.end("m"), "nisba") for m in _nisba_pattern(tuple(nisba)).finditer(norm)
        )
    return with_references(norm, subject, found, names)


def with_references(
    norm: str, subject: str, found: list[SubjectMention], names: list[SubjectMention] | None = None
) -> list[SubjectMention]:
    """``found`` (mentions already known, e.g. from the entity layer) plus the definite
    descriptions that refer back to ``names`` (default: the ``name`` mentions of ``found``),
    sorted, with mentions nested in a longer one dropped."""
    names = [m for m in found if m.kind == "name"] if names is None else names
    refs = resolve_references(norm, {subject: names}).get(subject, [])
    return merge_mentions([*found, *refs])


def merge_mentions(found: Iterable[SubjectMention]) -> list[SubjectMention]:
    """Mentions sorted by start, a mention nested in a longer one dropped (الحركة inside
    "الحركة حماس")."""
    out: list[SubjectMention] = []
    for m in sorted(found, key=lambda m: (m.start, -m.end)):
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out


@functools.lru_cache(maxsize=1024)
def _head_pattern(head: str) -> regex.Pattern:
    """A head noun, definite (الحركة، للحركة) or not (حركة، لحركة)."""
    return regex.compile(
        rf"{NO_LETTER_BEFORE}(?:[وف]?[بك]?(?P<def>ال)|[وف]?(?P<def>لل)|[وف]?[بل]?)(?P<m>{regex.escape(head)}){NO_LETTER_AFTER}"
    )


_SPACES = regex.compile(r"\s+")


def resolve_references(norm: str, names: dict[str, list[SubjectMention]]) -> dict[str, list[SubjectMention]]:
    """For each subject of ``names`` (subject → its name mentions), the definite descriptions
    that refer back to it.

    A subject *owns* a head noun when the head opens its name (هيئة الطيران المدني) or stands
    right before one of its mentions (حركة حماس). Reading the text once per head: each
    indefinite head introduces the name it starts or precedes (حركة فتح، هيئة الطيران ...) and a
    definite head (الحركة) refers to the latest one introduced, when that is a subject. One
    pass per head noun, whatever the number of subjects: linear in the text.
    """
    heads = reference_heads()
    owner_at: dict[int, str] = {}
    owners: dict[str, set[str]] = {}
    for subject, mentions in names.items():
        if not mentions:
            continue
        words = normalize(subject).split()
        if len(words) > 1 and _bare(words[0]) in heads:
            owners.setdefault(_bare(words[0]), set()).add(subject)
        for m in mentions:
            owner_at.setdefault(m.start, subject)
            before = _word_before(norm, m.start)
            if before and _bare(before[1]) in heads:
                owners.setdefault(_bare(before[1]), set()).add(subject)
    out: dict[str, list[SubjectMention]] = {}
    for head, subjects in owners.items():
        owner: str | None = None
        for hit in _head_pattern(head).finditer(norm):
            gap = _SPACES.match(norm, hit.end())
            follows = gap.end() if gap else hit.end()
            if hit.group("def") is None:
                owner = owner_at.get(hit.start("m")) or owner_at.get(follows)
                if owner not in subjects:
                    owner = None
            elif owner is not None and follows not in owner_at:
                out.setdefault(owner, []).append(
                    SubjectMention(hit.start("m") - len(hit.group("def")), hit.end("m"), "reference")
                )
    return out
