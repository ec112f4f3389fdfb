"""The one reader of the package's data files: TSV lexicons under ``<package>/data/``.

A TSV file has ``#`` comment lines, one header line, then data rows separated by tabs; blank
lines are skipped. Each loader checks its own columns and raises
:class:`~quoteattr.errors.LexiconError` naming the file and line.
"""

from __future__ import annotations

from importlib import resources
from typing import Iterator

from .errors import LexiconError


def read_tsv_rows(package: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, columns)`` for each data row of ``package``'s ``data/name`` TSV file.

    Blank lines and ``#`` comments are skipped, and so is the first other line (the header).
    Raises :class:`LexiconError` when the file is missing.
    """
    try:
        text = (resources.files(package) / "data" / name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        raise LexiconError(f"lexicon file {package}/data/{name} is missing: reinstall quoteattr") from exc
    yield from parse_tsv(text)


def parse_tsv(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, columns)`` for each data row of a TSV text: blank lines, ``#`` comments
    and the header (the first other line) are skipped."""
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        yield lineno, line.split("\t")
