"""Quotation attribution on a Dask cluster: bags, DataFrames and a streaming ``pipe``.

Needs the ``dask`` extra (``pip install "quoteattr[dask]"``) on the client and on every
worker. Each worker process loads the pipeline once (:func:`quoteattr.load` caches it per
process) and reuses it for every partition it runs.

>>> import dask.bag as db
>>> from quoteattr.dask import attribute_bag
>>> bag = db.from_sequence([{"id": "a", "text": "وقال الوزير إن الخطة جاهزة."},
...                         {"id": "b", "text": None}], npartitions=2)
>>> [(r.id, len(r.quotes), r.error and r.error.type)
...  for r in attribute_bag(bag, pipeline="rules").compute(scheduler="sync")]
[('a', 1, None), ('b', 0, 'InputTypeError')]

On a cluster, the same with a ``distributed.Client`` active, or ``compute(scheduler=client)``.
"""

from __future__ import annotations

import os
from collections import deque
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from .api import DocError, DocResult, _attribute_chunk, _check_pipeline, _chunks, _record
from .checks import check_subjects
from .errors import InputTypeError, InputValueError

if TYPE_CHECKING:  # pragma: no cover
    import dask.bag
    import dask.dataframe
    import distributed
    import pandas

__all__ = ["attribute_bag", "attribute_dataframe", "pipe"]


def _attribute_partition(
    items: Iterable[str | Mapping[str, Any]], partition: int, pipeline: str,
    subjects: tuple[str, ...] | None,
) -> list[DocResult]:
    chunk = [_record(f"{partition}:{i}", r) for i, r in enumerate(items)]
    return _attribute_chunk(chunk, pipeline, subjects)


def attribute_bag(
    bag: dask.bag.Bag,
    *,
    subjects: Sequence[str] | None = None,
    pipeline: str | os.PathLike[str] = "default",
) -> dask.bag.Bag:
    """A bag of :class:`~quoteattr.DocResult`, one per element of ``bag``, in order.

    Elements are what :func:`quoteattr.pipe` takes: strings, or dicts with ``"id"`` and
    ``"text"``. A string (or a dict without ``"id"``) gets the id ``"<partition>:<index>"``.
    A document that fails gets a result with ``error`` set; the others go on. Lazy:
    nothing runs until the bag is computed.
    """
    import dask
    import dask.bag as db

    if not isinstance(bag, db.Bag):
        raise InputTypeError(f"attribute_bag takes a dask.bag.Bag, not {type(bag).__name__}")
    name = _check_pipeline(pipeline)
    subj = check_subjects(subjects)
    task = dask.delayed(_attribute_partition, pure=True)
    parts = [task(part, k, name, subj) for k, part in enumerate(bag.to_delayed())]
    return db.from_delayed(parts)


def _attribute_frame(
    pdf: pandas.DataFrame, text_column: str, id_column: str | None, pipeline: str,
    subjects: tuple[str, ...] | None,
) -> pandas.DataFrame:
    from .tabular import frame, result_rows

    ids = pdf.index if id_column is None else pdf[id_column]
    chunk = [(str(i), None if _missing(t) else t) for i, t in zip(ids, pdf[text_column])]
    rows = [row for r in _attribute_chunk(chunk, pipeline, subjects) for row in result_rows(r)]
    return frame(rows)


def _missing(value: Any) -> bool:
    # pandas gives NaN/NA for an empty cell; report it like a None text.
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ == "NAType"


