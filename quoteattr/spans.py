"""Character spans to spaCy token spans, for the components' span groups."""

from __future__ import annotations

import bisect
from typing import Iterable

from spacy.tokens import Doc, Span


def token_spans(doc: Doc, spans: Iterable[tuple[int, int, str]]) -> list[Span]:
    """``Span`` objects for ``(start, end, label)`` character spans, widened to whole tokens
    (``وحماس`` is one token of ``spacy.blank("ar")``, so a span of ``حماس`` becomes it).

    ``Doc.char_span(alignment_mode="expand")`` walks every token on each call; this aligns
    every span against one sorted list of token starts.
    """
    starts = [t.idx for t in doc]
    out = []
    for start, end, label in spans:
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = bisect.bisect_left(starts, end)
        if first < last:
            out.append(Span(doc, first, last, label=label))
    return out
