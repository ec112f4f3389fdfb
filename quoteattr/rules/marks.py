"""Pair quotation marks into marked spans.

Arabic news uses « » most, then straight " and “ ”; some sites flip guillemets (» ... «) and
multi-paragraph quotations open every paragraph but close only the last. One left-to-right
pass with a stack handles nesting; straight marks toggle. An opening mark left unclosed at a
paragraph's end either continues (the next paragraph opens with the same mark) or is closed
there, flagged ``closed=False``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import attrs

from ..arabic import ALL_MARKS, CLOSE_TO_OPEN, ONE_LETTER_PROCLITICS, OPEN_TO_CLOSE


@attrs.frozen(slots=True)
class MarkedSpan:
    """A top-level span between quotation marks. ``start``/``end`` are the *inner* offsets."""

    start: int
    end: int
    open_char: str
    closed: bool = True
    paragraphs: int = 1  # how many paragraphs the span runs over


class _Stack(list):
    """The open marks of a paragraph, ``(char, position)``, with a count per char, so that a
    stray closing mark is rejected without scanning the stack (with thousands of unclosed «
    every stray ” would scan them all, and the pass would be quadratic)."""

    def __init__(self, items: Sequence[tuple[str, int]] = ()) -> None:
        super().__init__(items)
        self.counts = Counter(c for c, _ in items)

    def append(self, item: tuple[str, int]) -> None:
        super().append(item)
        self.counts[item[0]] += 1

    def pop(self) -> tuple[str, int]:  # type: ignore[override]
        item = super().pop()
        self.counts[item[0]] -= 1
        return item

    def close(self, want: str | tuple[str, ...]) -> tuple[str, int] | None:
        """Pop down to the innermost open mark in ``want`` and return it (None: a stray mark).
        The scan is paid for by the marks it removes, so the whole pass stays linear."""
        if not any(self.counts[c] for c in want):
            return None
        depth = next(d for d in range(len(self) - 1, -1, -1) if self[d][0] in want)
        item = self[depth]
        for c, _ in self[depth:]:
            self.counts[c] -= 1
        del self[depth:]
        return item


def _is_symmetric_open(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace():
        return False
    if before.isspace() or before in ":،,(-–—" or before in ALL_MARKS:
        return True
    # A one-letter proclitic joined to the mark: و"لا"، ب"الحرب"
    return before in ONE_LETTER_PROCLITICS and (i < 2 or text[i - 2].isspace())


def _is_symmetric_close(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    return not before.isspace()


def _paragraph_reversed(para: str) -> bool:
    """True when guillemets run » ... « in this paragraph (a flipped-direction convention)."""
    first_close, first_open = para.find("»"), para.find("«")
    return 0 <= first_close < first_open


def find_marked_spans(text: str) -> list[MarkedSpan]:
    """Top-level marked spans of ``text``, in order. Inner (nested) marks stay inside them."""
    spans: list[MarkedSpan] = []
    stack = _Stack()  # (opening char, position of the char)
    carry: tuple[str, int, int] | None = None  # an unclosed top-level span continuing
    pos = 0
    paragraphs = text.split("\n")
    for p_index, para in enumerate(paragraphs):
        base = pos
        pos += len(para) + 1
        flip = _paragraph_reversed(para)
        # A paragraph that never closes a guillemet but opens two uses « both ways
        # (لـ« المدينة « ...): there « toggles like a straight mark.
        toggle = "»" not in para and para.count("«") >= 2
        stripped = para.lstrip()
        lead = base + len(para) - len(stripped)
        if carry is not None:
            open_char, start, n_par = carry
            carry = None
            if stripped[:1] == open_char:
                # Multi-paragraph quotation: this paragraph's opening mark continues it.
                stack = _Stack([(open_char, start)])
                skip = lead
            else:
                spans.append(MarkedSpan(start + 1, base - 1, open_char, closed=False, paragraphs=n_par))
                stack = _Stack()
                skip = -1
            n_paragraphs = n_par + 1 if skip >= 0 else 1
        else:
            stack, skip, n_paragraphs = _Stack(), -1, 1
        for k, ch in enumerate(para):
            i = base + k
            if i == skip or ch not in ALL_MARKS:
                continue
            if flip and ch in ("«", "»"):
                ch = "»" if ch == "«" else "«"
            if toggle and ch == "«" and stack and stack[-1][0] == "«":
                ch = "»"  # the second « of a pair closes it
            if ch in OPEN_TO_CLOSE:
                stack.append((ch, i))
            elif ch in CLOSE_TO_OPEN:
                want = CLOSE_TO_OPEN[ch] if ch != "”" else ("“", "„")
                closed = stack.close(want)
                if closed is None:
                    continue  # a stray closing mark
                open_char, start = closed
                if not stack:
                    spans.append(MarkedSpan(start + 1, i, open_char, True, n_paragraphs))
                    n_paragraphs = 1
            else:  # straight marks toggle
                if stack and stack[-1][0] == ch and _is_symmetric_close(text, i):
                    open_char, start = stack.pop()
                    if not stack:
                        spans.append(MarkedSpan(start + 1, i, open_char, True, n_paragraphs))
                        n_paragraphs = 1
                elif _is_symmetric_open(text, i) and (ch == '"' or not stack):
                    stack.append((ch, i))
        if stack:
            open_char, start = stack[0]
            is_last = p_index == len(paragraphs) - 1
            if is_last:
                spans.append(MarkedSpan(start + 1, base + len(para), open_char, False, n_paragraphs))
            else:
                carry = (open_char, start, n_paragraphs)
    spans.sort(key=lambda s: s.start)
    return spans
