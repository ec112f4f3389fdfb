"""The library's own exceptions. Every error a caller can trigger is one of these."""

from __future__ import annotations


class QuoteAttrError(Exception):
    """Base class of every error raised by quoteattr."""


class InputTypeError(QuoteAttrError, TypeError):
    """An argument has the wrong type (for example ``text`` that is not a ``str``)."""


class InputValueError(QuoteAttrError, ValueError):
    """An argument has the right type but an unusable value (unknown pipeline name, ...)."""


class DocumentTooLongError(InputValueError):
    """A document is longer than the configured ``max_length``."""


class ModelLoadError(QuoteAttrError, OSError):
    """A pipeline could not be loaded (missing, truncated or unsafe files)."""


class LexiconError(QuoteAttrError, ValueError):
    """A lexicon data file is malformed."""


class CorpusError(QuoteAttrError, OSError):
    """The evaluation corpus or a gold file could not be read or does not match."""


class PipelineError(QuoteAttrError, RuntimeError):
    """A pipeline cannot run as asked: a component is missing one that it needs before it, a
    torch pipeline was given to spaCy's own ``nlp.pipe(n_process>1)``, or the workers of
    ``pipe(n_process>1)`` died before returning anything (a script without the
    ``if __name__ == "__main__":`` guard)."""
