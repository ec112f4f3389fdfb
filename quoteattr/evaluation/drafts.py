"""Check annotation drafts strictly and turn them into stand-off lines.

A draft line is what an annotator writes (``ANNOTATION.md``): for each quotation its
``content`` string, the ``occurrence`` of that string, ``kind``, ``cue``, ``speaker``,
``speaker_aliases``, ``speaker_type`` and ``stance``. :func:`check_draft` validates one draft
against its article and returns the stand-off line with *every* problem it found, so a builder
can reject the article with its id and all the reasons at once.

The checks, beyond the exact-substring ones of :func:`quoteattr.evaluation.gold.draft_to_standoff`:

- content is not empty, has no surrounding spaces, does not end in a full stop, a direct
  quotation does not include its own quotation marks, and an indirect one does not start with
  the complementiser (إن / أن / بأن: the content is the clause after it);
- no two quotations overlap;
- the cue is found in the sentence of the content, the one before it, or (for a trailing cue,
  «...» قال فلان) the sentence that follows the content's end directly; the cue's offsets are
  stored, the occurrence nearest to the content;
- a speaker's type is one of the types, and a quotation without a speaker is ``UNKNOWN``;
- every stance target occurs in the content's sentence or the one before it (the content and
  the cue's complement, or the antecedent of a pronoun in them).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import regex

from ..arabic import ALL_MARKS
from ..normalize import normalize
from ..types import KINDS, SPEAKER_TYPES
from ..types import STANCE_LABELS as LABELS
from .gold import fingerprint

QUOTE_MARKS = "".join(sorted(ALL_MARKS))
# A sentence ends at . ! ? ؟ (one or more, closing marks allowed after) or at a line break.
# (Not after a one-letter abbreviation: د. خالد، د. ب. أ)
_SENT_END = regex.compile(r"(?<!(?:^|[\s(.])\p{L})[.!?؟…]+[\"'»”›)]*(?=\s|$)|\n+")
_COMPLEMENTISER = re.compile(r"^(?:[وف]?(?:إن|أن|بأن|بإن|لأن))(?:\s|$)")
# Characters allowed between a content's end and the start of a trailing cue's sentence.
_GAP = set(" \t\n\u00a0.,،;؛:!?؟…" + QUOTE_MARKS + "()")


_CODE = re.compile(r": \[([a-z-]+)\] ")


def problem_code(message: str) -> str:
    """The short code of a problem message (``content-not-found``, ``overlap``, ...)."""
    m = _CODE.search(message)
    return m.group(1) if m else "other"


def sentence_starts(text: str) -> list[int]:
    """Start offsets of the sentences of ``text`` (the first is always 0)."""
    starts = [0]
    for m in _SENT_END.finditer(text):
        if m.end() < len(text):
            starts.append(m.end())
    return starts


def _find_all(text: str, needle: str) -> list[int]:
    out, pos = [], text.find(needle)
    while pos >= 0:
        out.append(pos)
        pos = text.find(needle, pos + 1)
    return out


def _find_nth(text: str, needle: str, n: int) -> int:
    hits = _find_all(text, needle)
    return hits[n] if 0 <= n < len(hits) else -1


def cue_window(text: str, starts: list[int], start: int, end: int) -> tuple[int, int]:
    """The part of ``text`` where the cue of the content ``[start, end)`` may stand: from the
    sentence before the content's first sentence to the end of its last one, extended over
    the next sentence when only marks and punctuation separate it from the content."""
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_right(starts, max(start, end - 1)) - 1
    lo = starts[max(0, first - 1)]
    hi = starts[last + 1] if last + 1 < len(starts) else len(text)
    if all(c in _GAP for c in text[end:hi]) and last + 2 <= len(starts):
        hi = starts[last + 2] if last + 2 < len(starts) else len(text)
    return lo, hi


def locate_cue(text: str, cue: str, window: tuple[int, int], content: tuple[int, int]) -> int:
    """The start of the occurrence of ``cue`` inside ``window`` nearest to the content, not
    inside it (preceding ones first), or -1."""
    lo, hi = window
    best, best_key = -1, None
    for pos in _find_all(text, cue):
        end = pos + len(cue)
        if pos < lo or end > hi or (pos < content[1] and end > content[0]):
            continue
        key = (0, content[0] - end) if end <= content[0] else (1, pos - content[1])
        if best_key is None or key < best_key:
            best, best_key = pos, key
    return best


def nearest(text: str, needle: str, anchor: int) -> int:
    """The start of the occurrence of ``needle`` nearest to ``anchor`` (-1 if none)."""
    hits = _find_all(text, needle)
    if not hits:
        return -1
    return min(hits, key=lambda p: (abs(p - anchor), p))


def mentioned(scope: str, target: str) -> bool:
    """``target`` occurs in the normalised ``scope``, also after ل that swallows the article's
    alif (الإرهاب in للإرهاب)."""
    t = normalize(target)
    return t in scope or (t.startswith("ال") and "ل" + t[1:] in scope)


def check_quote(
    text: str, starts: list[int], q: dict[str, Any], where: str
) -> tuple[dict[str, Any] | None, list[str]]:
    """One draft quotation: its stand-off form and the problems found (no form if fatal)."""
    errors: list[str] = []
    content = q.get("content")
    if not isinstance(content, str) or not content.strip():
        return None, [f"{where}: [content-empty] content is missing or empty"]
    if content != content.strip():
        errors.append(f"{where}: [content-spaces] content has surrounding spaces: {content[:40]!r}")
    kind = q.get("kind")
    if kind not in KINDS:
        errors.append(f"{where}: [kind] kind {kind!r} not in {KINDS}")
    occurrence = q.get("occurrence", 0)
    if not isinstance(occurrence, int) or occurrence < 0:
        return None, [*errors, f"{where}: [occurrence] occurrence {occurrence!r} is not a non-negative int"]
    start = _find_nth(text, content, occurrence)
    if start < 0:
        n = len(_find_all(text, content))
        return None, [*errors, f"{where}: [content-not-found] content not found (occurrence {occurrence}, "
                               f"{n} found): {content[:60]!r}"]
    end = start + len(content)
    if content.endswith("."):
        errors.append(f"{where}: [full-stop] content ends with a full stop (never content)")
    if kind == "direct" and (content[0] in QUOTE_MARKS or content[-1] in QUOTE_MARKS):
        errors.append(f"{where}: [marks-included] a direct quotation's content excludes its quotation marks")
    if kind in ("indirect", "mixed") and _COMPLEMENTISER.match(content):
        errors.append(f"{where}: [complementiser] indirect content starts with its complementiser "
                      f"(content is the clause after إن/أن/بأن): {content[:30]!r}")
    if kind == "mixed" and not any(c in content for c in QUOTE_MARKS):
        errors.append(f"{where}: [mixed-no-mark] a mixed quotation contains a quoted fragment (no mark inside)")
    cue = q.get("cue")
    cue_start = None
    if cue is not None:
        if not isinstance(cue, str) or not cue.strip() or cue != cue.strip():
            errors.append(f"{where}: [cue-format] cue {cue!r} is empty or has surrounding spaces")
        elif cue not in text:
            errors.append(f"{where}: [cue-not-found] cue {cue!r} is not a substring of the article")
        else:
            window = cue_window(text, starts, start, end)
            cue_start = locate_cue(text, cue, window, (start, end))
            if cue_start < 0:
                errors.append(f"{where}: [cue-window] cue {cue!r} is not in the content's sentence or the "
                              f"one before it")
    speaker = q.get("speaker")
    for what, value in [("speaker", speaker), *(("alias", a) for a in q.get("speaker_aliases", []))]:
        if value is None and what == "speaker":
            continue
        if not isinstance(value, str) or not value.strip() or value not in text:
            errors.append(f"{where}: [{what}-not-found] {what} {value!r} is not a substring of the article")
    stype = q.get("speaker_type", "UNKNOWN" if speaker is None else None)
    if stype not in SPEAKER_TYPES:
        errors.append(f"{where}: [speaker-type] speaker_type {stype!r} not in {SPEAKER_TYPES}")
    elif speaker is None and stype != "UNKNOWN":
        errors.append(f"{where}: [speaker-type] no speaker, so speaker_type must be UNKNOWN, not {stype}")
    stance = []
    lo, hi = cue_window(text, starts, start, end)
    scope = normalize(text[lo:hi])
    for s in q.get("stance", []):
        target, label = s.get("target"), s.get("label")
        if label not in LABELS:
            errors.append(f"{where}: [label] stance label {label!r} not in {LABELS}")
        if not isinstance(target, str) or not target.strip() or target not in text:
            errors.append(f"{where}: [target-not-found] stance target {target!r} is not a substring of the article")
        elif not mentioned(scope, target):
            errors.append(f"{where}: [target-scope] stance target {target!r} is not mentioned in the content's "
                          f"sentence or the one before it")
        else:
            stance.append({"target": target, "label": label})
    row: dict[str, Any] = {
        "start": start,
        "end": end,
        "sha": fingerprint(content),
        "kind": kind,
        "cue": cue,
        "cue_start": cue_start,
        "speaker": speaker,
        "speaker_start": nearest(text, speaker, cue_start if cue_start is not None else start)
        if isinstance(speaker, str) and speaker in text else None,
        "speaker_aliases": list(q.get("speaker_aliases", [])),
        "speaker_type": stype,
        "stance": stance,
    }
    return row, errors


def check_draft(draft: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
    """Validate one draft document against its article text.

    Returns ``(standoff_line, errors)``; the line is only usable when ``errors`` is empty."""
    doc_id = draft.get("id", "?")
    errors: list[str] = []
    quotes = draft.get("quotes")
    if not isinstance(quotes, list):
        return {"id": doc_id, "quotes": []}, [f"{doc_id}: [format] 'quotes' must be a list"]
    starts = sentence_starts(text)
    rows = []
    for i, q in enumerate(quotes):
        where = f"{doc_id} quote {i}"
        if not isinstance(q, dict):
            errors.append(f"{where}: [format] not an object")
            continue
        row, errs = check_quote(text, starts, q, where)
        errors.extend(errs)
        if row is not None:
            rows.append((i, row))
    rows.sort(key=lambda r: (r[1]["start"], r[1]["end"]))
    for (i, a), (j, b) in zip(rows, rows[1:]):
        if b["start"] < a["end"]:
            errors.append(f"{doc_id}: [overlap] quotes {i} and {j} overlap "
                          f"({a['start']}:{a['end']} and {b['start']}:{b['end']})")
    line = {"id": doc_id, "text_sha": fingerprint(text), "quotes": [r for _, r in rows]}
    return line, errors
