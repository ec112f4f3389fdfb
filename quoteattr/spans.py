"""Character spans to spaCy token spans, for the components' span groups."""

from __future__ import annotations

import bisect
import threading
import weakref
from typing import Iterable

from spacy.attrs import IDX
from spacy.tokens import Doc, Span

_texts: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def remember_text(doc: Doc, text: str) -> Doc:
    """Record the text ``doc`` was made from (the tokenizer knows it; ``Doc.text`` re-joins
    every token, a ``Token`` object each, on every call)."""
    with _lock:
        _texts[doc] = text
    return doc


def doc_text(doc: Doc) -> str:
    """``doc.text``, without re-joining the tokens when the tokenizer recorded it."""
    with _lock:
        text = _texts.get(doc)
    if text is None or (len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) != len(text)):
        return doc.text
    return text


def token_spans(doc: Doc, spans: Iterable[tuple[int, int, str]]) -> list[Span]:
    """``Span`` objects for ``(start, end, label)`` character spans, widened to whole tokens
    (``وحماس`` is one token of ``spacy.blank("ar")``, so a span of ``حماس`` becomes it).

    ``Doc.char_span(alignment_mode="expand")`` walks every token on each call; this aligns
    every span against one sorted list of token starts.
    """
    spans = list(spans)
    if not spans:
        return []
    starts = doc.to_array(IDX).tolist()  # (one array, not a Token object per token)
    out = []
    for start, end, label in spans:
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = bisect.bisect_left(starts, end)
        if first < last:
            out.append(Span(doc, first, last, label=label))
    return out
