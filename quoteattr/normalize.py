"""Arabic normalisation for *matching*, with a map back to the caller's offsets.

Matching compares letters, not spellings: Arabic presentation forms (U+FB50-FDFF,
U+FE70-FEFF: the contextual glyphs of text copied from PDFs, ﻭﻗﺎﻝ) are read as the letters
they show (NFKC), hamza seats (أ إ آ ٱ → ا), alif maqsura (ى → ي), ta marbuta (ة → ه) are
folded, diacritics, tatweel and invisible format characters are dropped. The normalised
string is never shown to the caller: :func:`normalize_with_map` returns, for each
normalised character, the index of the original character it came from, so every match
found in the normalised text maps back to exact original offsets.
"""

from __future__ import annotations

import threading
import unicodedata

import regex

# Harakat, tanwin, shadda, sukun, dagger alif, Quranic marks; tatweel; zero-width and bidi
# format characters. All are dropped.
_DROP = regex.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\p{Cf}]")

_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        # Arabic-Indic digits read as digits; punctuation kept as is.
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4",
        "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    }
)


def _presentation_table() -> dict[int, str]:
    """Each Arabic presentation form to the letters it shows (a ligature to several; an
    isolated diacritic without the space NFKC puts before it)."""
    table = {}
    for cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        ch = chr(cp)
        shown = unicodedata.normalize("NFKC", ch)
        if unicodedata.category(ch) != "Cn" and shown != ch:
            table[cp] = shown.lstrip(" ")
    return table


_PRESENTATION = _presentation_table()
_HAS_PRESENTATION = regex.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")
_last = threading.local()
_KEEP_CHARS = 200_000


def normalize(text: str) -> str:
    """The normalised form of ``text`` (for lexicon keys and comparisons)."""
    if _HAS_PRESENTATION.search(text):
        text = text.translate(_PRESENTATION)
    return _DROP.sub("", text).translate(_FOLD)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return ``(norm, origin)``.

    ``origin[i]`` is the index in ``text`` of the character that produced ``norm[i]``;
    ``origin`` has one extra final entry, ``len(text)``, so that an end offset maps too.
    Every folding rule maps one character to one character, so ``origin`` is increasing; a
    presentation-form ligature maps to several, which share its index (non-decreasing).
    """
    # The rule layer and the entity finder normalise the same text one after the other: the
    # last result is kept (per thread; ``origin`` is never mutated by its readers).
    last = getattr(_last, "value", None)
    if last is not None and last[0] is text:
        return last[1], last[2]
    if _HAS_PRESENTATION.search(text):
        norm, origin = _normalize_expanding(text)
    else:
        norm, origin = _normalize_folding(text)
    # (a long text is not kept: its origin list alone is tens of megabytes)
    _last.value = (text, norm, origin) if len(text) <= _KEEP_CHARS else None
    return norm, origin


def _normalize_folding(text: str) -> tuple[str, list[int]]:
    folded = text.translate(_FOLD)  # every fold is one character to one character
    dropped = [m.start() for m in _DROP.finditer(text)]
    if not dropped:
        return folded, list(range(len(text) + 1))
    # the stretches between dropped characters, copied whole (linear in the text)
    pieces: list[str] = []
    origin: list[int] = []
    prev = 0
    for d in dropped:
        pieces.append(folded[prev:d])
        origin.extend(range(prev, d))
        prev = d + 1
    pieces.append(folded[prev:])
    origin.extend(range(prev, len(text) + 1))
    return "".join(pieces), origin


def _normalize_expanding(text: str) -> tuple[str, list[int]]:
    """:func:`normalize_with_map` for text with presentation forms, where one character of
    the caller's may become several (the ligature ﻻ is لا)."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in _PRESENTATION.get(ord(ch), ch):
            if not _DROP.match(c):
                chars.append(c.translate(_FOLD))
                origin.append(i)
    origin.append(len(text))
    return "".join(chars), origin


def to_original(origin: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of the normalised text back to the original text."""
    if end <= start:
        o = origin[start]
        return o, o
    # Characters dropped right after the span (the harakat of its last letter, tatweel)
    # belong to it: "وقالَ" is the cue, not "وقال" + a stray fatha.
    # A span that ends inside a ligature (the ل of ﻻ) keeps the whole character.
    return origin[start], max(origin[end], origin[end - 1] + 1)
