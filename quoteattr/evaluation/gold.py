"""Stand-off gold sets: build them from annotation drafts, load them joined with the corpus.

A *draft* line is what an annotator writes (ANNOTATION.md): quotation ``content`` strings
with their ``occurrence``. A *gold* line is stand-off: offsets into the article and a short
fingerprint of each span, never the article text. Loading joins gold with the corpus and
fails loudly (``CorpusError``) when an offset no longer matches its text.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from ..errors import CorpusError
from ..types import KINDS, SPEAKER_TYPES
from ..types import STANCE_LABELS as LABELS
from .corpus import Corpus


def fingerprint(s: str) -> str:
    """A 10-hex-digit digest of a span: detects drift without storing the text."""
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:10]


def _find_nth(text: str, needle: str, n: int) -> int:
    pos = -1
    for _ in range(n + 1):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return -1
    return pos


def _check_substring(text: str, value: str | None, what: str, where: str) -> None:
    if value is not None and value not in text:
        raise CorpusError(f"{where}: {what} {value!r} is not a substring of the article")


def draft_to_standoff(draft: dict[str, Any], text: str) -> dict[str, Any]:
    """Turn one draft document into its stand-off gold line, checking every field."""
    doc_id = draft["id"]
    quotes = []
    for i, q in enumerate(draft.get("quotes", [])):
        where = f"{doc_id} quote {i}"
        content = q["content"]
        if not content or content != content.strip():
            raise CorpusError(f"{where}: content is empty or has surrounding spaces: {content!r}")
        start = _find_nth(text, content, int(q.get("occurrence", 0)))
        if start < 0:
            raise CorpusError(
                f"{where}: content not found (occurrence {q.get('occurrence', 0)}): {content[:60]!r}"
            )
        if q["kind"] not in KINDS:
            raise CorpusError(f"{where}: kind {q['kind']!r} not in {KINDS}")
        _check_substring(text, q.get("cue"), "cue", where)
        _check_substring(text, q.get("speaker"), "speaker", where)
        for alias in q.get("speaker_aliases", []):
            _check_substring(text, alias, "alias", where)
        stype = q.get("speaker_type", "UNKNOWN" if q.get("speaker") is None else None)
        if stype not in SPEAKER_TYPES:
            raise CorpusError(f"{where}: speaker_type {stype!r} not in {SPEAKER_TYPES}")
        stance = []
        for s in q.get("stance", []):
            _check_substring(text, s["target"], "stance target", where)
            if s["label"] not in LABELS:
                raise CorpusError(f"{where}: stance label {s['label']!r} not in {LABELS}")
            stance.append({"target": s["target"], "label": s["label"]})
        quotes.append(
            {
                "start": start,
                "end": start + len(content),
                "sha": fingerprint(content),
                "kind": q["kind"],
                "cue": q.get("cue"),
                "speaker": q.get("speaker"),
                "speaker_aliases": list(q.get("speaker_aliases", [])),
                "speaker_type": stype,
                "stance": stance,
            }
        )
    quotes.sort(key=lambda q: (q["start"], q["end"]))
    for a, b in zip(quotes, quotes[1:]):
        if a["start"] == b["start"] and a["end"] == b["end"]:
            raise CorpusError(f"{doc_id}: the same span is annotated twice at {a['start']}")
    return {"id": doc_id, "text_sha": fingerprint(text), "quotes": quotes}


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{lineno}: not JSON ({exc})") from None
    return out


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def join_gold(rows: Iterable[dict[str, Any]], corpus: Corpus) -> list[dict[str, Any]]:
    """Attach article text to stand-off gold lines, verifying every span's fingerprint."""
    docs = []
    for row in rows:
        text = corpus.text(row["id"])
        if "text_sha" in row and row["text_sha"] != fingerprint(text):
            raise CorpusError(f"{row['id']}: the article text differs from the one annotated")
        for q in row["quotes"]:
            if not 0 <= q["start"] < q["end"] <= len(text):
                raise CorpusError(f"{row['id']}: span {q['start']}:{q['end']} is outside the text")
            if "sha" in q and fingerprint(text[q["start"] : q["end"]]) != q["sha"]:
                raise CorpusError(
                    f"{row['id']}: span {q['start']}:{q['end']} no longer matches its annotation"
                )
        docs.append({**row, "text": text})
    return docs


def load_gold(path: str | Path, corpus: Corpus | None = None) -> list[dict[str, Any]]:
    """Read a stand-off gold file and join it with its corpus articles."""
    return join_gold(read_jsonl(path), corpus or Corpus())
