"""The public entry points: :func:`attribute_quotes`, :func:`load`, :func:`pipe`."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import attrs

from .errors import (
    DocumentTooLongError,
    InputTypeError,
    InputValueError,
    ModelLoadError,
)
from .checks import MAX_LENGTH, check_count, check_records, check_subjects, check_text
from .types import Quote

#: Built-in pipelines. ``"default"`` is what ``attribute_quotes`` uses: the rule layer plus the
#: trained transformer layer shipped in the package (``quoteattr/models/default``, see its
#: MODEL_CARD.md); ``"rules"`` is the rule layer alone (no torch, several times faster).
PIPELINES = ("default", "rules")
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "default"

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _check_pipeline(pipeline: Any) -> str:
    """A built-in name, or the absolute path of an existing folder (one cache key per folder)."""
    if isinstance(pipeline, os.PathLike):
        pipeline = os.fspath(pipeline)
    if not isinstance(pipeline, str):
        raise InputTypeError(
            f"pipeline must be one of {PIPELINES} or the path of a folder written by "
            f"quoteattr.save(), not {type(pipeline).__name__}"
        )
    if pipeline in PIPELINES:
        return pipeline
    if not pipeline.strip() or "\0" in pipeline or not Path(pipeline).exists():
        raise InputValueError(
            f"unknown pipeline {pipeline!r}: use one of {PIPELINES} or the path of a "
            "folder written by quoteattr.save()"
        )
    return str(Path(pipeline).resolve())


def _check_sha256(sha256: Any) -> str | None:
    if sha256 is None:
        return None
    if not isinstance(sha256, str):
        raise InputTypeError(f"sha256 must be a str of 64 hex digits, not {type(sha256).__name__}")
    if len(sha256) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha256):
        raise InputValueError(
            f"sha256 must be 64 hex digits (the value quoteattr.save() returned), got {sha256!r}"
        )
    return sha256.lower()


def load(pipeline: str | os.PathLike[str] = "default", *, sha256: str | None = None):
    """Load (once per process, thread-safely) and return a spaCy ``Language``.

    ``"rules"`` is ``spacy.blank("ar")`` with the rule components; ``"default"`` is the
    shipped default pipeline; a path loads a folder written by :func:`quoteattr.save`, after
    checking every file against the folder's manifest (missing, truncated, modified or
    pickled files raise :class:`ModelLoadError` naming the file). ``sha256``, the digest
    ``save`` returned, pins the manifest itself. The returned object is shared: do not add
    or remove its components.
    """
    name = _check_pipeline(pipeline)
    digest = _check_sha256(sha256)
    if digest is not None and name in PIPELINES:
        raise InputValueError(f"sha256 applies to a saved pipeline folder, not to {name!r}")
    with _lock:
        nlp = _cache.get(name)
        if nlp is None:
            nlp = _cache[name] = _build(name, digest)
        elif digest is not None:
            from .safeload import _manifest

            _manifest(Path(name), digest)  # cached: still check the digest asked for
    return nlp


def _build(name: str, sha256: str | None = None):
    from .guard import guard
    from .pipeline import build_rules_pipeline

    if name == "rules":
        return guard(build_rules_pipeline(MAX_LENGTH))
    import warnings

    import spacy

    from .safeload import verify

    folder = DEFAULT_MODEL if name == "default" else Path(name)
    if name == "default" and not folder.is_dir():
        raise ModelLoadError(f"the default pipeline is missing from this installation ({folder}): "
                             "reinstall quoteattr, or use pipeline='rules'")
    verify(folder, sha256)  # before spaCy parses anything in the folder
    if (folder / "transformer").is_dir() or name == "default":
        try:
            import spacy_transformers  # noqa: F401  (the "transformer" factory)

            from . import neural  # noqa: F401  (the trained components' factories)
        except ImportError as exc:
            raise ModelLoadError(
                f"the pipeline at {folder} needs torch and spacy-transformers ({exc}); install them "
                "(README, \"CPU or GPU\"), or use pipeline='rules'"
            ) from exc
    try:
        with warnings.catch_warnings():
            # spacy-transformers warns when it reads weights from a Hugging Face folder, which
            # is how quoteattr.save() writes them (safetensors instead of torch.save bytes).
            warnings.filterwarnings("ignore", message="Automatically converting a transformer component")
            nlp = spacy.load(folder)
    except Exception as exc:  # a verified folder that spaCy cannot use: versions, factories
        raise ModelLoadError(
            f"could not load the pipeline at {folder} ({type(exc).__name__}: {exc}); check that "
            "the spaCy and quoteattr versions match those it was saved with"
        ) from exc
    nlp.max_length = MAX_LENGTH
    return guard(nlp)


def _restore_texts(text: str, quotes: list[Quote]) -> list[Quote]:
    """Where the pipeline saw U+FFFD for a lone surrogate (:mod:`quoteattr.guard`), give back
    the caller's characters: every text is re-sliced from ``text`` at the same offsets."""
    from .guard import has_surrogates, replace_surrogates

    if not has_surrogates(text):
        return quotes
    seen = replace_surrogates(text)
    out = []
    for q in quotes:
        cue = q.cue and attrs.evolve(q.cue, text=text[q.cue.start : q.cue.end])
        speaker = q.speaker
        if speaker is not None:
            at = seen.find(speaker.name)
            name = text[at : at + len(speaker.name)] if at >= 0 else speaker.name
            speaker = attrs.evolve(speaker, text=text[speaker.start : speaker.end], name=name)
        out.append(attrs.evolve(q, text=text[q.start : q.end], cue=cue, speaker=speaker))
    return out


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

    With ``subjects``, every quote gets exactly one :class:`Stance` per subject, in the
    order given: favor, against or neutral (neutral too when the quote does not mention it):

    >>> q = attribute_quotes("وانتقد الوزير حركة حماس، وقال إن الحركة تعرقل السلام.", ["حماس"])[0]
    >>> [(s.subject, s.label) for s in q.stances]
    [('حماس', 'against')]
    """
    text = check_text(text)
    subjects = check_subjects(subjects)
    nlp = load(pipeline)
    if not text.strip():
        return []
    doc = nlp.make_doc(text)
    doc._.subjects = subjects
    return _restore_texts(text, list(nlp(doc)._.quotes or []))


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
    processes, each loading the pipeline once; for any pipeline but ``"rules"`` they are
    started with ``spawn`` (PyTorch does not survive ``fork``), so call ``pipe`` from under
    ``if __name__ == "__main__":`` in a script. Memory stays flat: at most
    ``batch_size * n_process * 2`` documents are in flight. The arguments are checked
    when ``pipe`` is called, before the first document is read.
    """
    subjects = check_subjects(subjects)
    name = _check_pipeline(pipeline)
    records = check_records(records)
    batch_size = check_count("batch_size", batch_size)
    n_process = check_count("n_process", n_process)
    return _pipe(records, subjects, name, batch_size, n_process)


