"""Step 1 of the rule layer: the text as the rules see it.

:class:`TextView` normalises the caller's text for matching (hamza, ى/ي, ة/ه, diacritics,
tatweel: :mod:`quoteattr.normalize`) and keeps the map back to the caller's offsets; it splits
the normalised text into words, finds the sentence ends outside quotation marks, and pairs the
quotation marks (:mod:`.marks`). Everything later works on normalised offsets and maps back
with :meth:`TextView.original` at the end."""

from __future__ import annotations

import bisect
from typing import NamedTuple

from ..arabic import SENTENCE_END, WORD
from ..normalize import normalize_with_map, to_original
from .marks import MarkedSpan, find_marked_spans


class Word(NamedTuple):
    """A word of the normalised text (a tuple: a text has tens of thousands)."""

    start: int
    end: int
    text: str  # normalised


class TextView:
    """The normalised text with its words, sentence ends and marked spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.origin = normalize_with_map(text)
        new = tuple.__new__  # (Word's own __new__ is a Python function: one call per word less)
        self.words = [new(Word, (*m.span(), m.group())) for m in WORD.finditer(self.norm)]
        self.word_starts = [w.start for w in self.words]
        self.word_ends = [w.end for w in self.words]
        self.marks: list[MarkedSpan] = find_marked_spans(self.norm)
        self.mark_starts = [m.start for m in self.marks]
        self.sentence_ends = [
            m.start() for m in SENTENCE_END.finditer(self.norm) if not self.in_mark(m.start())
            and not self._decimal_point(m.start())
        ]

    def _decimal_point(self, i: int) -> bool:
        n = self.norm
        return n[i] == "." and 0 < i < len(n) - 1 and n[i - 1].isdigit() and n[i + 1].isdigit()

    def in_mark(self, pos: int) -> bool:
        k = bisect.bisect_right(self.mark_starts, pos) - 1
        return k >= 0 and self.marks[k].start <= pos < self.marks[k].end

    def mark_opening_at(self, pos: int) -> MarkedSpan | None:
        """The marked span whose opening mark is the first non-space char at/after ``pos``."""
        n = self.norm
        while pos < len(n) and n[pos] in " \t\u00a0":
            pos += 1
        k = bisect.bisect_left(self.mark_starts, pos + 1)
        if k < len(self.marks) and self.marks[k].start == pos + 1:
            return self.marks[k]
        return None

    def sentence_end(self, pos: int) -> int:
        """The first sentence end (outside marks) at or after ``pos``, or the text's end."""
        k = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[k] if k < len(self.sentence_ends) else len(self.norm)

    def sentence_start(self, pos: int) -> int:
        k = bisect.bisect_left(self.sentence_ends, pos) - 1
        return self.sentence_ends[k] + 1 if k >= 0 else 0

    def word_at(self, pos: int) -> int:
        """Index of the first word starting at or after ``pos``."""
        return bisect.bisect_left(self.word_starts, pos)

    def word_containing(self, pos: int) -> int:
        """Index of the word that contains ``pos``, or of the first word after it."""
        k = bisect.bisect_right(self.word_starts, pos) - 1
        if k >= 0 and self.words[k].end > pos:
            return k
        return k + 1

    def is_name_ali(self, k: int) -> bool:
        """Is word ``k`` the name علي? Normalisation folds the preposition على into the same
        letters; the name is the one written with ي."""
        w = self.words[k]
        return w.text == "علي" and self.text[self.origin[w.end - 1]] == "ي"

    def ends_in_ta_marbuta(self, k: int) -> bool:
        """Is word ``k`` written with a final ة (normalised to ه)?"""
        w = self.words[k]
        return w.text.endswith("ه") and self.text[self.origin[w.end - 1]] == "ة"

    def clause_start(self, k: int) -> bool:
        """Does word ``k`` open the text, a sentence or a clause (after . ، : ؛ or a line break)?"""
        if k == 0:
            return True
        gap = self.norm[self.words[k - 1].end : self.words[k].start]
        return any(c in gap for c in ".،,:;؛\n!?؟")

    def original(self, start: int, end: int) -> tuple[int, int]:
        """Normalised offsets to the caller's offsets."""
        return to_original(self.origin, start, end)

    def norm_span(self, start: int, end: int) -> tuple[int, int]:
        """The caller's offsets to normalised offsets (the inverse of :meth:`original`)."""
        return bisect.bisect_left(self.origin, start), bisect.bisect_left(self.origin, end)


def strip_span(view: TextView, start: int, end: int) -> tuple[int, int]:
    """Trim spaces and clause punctuation from both ends of a content span."""
    n = view.norm
    junk = " \t\n\u00a0،,;؛:.-–—"
    while start < end and n[start] in junk:
        start += 1
    while end > start and n[end - 1] in junk:
        end -= 1
    return start, end
