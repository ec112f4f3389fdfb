"""The public entry points: :func:`attribute_quotes`, :func:`load`, :func:`pipe`."""

from __future__ import annotations

import ctypes
import itertools
import logging
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

from .checks import MAX_LENGTH, check_count, check_records, check_subjects, check_text
from .errors import (
    InputTypeError,
    InputValueError,
    ModelLoadError,
    PipelineError,
)
from .types import Quote

#: Built-in pipelines. ``"default"`` is what ``attribute_quotes`` uses: the rule layer plus the
#: trained transformer layer shipped in the package (``quoteattr/models/default``, see its
#: MODEL_CARD.md); ``"rules"`` is the rule layer alone (no torch, several times faster).
PIPELINES = ("default", "rules")
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "default"

#: The oldest torch quoteattr loads weights with (``torch.load`` defaults to weights_only).
MIN_TORCH = (2, 6)

_log = logging.getLogger("quoteattr")
_lock = threading.Lock()


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("+")[0].split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)
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
            import torch
        except ImportError as exc:
            raise ModelLoadError(
                f"the pipeline at {folder} needs torch and spacy-transformers ({exc}); install them "
                "(README, \"CPU or GPU\"), or use pipeline='rules'"
            ) from exc
        from . import neural  # noqa: F401  (the trained components' factories; a bug here is ours)

        if _version_tuple(torch.__version__) < MIN_TORCH:
            raise ModelLoadError(
                f"torch {torch.__version__} is older than {'.'.join(map(str, MIN_TORCH))}, whose "
                "loaders refuse pickled code by default; quoteattr loads weights only with it: "
                "upgrade torch, or use pipeline='rules'"
            )
    # The encoder's tokenizer warns when a window of a long article has more pieces than the
    # model's maximum; spacy-transformers cuts such windows itself: the warning is noise.
    logging.getLogger("transformers.tokenization_utils_base").setLevel(logging.ERROR)
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
    if _serialise_torch(nlp):
        _refuse_forked_pipe(nlp)
    return guard(nlp)


def _refuse_forked_pipe(nlp: Any) -> None:
    """spaCy's ``nlp.pipe(texts, n_process=k)`` starts its workers with the platform's default
    (``fork`` on Linux), and a forked copy of a process that has run PyTorch hangs: fail at
    once, with what to do instead."""
    spacy_pipe = nlp.pipe

    def pipe(texts: Any, *args: Any, n_process: int = 1, **kwargs: Any) -> Any:
        if n_process != 1 and multiprocessing.get_start_method(allow_none=True) in (None, "fork"):
            raise PipelineError(
                "nlp.pipe(..., n_process>1) forks its workers, and a pipeline holding PyTorch "
                "hangs after fork: use quoteattr.pipe(records, n_process=k, pipeline=...) (its "
                "workers are started with spawn), or call multiprocessing.set_start_method(\"spawn\") "
                "first"
            )
        return spacy_pipe(texts, *args, n_process=n_process, **kwargs)

    nlp.pipe = pipe


def _serialise_torch(nlp: Any) -> bool:
    """thinc's PyTorch shims switch their model to eval mode for a prediction and back to
    train mode after it: two threads predicting at once would run each other's forward
    pass with dropout. Each shim's prediction takes a lock, so the switch and the forward
    pass happen together. Returns whether the pipeline holds any such shim."""
    found = False
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            for shim in getattr(node, "shims", ()):
                if hasattr(shim, "predict") and not getattr(shim, "_quoteattr_locked", False):
                    lock = threading.Lock()
                    original = shim.predict

                    def predict(*args: Any, _original: Any = original, _lock: Any = lock, **kwargs: Any) -> Any:
                        with _lock:
                            return _original(*args, **kwargs)

                    shim.predict = predict
                    shim._quoteattr_locked = True
                    found = True
    return found


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
    if len(text) > SEGMENT_CHARS and "transformer" in nlp.pipe_names:
        quotes: list[Quote] = []
        for start, end in segments(text, SEGMENT_CHARS):
            quotes.extend(_shift(q, start) for q in _run(nlp, text[start:end], subjects))
    else:
        quotes = _run(nlp, text, subjects)
    _recycle(pipeline, nlp)
    if next(_documents) % TRIM_EVERY == TRIM_EVERY - 1:
        trim_heap()
    return _restore_texts(text, quotes)


#: A transformer pipeline reads a longer text in segments of at most this many characters,
#: cut at paragraph ends: its encoder's memory grows by kilobytes per token (two GB for
#: 100,000 quotation marks), and news articles are far shorter than this.
SEGMENT_CHARS = 20_000


def _run(nlp: Any, text: str, subjects: tuple[str, ...] | None) -> list[Quote]:
    doc = nlp.make_doc(text)
    doc._.subjects = subjects
    return list(nlp(doc)._.quotes or [])


