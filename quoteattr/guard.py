"""A tokenizer wrapper that keeps spaCy's tokenizer linear, exact and thread-safe on broken text.

spaCy's rule tokenizer strips prefixes and suffixes one at a time from each
whitespace-delimited chunk, re-slicing the rest of the chunk every time, so its cost on one
chunk grows with the square of the chunk's length: 10,000 ``«`` in a row took 4 s and a
chunk of 1 MB would take hours. Chunks that long are never words; :class:`GuardedTokenizer`
hands every chunk of at most :data:`MAX_CHUNK` characters to spaCy unchanged (so ordinary
text is tokenized exactly as before) and splits longer ones itself, in one linear pass,
into runs of letters/digits and single other characters.

It also

* replaces lone surrogates (``"\\ud800"``, from text decoded with ``surrogateescape``),
  which spaCy cannot intern, by U+FFFD -- one character for one, so every offset into the
  ``Doc`` is still an offset into the caller's string (:func:`quoteattr.attribute_quotes`
  re-slices the returned texts from the caller's string);
* serialises calls to the wrapped tokenizer with a lock. The tokenizer updates a shared
  cache and the shared vocabulary, and spaCy does not document it as thread-safe; under
  the GIL we have not seen two threads interleave there, but nothing promises it (nor on
  free-threaded Python). Tokenizing is about 2% of the pipeline's time, so the lock costs
  little; the rule components keep their state on the ``Doc`` and run unlocked.

The wrapper delegates serialisation (``to_disk``/``from_disk``/``to_bytes``/``from_bytes``)
and every other attribute to the wrapped tokenizer, so ``nlp.to_disk`` writes the ordinary
spaCy tokenizer files.
"""

from __future__ import annotations

import threading
from typing import Any

import regex
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from .spans import remember_text

#: Whitespace-delimited chunks longer than this are split by :class:`GuardedTokenizer`
#: itself instead of by spaCy (whose cost on a chunk is quadratic in its length).
MAX_CHUNK = 64

_LONG_CHUNK = regex.compile(r"(?<!\S)\S{%d,}" % (MAX_CHUNK + 1))
_PIECE = regex.compile(r"[\p{L}\p{M}\p{N}]+|.", regex.DOTALL)
_SURROGATE = regex.compile(r"[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """True when ``text`` holds a lone surrogate (it cannot be encoded as UTF-8)."""
    return _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (same length, same offsets)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


class GuardedTokenizer:
    """Wraps a spaCy tokenizer: linear cost on any input, surrogate-safe, thread-safe."""

    def __init__(self, inner: Tokenizer) -> None:
        self.inner = inner
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Doc:
        text = replace_surrogates(text)
        with self._lock:
            if _LONG_CHUNK.search(text) is None:
                return remember_text(self.inner(text), text)
            return remember_text(self._split_long_chunks(text), text)

    def _split_long_chunks(self, text: str) -> Doc:
        """Tokenize the ordinary stretches with spaCy, the long chunks with :data:`_PIECE`."""
        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        for m in _LONG_CHUNK.finditer(text):
            self._extend(words, spaces, text[pos : m.start()])
            for piece in _PIECE.findall(m.group()):
                words.append(piece)
                spaces.append(False)
            pos = m.end()
        self._extend(words, spaces, text[pos:])
        return Doc(self.inner.vocab, words=words, spaces=spaces)

    def _extend(self, words: list[str], spaces: list[bool], segment: str) -> None:
        if not segment:
            return
        for token in self.inner(segment):
            words.append(token.text)
            spaces.append(bool(token.whitespace_))

    # The wrapped tokenizer's serialisation and attributes (vocab, rules, ...).
    def to_disk(self, path: Any, **kwargs: Any) -> None:
        self.inner.to_disk(path, **kwargs)

    def from_disk(self, path: Any, **kwargs: Any) -> GuardedTokenizer:
        self.inner.from_disk(path, **kwargs)
        return self

    def to_bytes(self, **kwargs: Any) -> bytes:
        return self.inner.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs: Any) -> GuardedTokenizer:
        self.inner.from_bytes(data, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not yet set (during unpickling)
            raise AttributeError(name)
        return getattr(self.inner, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (GuardedTokenizer, (self.inner,))


def guard(nlp: Any) -> Any:
    """Install a :class:`GuardedTokenizer` on ``nlp`` (once) and return ``nlp``."""
    if not isinstance(nlp.tokenizer, GuardedTokenizer):
        nlp.tokenizer = GuardedTokenizer(nlp.tokenizer)
    return nlp
