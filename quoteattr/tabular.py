"""Quotations as flat rows: the shape shared by CSV, Parquet, pandas and Dask DataFrames.

One row per quotation, with the document id and the cue and speaker fields spread into
columns (``cue_text``, ``speaker_name``, ...). ``stances`` stays a list of
``{"subject", "label", "score"}`` dicts (a JSON string in CSV).

>>> from quoteattr import attribute_quotes
>>> from quoteattr.tabular import quote_row
>>> row = quote_row("a1", attribute_quotes("وقال الوزير إن الخطة جاهزة.")[0])
>>> row["doc_id"], row["speaker_name"], row["cue_lemma"], row["text"]
('a1', 'الوزير', 'قال', 'الخطة جاهزة')
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Iterable

from .api import DocResult
from .errors import InputTypeError
from .types import Quote

if TYPE_CHECKING:  # pragma: no cover
    import pandas

#: The columns of a quotation row, in order.
QUOTE_COLUMNS: tuple[str, ...] = (
    "doc_id", "text", "start", "end", "kind",
    "cue_text", "cue_start", "cue_end", "cue_lemma", "cue_category",
    "speaker_text", "speaker_start", "speaker_end", "speaker_name", "speaker_resolved",
    "stances", "confidence",
)
#: Two more columns in DataFrames: set, with the quotation columns empty, on the one row
#: of a document that failed.
ERROR_COLUMNS: tuple[str, ...] = ("error_type", "error_message")

_INT = ("start", "end", "cue_start", "cue_end", "speaker_start", "speaker_end")
_STR = ("doc_id", "text", "kind", "cue_text", "cue_lemma", "cue_category",
        "speaker_text", "speaker_name", *ERROR_COLUMNS)

#: pandas dtypes of :func:`to_pandas` and ``quoteattr.dask.attribute_dataframe`` (nullable).
PANDAS_DTYPES: dict[str, str] = {
    **{c: "string" for c in _STR},
    **{c: "Int64" for c in _INT},
    "speaker_resolved": "boolean",
    "stances": "object",
    "confidence": "float64",
}


def quote_row(doc_id: str | None, quote: Quote) -> dict[str, Any]:
    """The flat row of one quotation (keys: :data:`QUOTE_COLUMNS`)."""
    cue, sp = quote.cue, quote.speaker
    return {
        "doc_id": doc_id,
        "text": quote.text,
        "start": quote.start,
        "end": quote.end,
        "kind": quote.kind,
        "cue_text": cue.text if cue else None,
        "cue_start": cue.start if cue else None,
        "cue_end": cue.end if cue else None,
        "cue_lemma": cue.lemma if cue else None,
        "cue_category": cue.category if cue else None,
        "speaker_text": sp.text if sp else None,
        "speaker_start": sp.start if sp else None,
        "speaker_end": sp.end if sp else None,
        "speaker_name": sp.name if sp else None,
        "speaker_resolved": sp.resolved if sp else None,
        "stances": [s.to_dict() for s in quote.stances],
        "confidence": round(quote.confidence, 4),
    }


def result_rows(result: DocResult) -> list[dict[str, Any]]:
    """The rows of one :class:`~quoteattr.DocResult`: a row per quote, or one error row."""
    if result.error is not None:
        row: dict[str, Any] = dict.fromkeys(QUOTE_COLUMNS)
        row.update(doc_id=result.id, stances=[], confidence=None,
                   error_type=result.error.type, error_message=result.error.message)
        return [row]
    rows = [quote_row(result.id, q) for q in result.quotes]
    for row in rows:
        row["error_type"] = row["error_message"] = None
    return rows


def frame(rows: Iterable[dict[str, Any]]) -> pandas.DataFrame:
    """A pandas DataFrame with the columns and dtypes of :data:`PANDAS_DTYPES`."""
    import pandas as pd

    columns = [*QUOTE_COLUMNS, *ERROR_COLUMNS]
    df = pd.DataFrame(list(rows), columns=columns)
    return df.astype(PANDAS_DTYPES)


def to_pandas(results: Iterable[DocResult | Quote]) -> pandas.DataFrame:
    """Results of :func:`quoteattr.pipe` (or quotes of one text) as a pandas DataFrame.

    One row per quotation (columns :data:`QUOTE_COLUMNS`). A document that failed gets
    one row with ``error_type`` and ``error_message`` set and the quotation columns empty,
    and a warning says how many failed; documents without quotations have no row. Needs
    pandas (``pip install "quoteattr[pandas]"``).

    >>> import quoteattr
    >>> df = quoteattr.to_pandas(quoteattr.pipe(
    ...     [{"id": "a", "text": "وقال الوزير إن الخطة جاهزة. وأضاف أن التنفيذ يبدأ غدا."}]))
    >>> df[["doc_id", "speaker_name", "text"]].values.tolist()
    [['a', 'الوزير', 'الخطة جاهزة'], ['a', 'الوزير', 'التنفيذ يبدأ غدا']]
    """
    try:
        import pandas  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError('to_pandas needs pandas: pip install "quoteattr[pandas]"') from None
    rows: list[dict[str, Any]] = []
    failed = []
    for item in results:
        if isinstance(item, DocResult):
            rows.extend(result_rows(item))
            if item.error is not None:
                failed.append(item.id)
        elif isinstance(item, Quote):
            rows.append({**quote_row(None, item), "error_type": None, "error_message": None})
        else:
            raise InputTypeError(
                f"to_pandas takes DocResult or Quote items, not {type(item).__name__}"
            )
    if failed:
        shown = ", ".join(failed[:5]) + (" ..." if len(failed) > 5 else "")
        warnings.warn(f"{len(failed)} document(s) failed and have an error row: {shown}",
                      stacklevel=2)
    return frame(rows)


def arrow_schema():
    """The pyarrow schema of the Parquet output (the columns of :data:`QUOTE_COLUMNS`)."""
    import pyarrow as pa

    stance = pa.struct([("subject", pa.string()), ("label", pa.string()), ("score", pa.float64())])
    types = {c: pa.string() for c in _STR}
    types.update({c: pa.int64() for c in _INT})
    types.update(speaker_resolved=pa.bool_(), stances=pa.list_(stance), confidence=pa.float64())
    return pa.schema([(c, types[c]) for c in QUOTE_COLUMNS])
