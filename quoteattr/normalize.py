"""Arabic normalisation for *matching*, with a map back to the caller's offsets.

Matching compares letters, not spellings: hamza seats (أ إ آ ٱ → ا), alif maqsura (ى → ي),
ta marbuta (ة → ه) are folded, diacritics, tatweel and invisible format characters are
dropped. The normalised string is never shown to the caller: :func:`normalize_with_map`
returns, for each normalised character, the index of the original character it came from,
so every match found in the normalised text maps back to exact original offsets.
"""

from __future__ import annotations

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


def normalize(text: str) -> str:
    """The normalised form of ``text`` (for lexicon keys and comparisons)."""
    return _DROP.sub("", text).translate(_FOLD)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return ``(norm, origin)``.

    ``origin[i]`` is the index in ``text`` of the character that produced ``norm[i]``;
    ``origin`` has one extra final entry, ``len(text)``, so that an end offset maps too.
    Every folding rule maps one character to one character, so ``origin`` is increasing.
    """
    folded = text.translate(_FOLD)  # every fold is one character to one character
    dropped = [m.start() for m in _DROP.finditer(text)]
    if not dropped:
        return folded, list(range(len(text) + 1))
    keep = sorted(set(range(len(text))).difference(dropped))
    origin = keep + [len(text)]
    return "".join(folded[i] for i in keep), origin


def to_original(origin: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of the normalised text back to the original text."""
    if end <= start:
        o = origin[start]
        return o, o
    # Characters dropped right after the span (the harakat of its last letter, tatweel)
    # belong to it: "وقالَ" is the cue, not "وقال" + a stray fatha.
    return origin[start], origin[end]
