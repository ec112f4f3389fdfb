"""The annotated training corpus (``benchmarks/corpus``) as spaCy ``Example`` objects.

The corpus is stand-off, like the development gold: one JSON line per article with the
offsets and fingerprints of its quotations, and the short strings the guideline allows
(cue, speaker, aliases, stance targets). :func:`load_corpus` joins it with the SaudiNewsNet
texts (and fails loudly when an offset no longer matches); :func:`corpus_examples` yields one
``Example`` per article whose reference ``Doc`` carries

- ``doc.spans["quotes"]``: the quotation contents, labelled by kind (direct/indirect/mixed);
- ``doc.spans["cues"]``: the cues, labelled ``CUE``;
- ``doc.spans["speakers"]``: for each quotation with a speaker, the mention of its speaker
  nearest to its cue (its speaker string or one of its aliases), labelled with the speaker
  type;
- the span's ``id_`` (the same string in the three groups) ties a cue and a speaker to their
  quotation: ``q0``, ``q1`` ...;
- ``doc.user_data["quoteattr.gold"]``: the quotations in the evaluation format (character
  offsets into ``doc.text``, speaker, aliases, stance pairs), which the trained components
  read.

Spans are widened to whole tokens of the pipeline's tokenizer (``وحماس`` is one token); the
character offsets in ``user_data`` are exact. The ``train`` split of ``benchmarks/gold`` is a
separate file (:func:`quoteattr.training.data.gold_docs`); the blind re-annotation of the
``test`` articles (``benchmarks/corpus/process``) is never read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.training import Example

from ..errors import CorpusError

GOLD = "quoteattr.gold"
CORPUS_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "annotations"
# A speaker mention this far from the cue (characters) is still the local one.
MENTION_REACH = 400


def load_corpus(folder: str | Path | None = None, corpus_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """The annotated articles of ``folder`` (default: the source checkout's
    ``benchmarks/corpus/annotations``), joined with their texts, in file order."""
    from ..evaluation.corpus import Corpus
    from ..evaluation.gold import join_gold, read_jsonl

    folder = Path(folder) if folder is not None else CORPUS_DIR
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        raise CorpusError(f"no annotation files (*.jsonl) in {folder}")
    rows = [row for path in files for row in read_jsonl(path)]
    return join_gold(rows, Corpus(corpus_dir))


def _occurrences(text: str, needle: str) -> Iterator[int]:
    pos = text.find(needle)
    while pos >= 0:
        yield pos
        pos = text.find(needle, pos + 1)


def speaker_mention(text: str, q: dict[str, Any]) -> tuple[int, int] | None:
    """The mention of the quotation's speaker nearest to its cue (or its content): the
    speaker string or an alias, preferring one before the cue within ``MENTION_REACH``."""
    names = [n for n in [q.get("speaker"), *q.get("speaker_aliases", [])] if n]
    if not names:
        return None
    anchor = q["cue_start"] if q.get("cue_start") is not None else q["start"]
    best, best_key = None, None
    for name in names:
        for pos in _occurrences(text, name):
            end = pos + len(name)
            if q["start"] <= pos < q["end"]:
                continue  # inside the quotation: not the one who speaks it
            before = end <= anchor
            distance = anchor - end if before else pos - anchor
            key = (0 if before and distance <= MENTION_REACH else 1, distance, -len(name))
            if best_key is None or key < best_key:
                best, best_key = (pos, end), key
    return best


def reference_doc(nlp: Language, doc: dict[str, Any]):
    """The reference ``Doc`` of one joined article (see the module docstring)."""
    text = doc["text"]
    ref = nlp.make_doc(text)
    quotes, cues, speakers, gold = [], [], [], []
    for i, q in enumerate(doc["quotes"]):
        key = f"q{i}"
        quotes.append((q["start"], q["end"], q["kind"], key))
        if q.get("cue") and q.get("cue_start") is not None:
            cues.append((q["cue_start"], q["cue_start"] + len(q["cue"]), "CUE", key))
        mention = speaker_mention(text, q)
        if mention is not None:
            speakers.append((*mention, q.get("speaker_type") or "UNKNOWN", key))
        gold.append({"start": q["start"], "end": q["end"], "kind": q["kind"], "cue": q.get("cue"),
                     "cue_start": q.get("cue_start"), "speaker": q.get("speaker"),
                     "speaker_aliases": list(q.get("speaker_aliases", [])),
                     "speaker_mention": list(mention) if mention else None,
                     "speaker_type": q.get("speaker_type"), "stance": list(q.get("stance", []))})
    for group, items in (("quotes", quotes), ("cues", cues), ("speakers", speakers)):
        spans = []
        for start, end, label, key in items:
            span = ref.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                span.id_ = key
                spans.append(span)
        ref.spans[group] = spans
    ref.user_data[GOLD] = gold
    return ref


def corpus_examples(nlp: Language, docs: Iterable[dict[str, Any]]) -> Iterator[Example]:
    """One ``Example(predicted, reference)`` per joined article; the predicted ``Doc`` is the
    bare tokenisation (components fill it in training)."""
    for doc in docs:
        ref = reference_doc(nlp, doc)
        yield Example(nlp.make_doc(doc["text"]), ref)