def _pipe(
    records: Iterable[Any],
    subjects: tuple[str, ...] | None,
    name: str,
    batch_size: int,
    n_process: int,
) -> Iterator[DocResult]:
    chunks = _chunks(((_record(i, r)) for i, r in enumerate(records)), batch_size)
    if n_process == 1:
        load(name)
        for chunk in chunks:
            yield from _attribute_chunk(chunk, name, subjects)
        return
    # The rule pipeline is pure Python: forked workers start fastest. Any other pipeline
    # holds PyTorch, whose thread pools do not survive fork (the workers would hang):
    # start those workers fresh, each with its share of the cores.
    context = None if name == "rules" else multiprocessing.get_context("spawn")
    threads = max(1, (os.cpu_count() or 1) // n_process)
    with ProcessPoolExecutor(max_workers=n_process, initializer=_start_worker, initargs=(name, threads),
                             mp_context=context) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(_attribute_chunk, chunk, name, subjects)))
            if len(pending) >= 2 * n_process:
                yield from _batch_result(*pending.popleft(), name, subjects)
        while pending:
            yield from _batch_result(*pending.popleft(), name, subjects)


def _start_worker(name: str, threads: int) -> None:
    """A worker's initializer: its share of the cores for PyTorch, then the pipeline."""
    if name != "rules":
        try:
            import torch
        except ImportError:  # a saved rule-only pipeline needs no torch
            pass
        else:
            torch.set_num_threads(threads)
    load(name)


def _batch_result(
    chunk: list[tuple[str, Any]], future: Any, name: str, subjects: tuple[str, ...] | None
) -> list[DocResult]:
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception:  # the batch could not be sent (a record that cannot be pickled):
        return _attribute_chunk(chunk, name, subjects)  # run it here, one error per bad record


def _chunks(items: Iterable[tuple[str, Any]], size: int) -> Iterator[list[tuple[str, Any]]]:
    chunk: list[tuple[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
