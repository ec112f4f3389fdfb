"""The public entry points: :func:`attribute_quotes`, :func:`load`, :func:`pipe`."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import attrs

from .errors import DocumentTooLongError, InputTypeError, InputValueError, ModelLoadError
from .types import Quote

#: Built-in pipelines. ``"default"`` is what ``attribute_quotes`` uses; until the trained
#: transformer layer ships it is the rule pipeline.
PIPELINES = ("default", "rules")
#: The longest document accepted, in characters (about 1.5 MB of Arabic text).
MAX_LENGTH = 2_000_000

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _check_pipeline(pipeline: Any) -> str:
    if isinstance(pipeline, os.PathLike):
        pipeline = os.fspath(pipeline)
    if not isinstance(pipeline, str):
        raise InputTypeError(
            f"pipeline must be one of {PIPELINES} or a path to a saved pipeline, "
            f"not {type(pipeline).__name__}"
        )
    if pipeline not in PIPELINES and not Path(pipeline).exists():
        raise InputValueError(
            f"unknown pipeline {pipeline!r}: use one of {PIPELINES} or the path of a "
            "pipeline saved with nlp.to_disk()"
        )
    return pipeline


def load(pipeline: str | os.PathLike[str] = "default"):
    """Load (once per process, thread-safely) and return a spaCy ``Language``.

    ``"rules"`` is ``spacy.blank("ar")`` with the rule components; ``"default"`` is the
    shipped default pipeline; a path loads a pipeline saved with ``nlp.to_disk()``.
    The returned object is shared: do not add or remove its components.
    """
    name = _check_pipeline(pipeline)
    with _lock:
        nlp = _cache.get(name)
        if nlp is None:
            nlp = _cache[name] = _build(name)
    return nlp


def _build(name: str):
    from .pipeline import build_rules_pipeline

    if name in PIPELINES:
        return build_rules_pipeline(MAX_LENGTH)
    import spacy

    try:
        nlp = spacy.load(name)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelLoadError(f"could not load the pipeline at {name}: {exc}") from exc
    nlp.max_length = MAX_LENGTH
    return nlp


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InputTypeError(f"text must be a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise DocumentTooLongError(
            f"the text has {len(text):,} characters, more than the limit of {MAX_LENGTH:,}: "
            "split it into articles or paragraphs first"
        )
    return text


def _check_subjects(subjects: Any) -> tuple[str, ...] | None:
    if subjects is None:
        return None
    if isinstance(subjects, str):
        raise InputTypeError("subjects must be a list of strings, not a single str: use [subject]")
    try:
        items = tuple(subjects)
    except TypeError:
        raise InputTypeError(
            f"subjects must be an iterable of str, not {type(subjects).__name__}"
        ) from None
    for s in items:
        if not isinstance(s, str):
            raise InputTypeError(f"every subject must be a str, got {type(s).__name__}")
        if not s.strip():
            raise InputValueError("a subject is empty or blank")
    return items


def attribute_quotes(
    text: str,
    subjects: Sequence[str] | None = None,
    *,
    pipeline: str | os.PathLike[str] = "default",
) -> list[Quote]:
    """Find the quotations in ``text``, in text order, with their cues and speakers.

    >>> from quoteattr import attribute_quotes
    >>> q = attribute_quotes("وقال الوزير إن الحكومة ستدعم المزارعين.")[0]
    >>> q.kind, q.speaker.text, q.text
    ('indirect', 'الوزير', 'الحكومة ستدعم المزارعين')

    ``subjects`` is validated and reserved for stance detection, which is not in this
    release: every quote's ``stances`` is empty for now.
    """
    text = _check_text(text)
    _check_subjects(subjects)
    nlp = load(pipeline)
    if not text.strip():
        return []
    return list(nlp(text)._.quotes or [])


@attrs.frozen(slots=True)
class DocError:
    """Why one document of a batch failed: the exception's type name and message."""

    type: str
    message: str


@attrs.frozen(slots=True)
class DocResult:
    """The outcome for one input of :func:`pipe`: quotes, or the error it raised."""

    id: str
    quotes: tuple[Quote, ...] = ()
    error: DocError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "quotes": [q.to_dict() for q in self.quotes],
            "error": attrs.asdict(self.error) if self.error else None,
        }


def _record(index: int, record: Any) -> tuple[str, Any]:
    if isinstance(record, str):
        return str(index), record
    if isinstance(record, Mapping):
        doc_id = record.get("id", index)
        return str(doc_id), record.get("text")
    return str(index), record


def _attribute_one(
    doc_id: str, text: Any, pipeline: str, subjects: tuple[str, ...] | None = None
) -> DocResult:
    try:
        return DocResult(doc_id, tuple(attribute_quotes(text, subjects, pipeline=pipeline)))
    except Exception as exc:  # one bad document must not stop the stream
        return DocResult(doc_id, (), DocError(type(exc).__name__, str(exc)))


def _attribute_chunk(
    chunk: list[tuple[str, Any]], pipeline: str, subjects: tuple[str, ...] | None = None
) -> list[DocResult]:
    return [_attribute_one(doc_id, text, pipeline, subjects) for doc_id, text in chunk]


def pipe(
    records: Iterable[str | Mapping[str, Any]],
    *,
    subjects: Sequence[str] | None = None,
    pipeline: str | os.PathLike[str] = "default",
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[DocResult]:
    """Attribute quotes in many documents; yield one :class:`DocResult` per input, in order.

    ``records`` are strings (their id is their position) or dicts with ``"id"`` and
    ``"text"``. A document that fails (wrong type, too long, ...) yields a result with
    ``error`` set and the stream goes on. ``n_process > 1`` spreads batches over worker
    processes, each loading the pipeline once. Memory stays flat: at most
    ``batch_size * n_process * 2`` documents are in flight.
    """
    subjects = _check_subjects(subjects)
    name = _check_pipeline(pipeline)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InputValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if not isinstance(n_process, int) or n_process < 1:
        raise InputValueError(f"n_process must be a positive int, got {n_process!r}")
    chunks = _chunks(((_record(i, r)) for i, r in enumerate(records)), batch_size)
    if n_process == 1:
        load(name)
        for chunk in chunks:
            yield from _attribute_chunk(chunk, name, subjects)
        return
    with ProcessPoolExecutor(max_workers=n_process, initializer=load, initargs=(name,)) as pool:
        pending = []
        for chunk in chunks:
            pending.append(pool.submit(_attribute_chunk, chunk, name, subjects))
            if len(pending) >= 2 * n_process:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def _chunks(items: Iterable[tuple[str, Any]], size: int) -> Iterator[list[tuple[str, Any]]]:
    chunk: list[tuple[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
