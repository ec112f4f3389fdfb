"""Checks of the arguments a caller passes, shared by the API, the components and the CLI.

They sit below everything that uses them (nothing here imports the pipeline), and each
raises the library's own error with a message that says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import DocumentTooLongError, InputTypeError, InputValueError
from .normalize import normalize

#: The longest document accepted, in characters (about 1.5 MB of Arabic text).
MAX_LENGTH = 2_000_000
#: At most this many ``subjects`` per call, each at most this many characters.
MAX_SUBJECTS = 100
MAX_SUBJECT_LENGTH = 100


def check_text(text: Any) -> str:
    if not isinstance(text, str):
        if isinstance(text, (bytes, bytearray)):
            hint = ": decode it first, e.g. data.decode('utf-8', errors='replace')"
        elif text is None:
            hint = " (a record without a 'text' field?)"
        else:
            hint = ": pass the document's text as a str"
        raise InputTypeError(f"text must be a str, not {type(text).__name__}{hint}")
    if len(text) > MAX_LENGTH:
        raise DocumentTooLongError(
            f"the text has {len(text):,} characters, more than the limit of {MAX_LENGTH:,}: "
            "split it into articles or paragraphs first"
        )
    return text


def check_subjects(subjects: Any) -> tuple[str, ...] | None:
    if subjects is None:
        return None
    if isinstance(subjects, (str, bytes, bytearray)):
        raise InputTypeError(
            f"subjects must be a list of str, not a single {type(subjects).__name__}: use [subject]"
        )
    try:
        items = tuple(subjects)
    except TypeError:
        raise InputTypeError(
            f"subjects must be a list of str, not {type(subjects).__name__}"
        ) from None
    if len(items) > MAX_SUBJECTS:
        raise InputValueError(
            f"{len(items):,} subjects is more than the limit of {MAX_SUBJECTS}: "
            "ask about fewer subjects per call"
        )
    for s in items:
        if not isinstance(s, str):
            raise InputTypeError(f"every subject must be a str, got {type(s).__name__}: {s!r}")
        if not normalize(s).strip():  # blank, or only diacritics, tatweel or format marks
            raise InputValueError(f"a subject is empty or blank ({s!r}): remove it from subjects")
        if len(s) > MAX_SUBJECT_LENGTH:
            raise InputValueError(
                f"a subject has {len(s):,} characters, more than {MAX_SUBJECT_LENGTH}: "
                "a subject is a name (حماس، الأونروا), not a passage"
            )
    return items


def check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputValueError(f"{name} must be a positive int, got {value!r}")
    return value


def check_records(records: Any) -> Iterable[Any]:
    if isinstance(records, (str, bytes, bytearray, Mapping)):
        raise InputTypeError(
            f"records must be an iterable of texts or {{'id', 'text'}} dicts, not a single "
            f"{type(records).__name__}: wrap it in a list, pipe([record])"
        )
    try:
        iter(records)
    except TypeError:
        raise InputTypeError(
            f"records must be an iterable of texts or {{'id', 'text'}} dicts, not "
            f"{type(records).__name__}"
        ) from None
    return records
