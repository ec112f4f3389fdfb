"""Training examples for the trained components, as spaCy ``DocBin`` files.

Every document is stored already run through the rule layer (``doc._.quotes``,
``doc._.entities``, ``doc._.subjects``), with its gold quotes in
``doc.user_data["quoteattr.gold"]`` in the evaluation format. Three sources:

- **gold**: the ``train`` split of ``benchmarks/gold`` (never ``test``), run with its gold
  stance targets as subjects, the way ``quoteattr evaluate`` runs it;
- **silver speakers** (distant supervision): corpus articles outside both gold splits, where
  the rule layer named an explicit speaker with high confidence; the speaker it found is the
  label;
- **silver stance**: confident favor/against decisions of the rule stance layer toward the
  named entities of those articles, only in masked documents (below): in the others the
  label would be the rule's own feature, and the model would learn to copy it.

In a share of the silver documents (``mask_share``) the cue of every labelled quotation is
replaced by ``[MASK]`` and the rule layer's choices are hidden from the features
(``doc.user_data["quoteattr.hide_rules"]``), so that the model learns to find speakers and
stance from context, as distant-supervision systems such as Quobert do; an evaluative cue
(ندد بـ X) hidden this way leaves its stance to be read from the rest of the sentence.

The gold documents are few beside the silver ones; :func:`gold_docs` is repeated
``gold_repeat`` times in the training file so that they weigh in each epoch.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..neural.components import GOLD, HIDE_RULES
from ..types import Cue, Quote, Speaker

MASK = "[MASK]"
GOLD_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "gold"


def gold_ids(gold_dir: Path = GOLD_DIR) -> set[str]:
    """Ids of every gold article (both splits): kept out of the silver data."""
    ids: set[str] = set()
    for split in ("train", "test"):
        p = gold_dir / f"{split}.jsonl"
        if p.is_file():
            with open(p, encoding="utf-8") as fh:
                ids.update(json.loads(line)["id"] for line in fh if line.strip())
    return ids


def annotate(nlp: Language, text: str, subjects: Iterable[str] | None, gold: list[dict[str, Any]]) -> Doc:
    """``text`` through the rule pipeline ``nlp``, with ``gold`` attached."""
    doc = nlp.make_doc(text)
    subjects = tuple(dict.fromkeys(subjects)) if subjects is not None else None
    doc._.subjects = subjects or None
    doc = nlp(doc)
    doc.user_data[GOLD] = gold
    return doc


def gold_docs(nlp: Language, rows: Iterable[dict[str, Any]]) -> Iterator[Doc]:
    """Gold rows joined with their text (:func:`quoteattr.evaluation.gold.load_gold`)."""
    for row in rows:
        targets = [s["target"] for q in row["quotes"] for s in q.get("stance", [])]
        gold = [{k: q.get(k) for k in ("start", "end", "kind", "speaker", "speaker_aliases", "stance")}
                for q in row["quotes"]]
        yield annotate(nlp, row["text"], targets, gold)


def _silver_gold(doc: Doc, min_confidence: float, min_stance_score: float, with_stance: bool) -> list[dict[str, Any]]:
    out = []
    for q in doc._.quotes or []:
        sp = q.speaker
        explicit = sp is not None and not sp.resolved and q.confidence >= min_confidence and len(sp.name) >= 3
        stance = [{"target": s.subject, "label": s.label} for s in q.stances
                  if with_stance and s.label != "neutral" and s.score >= min_stance_score]
        if explicit or stance:
            out.append({"start": q.start, "end": q.end, "kind": q.kind,
                        # None: not a speaker label (the quote is here for its stance only)
                        "speaker": sp.name if explicit else None, "speaker_aliases": [sp.text] if explicit else [],
                        "stance": stance, "silver_speaker": explicit})
    return out


def silver_docs(
    nlp: Language,
    articles: Iterable[dict[str, Any]],
    *,
    limit: int,
    max_chars: int = 2500,
    mask_share: float = 0.5,
    min_confidence: float = 0.85,
    min_stance_score: float = 0.75,
    seed: int = 13,
) -> Iterator[Doc]:
    """Up to ``limit`` silver documents from corpus ``articles`` (``id``/``content`` records)."""
    rng = random.Random(seed)
    excluded = gold_ids()
    n = 0
    for a in articles:
        text = a["content"]
        if a["id"] in excluded or not text.strip() or len(text) > max_chars:
            continue
        masked = rng.random() < mask_share
        doc = annotate(nlp, text, None, [])
        gold = _silver_gold(doc, min_confidence, min_stance_score, with_stance=masked)
        if not gold:
            continue
        doc.user_data[GOLD] = gold
        if masked:
            masked_doc = mask_cues(nlp, doc)
            if masked_doc is doc:  # no cue could be masked: keep the speakers, drop the stances
                doc.user_data[GOLD] = [{**g, "stance": []} for g in gold if g["silver_speaker"]]
                if not doc.user_data[GOLD]:
                    continue
            doc = masked_doc
        yield doc
        n += 1
        if n >= limit:
            return


def _shifter(edits: list[tuple[int, int, int]]):
    """Offset map for replacing [start, end) spans by strings of the given lengths."""
    def shift(x: int, is_end: bool = False) -> int:
        delta = 0
        for s, e, n in edits:
            if x >= e:
                delta += n - (e - s)
            elif x > s or (x == s and is_end):
                return s + delta + (n if is_end else 0)
        return x + delta
    return shift


def mask_cues(nlp: Language, doc: Doc) -> Doc:
    """A copy of ``doc`` with the cue of each gold quote replaced by ``[MASK]``, every offset
    moved to the new text, and the rule layer's choices hidden from the features."""
    gold = doc.user_data[GOLD]
    quotes: list[Quote] = list(doc._.quotes or [])
    spans = {(g["start"], g["end"]) for g in gold}
    cues = sorted({(q.cue.start, q.cue.end) for q in quotes if q.cue is not None and (q.start, q.end) in spans})
    # Keep cues disjoint and outside every quote's content (a masked word inside a quotation
    # would change what was said).
    cues = [c for c in cues if not any(q.start < c[1] and c[0] < q.end for q in quotes)]
    if not cues:
        return doc
    text = doc.text
    parts, pos = [], 0
    for s, e in cues:
        parts += [text[pos:s], MASK]
        pos = e
    parts.append(text[pos:])
    new_text = "".join(parts)
    shift = _shifter([(s, e, len(MASK)) for s, e in cues])

    def span(obj, **extra):
        s, e = shift(obj.start), shift(obj.end, True)
        text = {"text": new_text[s:e]} if "text" in attrs.fields_dict(type(obj)) else {}
        return attrs.evolve(obj, start=s, end=e, **text, **extra)

    new_quotes = []
    for q in quotes:
        cue = span(q.cue) if q.cue is not None else None
        if q.cue is not None and cue is not None and (q.cue.start, q.cue.end) in cues:
            cue = Cue(MASK, cue.start, cue.end, "", q.cue.category)
        speaker: Speaker | None = span(q.speaker) if q.speaker is not None else None
        new_quotes.append(span(q, cue=cue, speaker=speaker))
    out = nlp.make_doc(new_text)
    out._.quotes = new_quotes
    out._.entities = [span(e) for e in doc._.entities or []]
    out._.subjects = doc._.subjects
    out.user_data[GOLD] = [{**g, "start": shift(g["start"]), "end": shift(g["end"], True)} for g in gold]
    out.user_data[HIDE_RULES] = True
    return out


def write_docbin(docs: Iterable[Doc], path: str | Path) -> int:
    """Write ``docs`` with their user data; return how many."""
    db = DocBin(store_user_data=True)
    n = 0
    for doc in docs:
        db.add(doc)
        n += 1
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)
    return n
