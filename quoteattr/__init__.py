"""quoteattr: who said what, about whom, and how, in Arabic text.

>>> import quoteattr
>>> [q.speaker.name for q in quoteattr.attribute_quotes("وقالت الوزارة إن المدارس ستفتح.")]
['الوزارة']
"""

from .api import MAX_LENGTH, PIPELINES, DocError, DocResult, attribute_quotes, load, pipe
from .errors import (
    CorpusError,
    DocumentTooLongError,
    InputTypeError,
    InputValueError,
    LexiconError,
    ModelLoadError,
    PipelineError,
    QuoteAttrError,
)
from .safeload import save
from .tabular import to_pandas
from .types import Cue, Quote, Speaker, Stance
from .visualize import render

__version__ = "0.1.0"

__all__ = [
    "attribute_quotes",
    "load",
    "pipe",
    "save",
    "Quote",
    "Cue",
    "Speaker",
    "Stance",
    "DocResult",
    "DocError",
    "PIPELINES",
    "MAX_LENGTH",
    "QuoteAttrError",
    "InputTypeError",
    "InputValueError",
    "DocumentTooLongError",
    "ModelLoadError",
    "PipelineError",
    "LexiconError",
    "CorpusError",
    "__version__",
    "render",
    "to_pandas",
]