def segments(text: str, size: int) -> Iterator[tuple[int, int]]:
    """``[start, end)`` pieces of ``text`` of at most ``size`` characters, cut after the last
    line break in each piece, else after the last space, else anywhere.

    >>> list(segments("ab\\ncd ef", 4))
    [(0, 3), (3, 6), (6, 8)]
    """
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut < 0:
                cut = text.rfind(" ", start, end)
            if cut >= start:
                end = cut + 1
        yield start, end
        start = end


def _shift(q: Quote, by: int) -> Quote:
    """``q`` with every offset moved ``by`` characters (a segment's quotes into the text's)."""
    cue = q.cue and attrs.evolve(q.cue, start=q.cue.start + by, end=q.cue.end + by)
    speaker = q.speaker and attrs.evolve(q.speaker, start=q.speaker.start + by, end=q.speaker.end + by)
    return attrs.evolve(q, start=q.start + by, end=q.end + by, cue=cue, speaker=speaker)


#: The cached pipeline is replaced by a fresh one once its vocabulary holds this many
#: words: spaCy adds every new word of every text to the shared vocabulary, and over a
#: stream of millions of articles it would grow without end. (spaCy's ``memory_zone`` frees
#: them too, but it switches off the tokenizer's cache and made the rule pipeline 40% slower.)
VOCAB_LIMIT = 200_000


def _recycle(pipeline: Any, nlp: Any) -> None:
    if len(nlp.vocab) <= VOCAB_LIMIT:
        return
    name = _check_pipeline(pipeline)
    with _lock:
        if _cache.get(name) is nlp:  # calls in flight keep the old pipeline until they end
            _cache[name] = _build(name)


#: Every this many documents, memory that Python and PyTorch have freed is handed back to
#: the system (:func:`trim_heap`). Without it glibc keeps the freed pages of a fragmented
#: heap: the default pipeline's resident memory grew from 404 MB to 1.5 GB over 3,000 articles.
TRIM_EVERY = 64
_documents = itertools.count()  # next() on a count is atomic under the GIL


def _malloc_trim() -> Any:
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except (OSError, TypeError):  # no C library to open by that name (Windows)
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _malloc_trim()


def trim_heap() -> bool:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``): ``True`` where
    that is possible, ``False`` elsewhere (macOS, Windows, musl), where it does nothing.
    :func:`attribute_quotes` calls it every :data:`TRIM_EVERY` documents; it takes about
    0.03 s (measured in ``benchmarks/reliability.py stream``)."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


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


def _record(index: int | str, record: Any) -> tuple[str, Any]:
    """``(id, text)`` of one input: a dict's ``"id"`` (its position when absent or None)."""
    if isinstance(record, str):
        return str(index), record
    if isinstance(record, Mapping):
        doc_id = record.get("id")
        return str(index if doc_id is None else doc_id), record.get("text")
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
    """The results of one batch, in order. The batch's valid texts go through ``nlp.pipe``
    together, so a transformer encodes them as one batch; a text that needs more than that
    (not a str, too long, empty, longer than a segment) is run alone as
    :func:`attribute_quotes` runs it, and when the batch itself fails each of its texts is run
    alone, so that only the failing one is reported."""
    nlp = load(pipeline)
    results: list[DocResult | None] = [None] * len(chunk)
    batch: list[tuple[int, str, Any]] = []  # (position in the chunk, text, doc)
    for i, (doc_id, text) in enumerate(chunk):
        try:
            check_text(text)
            alone = not text.strip() or (len(text) > SEGMENT_CHARS and "transformer" in nlp.pipe_names)
            doc = None if alone else nlp.make_doc(text)
        except Exception:  # reported with its own error by the lone run
            doc = None
        if doc is None:
            results[i] = _attribute_one(doc_id, text, pipeline, subjects)
            continue
        doc._.subjects = subjects
        batch.append((i, text, doc))
    try:
        done = list(nlp.pipe([doc for _, _, doc in batch], batch_size=max(1, len(batch))))
    except Exception:  # one document broke the batch: run each alone, the others come back
        for i, text, _ in batch:
            results[i] = _attribute_one(chunk[i][0], text, pipeline, subjects)
    else:
        for (i, text, _), doc in zip(batch, done):
            quotes = _restore_texts(text, list(doc._.quotes or []))
            results[i] = DocResult(chunk[i][0], tuple(quotes))
            if next(_documents) % TRIM_EVERY == TRIM_EVERY - 1:
                trim_heap()
        _recycle(pipeline, nlp)
    return [r for r in results if r is not None]


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
    pool = _Workers(name, n_process, subjects)
    try:
        for chunk in chunks:
            pool.submit(chunk)
            while pool.backlog() >= 2 * n_process:
                yield from pool.next_results()
        while pool.backlog():
            yield from pool.next_results()
    finally:
        pool.shutdown()


