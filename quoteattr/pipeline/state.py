"""The rule layer's working state for one ``Doc``, shared by the rule components.

The components hand each other typed values (the normalised view, the cues, the raw
quotations and speaker candidates) through one :class:`DocState` per document, held in a
weak mapping keyed by the ``Doc``: it never enters ``doc.user_data`` (so ``Doc.to_bytes`` and
``DocBin`` are unaffected) and it goes when the last component that reads it is done, or with
the ``Doc``. A component whose input is missing raises :class:`PipelineError` naming the
component that should have run before it; nothing is recomputed behind the caller's back.
"""

from __future__ import annotations

import threading
import weakref

import attrs
from spacy.tokens import Doc

from ..errors import PipelineError
from ..rules.content import RawQuote
from ..rules.cues import CueHit
from ..rules.phrases import Mention, Names
from ..rules.view import TextView
from ..spans import doc_text


@attrs.define(slots=True)
class DocState:
    """What the rule components have found so far in one document (normalised offsets)."""

    view: TextView
    cues: list[CueHit] | None = None
    quotes: list[RawQuote] | None = None
    candidates: list[Mention] | None = None
    names: Names | None = None


_states: weakref.WeakKeyDictionary[Doc, DocState] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def start(doc: Doc) -> DocState:
    """A fresh state for ``doc`` (its view of ``doc.text``), replacing any earlier one."""
    state = DocState(TextView(doc_text(doc)))
    with _lock:
        _states[doc] = state
    return state


def get(doc: Doc, component: str, needs: str, made_by: str) -> DocState:
    """The state of ``doc`` with ``needs`` set; else a :class:`PipelineError` saying that
    ``component`` needs ``made_by`` before it."""
    with _lock:
        state = _states.get(doc)
    if state is None or (needs != "view" and getattr(state, needs) is None):
        raise PipelineError(
            f"{component} needs the {needs} found by {made_by}, which did not run on this Doc: "
            f"add the rule components in their order ({', '.join(ORDER)}), or use quoteattr.load()"
        )
    return state


def peek(doc: Doc) -> DocState | None:
    """The state of ``doc`` if a rule component left one (None otherwise)."""
    with _lock:
        return _states.get(doc)


def release(doc: Doc) -> None:
    """Forget the state of ``doc``."""
    with _lock:
        _states.pop(doc, None)


#: The rule components in the order they run; the one list of them in the package.
ORDER = (
    "quoteattr_quote_marks",
    "quoteattr_speech_cues",
    "quoteattr_entities",
    "quoteattr_quote_spans",
    "quoteattr_speakers",
    "quoteattr_stance",
)
#: The components that read the state (the last of them in a pipeline releases it).
READERS = frozenset({"quoteattr_speech_cues", "quoteattr_quote_spans", "quoteattr_speakers", "quoteattr_stance"})