def attribute_dataframe(
    ddf: dask.dataframe.DataFrame,
    *,
    text_column: str = "text",
    id_column: str | None = None,
    subjects: Sequence[str] | None = None,
    pipeline: str | os.PathLike[str] = "default",
) -> dask.dataframe.DataFrame:
    """A Dask DataFrame with one row per quotation found in ``ddf[text_column]``.

    The columns are those of :func:`quoteattr.to_pandas` (``doc_id``, ``text``, ``start``,
    ``end``, ``kind``, ``cue_*``, ``speaker_*``, ``stances``, ``confidence``,
    ``error_type``, ``error_message``). ``doc_id`` is ``ddf[id_column]`` as a string, or
    the index when ``id_column`` is None. A row whose text is missing or fails gives one
    row with ``error_type``/``error_message`` set. Rows keep the input's order; the index
    restarts at 0 in each partition.

    >>> import dask.dataframe as dd, pandas as pd
    >>> from quoteattr.dask import attribute_dataframe
    >>> ddf = dd.from_pandas(pd.DataFrame({"id": ["a", "b"], "body": [
    ...     "وقال الوزير إن الخطة جاهزة.", "وأكدت الوزارة أن المدارس ستفتح."]}), npartitions=2)
    >>> out = attribute_dataframe(ddf, text_column="body", id_column="id", pipeline="rules")
    >>> out[["doc_id", "speaker_name"]].compute(scheduler="sync").values.tolist()
    [['a', 'الوزير'], ['b', 'الوزارة']]
    """
    import dask.dataframe as dd

    from .tabular import frame

    if not isinstance(ddf, dd.DataFrame):
        raise InputTypeError(
            f"attribute_dataframe takes a dask.dataframe.DataFrame, not {type(ddf).__name__}"
        )
    for label, col in (("text_column", text_column), ("id_column", id_column)):
        if col is not None and col not in ddf.columns:
            raise InputValueError(f"{label} {col!r} is not a column of the DataFrame "
                                  f"(columns: {list(ddf.columns)})")
    name = _check_pipeline(pipeline)
    subj = check_subjects(subjects)
    return ddf.map_partitions(
        _attribute_frame, text_column, id_column, name, subj,
        meta=frame([]), clear_divisions=True, enforce_metadata=False,
    )


def pipe(
    records: Iterable[str | Mapping[str, Any]],
    *,
    scheduler: str | distributed.Client,
    subjects: Sequence[str] | None = None,
    pipeline: str | os.PathLike[str] = "default",
    batch_size: int = 64,
) -> Iterator[DocResult]:
    """:func:`quoteattr.pipe` on a Dask cluster: one result per input, in order, streaming.

    ``scheduler`` is a scheduler address (``"tcp://10.0.0.5:8786"``) or a
    ``distributed.Client``. Records are read here and sent to the workers in batches of
    ``batch_size``; at most two batches per worker thread are in flight, so memory stays
    flat. A batch whose worker dies (Dask retries it first) gives error results for its
    documents and the stream goes on. This is what ``quoteattr run --dask-scheduler``
    uses.
    """
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('Dask support needs: pip install "quoteattr[dask]"') from None
    subj = check_subjects(subjects)
    name = _check_pipeline(pipeline)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InputValueError(f"batch_size must be a positive int, got {batch_size!r}")
    own = not isinstance(scheduler, Client)
    if own and not isinstance(scheduler, str):
        raise InputTypeError(
            f"scheduler must be an address or a distributed.Client, not {type(scheduler).__name__}"
        )
    client = Client(scheduler, set_as_default=False) if isinstance(scheduler, str) else scheduler
    try:
        in_flight = 2 * max(1, sum(client.nthreads().values()))
        pending: deque = deque()
        for chunk in _chunks((_record(i, r) for i, r in enumerate(records)), batch_size):
            pending.append((chunk, client.submit(_attribute_chunk, chunk, name, subj, pure=False)))
            if len(pending) >= in_flight:
                yield from _gather(*pending.popleft())
        while pending:
            yield from _gather(*pending.popleft())
    finally:
        if own:
            client.close()


def _gather(chunk: list[tuple[str, Any]], future: Any) -> list[DocResult]:
    try:
        return future.result()
    except Exception as exc:  # a worker died on this batch (KilledWorker, ...)
        error = DocError(type(exc).__name__, str(exc))
        return [DocResult(doc_id, (), error) for doc_id, _ in chunk]
