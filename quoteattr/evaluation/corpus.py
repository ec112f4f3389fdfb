"""Read SaudiNewsNet articles in place, by stand-off id.

An article id is ``YYYY-MM-DD#N``: the N-th article (0-based) of that day's JSON
file, read straight from ``YYYY-MM-DD.zip``. Nothing is unpacked or copied: the
corpus licence (CC BY-NC-SA 4.0) keeps its text out of this repository.
"""

from __future__ import annotations

import functools
import json
import os
import zipfile
from pathlib import Path
from typing import Iterator

from ..errors import CorpusError

ENV_VAR = "QUOTEATTR_CORPUS_DIR"


def default_corpus_dir() -> Path:
    """Where the corpus is looked for when no path is given.

    ``$QUOTEATTR_CORPUS_DIR`` wins; otherwise ``../shared/corpora/saudinewsnet``
    relative to the working directory, then relative to this source checkout.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    candidates = [
        Path.cwd() / ".." / "shared" / "corpora" / "saudinewsnet",
        Path(__file__).resolve().parents[3] / "shared" / "corpora" / "saudinewsnet",
    ]
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return candidates[0]


class Corpus:
    """Lazy, cached access to the daily files of a SaudiNewsNet folder."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_corpus_dir()
        if not self.directory.is_dir():
            raise CorpusError(
                f"corpus folder not found: {self.directory}: give the SaudiNewsNet folder "
                f"(--corpus-dir DIR on the command line, corpus_dir= in Python) or set ${ENV_VAR}"
            )
        self._day = functools.lru_cache(maxsize=4)(self._read_day)

    def days(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.zip"))

    def _read_day(self, day: str) -> list[dict]:
        path = self.directory / f"{day}.zip"
        if not path.is_file():
            raise CorpusError(f"no daily file {path.name} in {self.directory}")
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(".json")]
            if not names:
                raise CorpusError(f"{path} holds no .json file")
            return json.loads(zf.read(names[0]).decode("utf-8"))

    def article(self, article_id: str) -> dict:
        """The raw article record; ``content`` is always a ``str``."""
        day, sep, index = article_id.partition("#")
        if not sep or not index.isdigit():
            raise CorpusError(f"bad article id {article_id!r}: expected 'YYYY-MM-DD#N'")
        articles = self._day(day)
        n = int(index)
        if n >= len(articles):
            raise CorpusError(f"{article_id}: {day} has only {len(articles)} articles")
        record = dict(articles[n])
        record["content"] = record.get("content") or ""
        record["id"] = article_id
        return record

    def text(self, article_id: str) -> str:
        return self.article(article_id)["content"]

    def iter_articles(self, days: list[str] | None = None) -> Iterator[dict]:
        """Every article of the given days (all days by default), in corpus order."""
        for day in days or self.days():
            # Read uncached: a full pass must not keep several decoded day files alive.
            for i, record in enumerate(self._read_day(day)):
                out = dict(record)
                out["content"] = out.get("content") or ""
                out["id"] = f"{day}#{i}"
                yield out
