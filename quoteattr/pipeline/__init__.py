"""spaCy components of the rule layer, and the pipelines built from them."""

from .components import (
    QuoteMarks,
    QuoteSpans,
    SpeakerResolver,
    SpeechCues,
    build_rules_pipeline,
    register_extensions,
)

__all__ = [
    "QuoteMarks",
    "SpeechCues",
    "QuoteSpans",
    "SpeakerResolver",
    "build_rules_pipeline",
    "register_extensions",
]