class _Workers:
    """Worker processes for :func:`pipe`, with the batches in flight in input order.

    When a worker dies (killed, or crashed by a document), the pool is started again and
    the batches in flight are sent again; a batch that was in flight at two deaths is run
    one document at a time in a worker of its own, and a document whose worker dies there is
    reported as failed (``WorkerDied``): nothing else is lost, and the document that kills
    workers is named. Workers exit when this process dies (they watch their parent).
    """

    MAX_ATTEMPTS = 3

    def __init__(self, name: str, n_process: int, subjects: tuple[str, ...] | None) -> None:
        self.name, self.n_process, self.subjects = name, n_process, subjects
        self.pending: deque = deque()  # (chunk, future, attempt)
        self.results_seen = False
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # The rule pipeline is pure Python: forked workers start fastest. Any other pipeline
        # holds PyTorch, whose thread pools do not survive fork (the workers would hang):
        # start those workers fresh, each with its share of the cores.
        context = None if self.name == "rules" else multiprocessing.get_context("spawn")
        threads = max(1, (os.cpu_count() or 1) // self.n_process)
        return ProcessPoolExecutor(max_workers=self.n_process, initializer=_start_worker,
                                   initargs=(self.name, threads, os.getpid()), mp_context=context)

    def _send(self, chunk: list[tuple[str, Any]], attempt: int) -> tuple:
        try:
            future = self.pool.submit(_attribute_chunk, chunk, self.name, self.subjects)
        except BrokenProcessPool:
            future = None  # noticed when its turn comes
        return chunk, future, attempt

    def submit(self, chunk: list[tuple[str, Any]]) -> None:
        self.pending.append(self._send(chunk, 0))

    def backlog(self) -> int:
        return len(self.pending)

    def next_results(self) -> list[DocResult]:
        chunk, future, attempt = self.pending[0]
        if attempt >= self.MAX_ATTEMPTS - 1:  # in flight at two deaths: one document at a time
            self.pending.popleft()
            return self._isolate(chunk)
        try:
            if future is None:
                raise BrokenProcessPool("the pool was already broken")
            results = future.result()
        except BrokenProcessPool:
            self._restart()
            return []
        except Exception:  # the batch could not be sent (a record that cannot be pickled):
            results = _attribute_chunk(chunk, self.name, self.subjects)  # one error per bad record
        self.pending.popleft()
        self.results_seen = True
        return results

    def _restart(self) -> None:
        """A worker died: start the pool again and send every batch in flight again."""
        _log.warning("quoteattr: a worker process died; starting the workers again and sending "
                     "the %d batches in flight again", len(self.pending))
        if not self.results_seen and all(a >= 1 for _, _, a in self.pending):
            self.shutdown()
            raise PipelineError(
                "the worker processes of pipe(n_process>1) died before returning anything. In a "
                "script, call quoteattr.pipe() from under `if __name__ == \"__main__\":` -- workers "
                "start with spawn and import your script again, and without the guard they run it "
                "again instead of starting"
            )
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._start()
        self.pending = deque(self._send(chunk, attempt + 1) for chunk, _, attempt in self.pending)

    def _isolate(self, chunk: list[tuple[str, Any]]) -> list[DocResult]:
        """Each document of ``chunk`` alone in a worker of its own: the one whose worker dies
        is reported (``WorkerDied``), the others are attributed."""
        results = []
        solo = _Workers(self.name, 1, self.subjects)
        try:
            for item in chunk:
                try:
                    results.extend(solo.pool.submit(_attribute_chunk, [item], self.name, self.subjects).result())
                except BrokenProcessPool:
                    results.append(DocResult(item[0], (), DocError(
                        "WorkerDied", "the worker process died while processing this document: it was not attributed")))
                    solo.pool.shutdown(wait=False, cancel_futures=True)
                    solo.pool = solo._start()
                except Exception:  # not picklable: attributed here, as above
                    results.extend(_attribute_chunk([item], self.name, self.subjects))
        finally:
            solo.shutdown()
        self.results_seen = True
        return results

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Done:
    """A finished stand-in for a future."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _start_worker(name: str, threads: int, parent: int) -> None:
    """A worker's initializer: exit when the parent dies; its share of the cores for
    PyTorch; then the pipeline."""
    _watch_parent(parent)
    if name != "rules":
        try:
            import torch
        except ImportError:  # a saved rule-only pipeline needs no torch
            pass
        else:
            torch.set_num_threads(threads)
    load(name)


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """Exit this process as soon as ``parent`` is no longer its parent (it died, and the
    worker was adopted): workers never outlive the run that started them."""
    import time

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(every)

    threading.Thread(target=watch, name="quoteattr-parent-watch", daemon=True).start()


def _chunks(items: Iterable[tuple[str, Any]], size: int) -> Iterator[list[tuple[str, Any]]]:
    chunk: list[tuple[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
