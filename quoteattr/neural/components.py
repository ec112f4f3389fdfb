"""The two trainable components: ``quoteattr_speaker_linker`` and ``quoteattr_stance_classifier``.

Both follow spaCy's trainable-pipe shape (``initialize``/``update``/``predict``/
``set_annotations``, ``to_disk``/``from_disk`` from :class:`~spacy.pipeline.TrainablePipe`) and
score pairs with :func:`quoteattr.neural.model.build_pair_scorer`, whose ``tok2vec`` is, in the
shipped pipeline, a listener of one shared ``spacy-transformers`` ``Transformer``. They run
after the rule components and revise what those left in ``doc._.quotes``:

- the **speaker linker** scores every candidate of :func:`~quoteattr.neural.features.speaker_candidates`
  for each quote and normalises the scores per quote (softmax); candidates that name the same
  source (the rule's mention, the entity, PREV) add up their probabilities, and the rule
  choice is replaced only when another source reaches ``threshold``;
- the **stance classifier** labels each (quote, subject) pair the rule stance layer labelled;
  the rule's label and score are among its features, and its own label replaces the rule's
  only when its probability is ``>= threshold`` and, with ``rule_neutral_only`` (the
  default), only where the rules said neutral: where the lexicon found evidence the rules
  decide, where it found none the classifier does. The stance's ``score`` is then the
  classifier's probability.

The thresholds are part of the component config (``[components.*.threshold]``) and are chosen
on development data by ``quoteattr train``.

Training examples carry their gold in ``example.reference.user_data["quoteattr.gold"]``: the
gold quotes of the evaluation format (``start``, ``end``, ``speaker``, ``speaker_aliases``,
``stance``); see :mod:`quoteattr.training.data`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

import attrs
import numpy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Model, Optimizer, set_dropout_rate

from ..evaluation.scorer import match_overlap, names_match, speaker_correct, stance_f1
from ..normalize import normalize
from ..pipeline.components import register_extensions
from ..rules.view import TextView
from ..stance.subjects import find_subject_mentions
from ..types import STANCE_LABELS, Quote
from .features import (
    NONE,
    PREV,
    SPEAKER_FEATURES,
    STANCE_FEATURES,
    CandidateIndex,
    as_speaker,
    rule_choice,
    speaker_candidates,
    stance_pairs,
    with_stance,
)
from .model import PairBatch

GOLD = "quoteattr.gold"
#: Set on training documents whose cue was masked: the rule layer's choices are hidden.
HIDE_RULES = "quoteattr.hide_rules"


def _token_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Character start and end of every token (one array read, not a Token per token)."""
    if not len(doc):
        return [], []
    arr = doc.to_array([IDX, LENGTH])
    starts = arr[:, 0].tolist()
    return starts, (arr[:, 0] + arr[:, 1]).tolist()


def _tokens(bounds: tuple[list[int], list[int]], start: int, end: int) -> tuple[int, int]:
    """Token range [t0, t1) covering characters [start, end); empty when start == end."""
    starts, ends = bounds
    t0 = bisect.bisect_right(ends, start)
    if end <= start:
        return t0, t0
    return t0, max(t0, bisect.bisect_left(starts, end))


def _rounded(p: Any) -> float:
    """A probability to 4 decimals: a batch of several documents pads the transformer's input
    and moves the 7th decimal, which must not show (a text gives the same output alone or in
    a batch of :func:`quoteattr.pipe`)."""
    return round(float(p), 4)


def _softmax(x: numpy.ndarray, axis: int = -1) -> numpy.ndarray:
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _gold_of(example: Example) -> dict[int, dict[str, Any]]:
    """Predicted quote index → its matched gold quote (overlap matching, as the evaluation)."""
    gold = example.reference.user_data.get(GOLD) or []
    quotes = example.predicted._.quotes or []
    m = match_overlap([(g["start"], g["end"]) for g in gold], [(q.start, q.end) for q in quotes])
    return {j: gold[i] for i, j in m.items()}


def _source_key(c: Any) -> str:
    """Which source a speaker candidate names: its normalised fullest name ("" for none)."""
    return "" if c.kind == NONE else normalize(c.name or c.text)


class _PairPipe(TrainablePipe):
    """What both components share: pair batches, the update loop, initialisation."""

    n_features: int

    def __init__(self, vocab: Vocab, model: Model, name: str, *, threshold: float) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"threshold": float(threshold)}
        register_extensions()

    @property
    def threshold(self) -> float:
        return float(self.cfg["threshold"])

    def _items(self, doc: Doc) -> tuple[list[Any], list[tuple[int, int, int, int]], list[tuple[float, ...]]]:
        raise NotImplementedError

    def _batch(self, docs: Sequence[Doc]) -> tuple[PairBatch, list[list[Any]]]:
        items, spans, feats = [], [], []
        for doc in docs:
            it, sp, ft = self._items(doc)
            items.append(it)
            spans.append(numpy.asarray(sp, dtype="int64").reshape(-1, 4))
            feats.append(numpy.asarray(ft, dtype="float32").reshape(-1, self.n_features))
        return PairBatch(list(docs), spans, feats), items

    def predict(self, docs: Iterable[Doc]) -> tuple[list[list[Any]], numpy.ndarray]:
        docs = list(docs)
        batch, items = self._batch(docs)
        # The listener must see every batch the transformer produced, pairs or not.
        scores = self.model.predict(batch)
        return items, self.model.ops.to_numpy(scores)

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, f"{type(self).__name__}.update")
        batch, items = self._batch([eg.predicted for eg in examples])
        set_dropout_rate(self.model, drop)
        scores, backprop = self.model.begin_update(batch)
        loss, d_scores = self.get_loss(examples, (items, self.model.ops.to_numpy(scores)))
        backprop(self.model.ops.asarray2f(d_scores))  # always: the shared transformer waits for it
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None) -> None:
        validate_get_examples(get_examples, f"{type(self).__name__}.initialize")
        docs = [eg.predicted for eg in islice(get_examples(), 10)]
        batch, _ = self._batch(docs)
        self.model.initialize(X=batch)


class SpeakerLinker(_PairPipe):
    """Chooses each quote's speaker among the candidates (see the module docstring)."""

    n_features = len(SPEAKER_FEATURES)

    def _candidates(self, doc: Doc) -> list[tuple[int, list]]:
        quotes: list[Quote] = doc._.quotes or []
        entities = doc._.entities if Doc.has_extension("entities") and doc._.entities is not None else []
        hide = bool(doc.user_data.get(HIDE_RULES))
        index = CandidateIndex.build(quotes, entities)
        text = doc.text  # Doc.text joins every token: once per document
        out = []
        for i in range(len(quotes)):
            previous = quotes[i - 1].speaker if i > 0 else None
            out.append((i, speaker_candidates(text, quotes, i, entities, previous, hide_rule=hide, index=index)))
        return out

    def _items(self, doc):
        bounds = _token_bounds(doc)
        items, spans, feats = [], [], []
        for i, cands in self._candidates(doc):
            q = doc._.quotes[i]
            a = _tokens(bounds, q.cue.start, q.cue.end) if q.cue is not None else _tokens(bounds, q.start, q.end)
            a = (a[0], min(a[1], a[0] + 32))
            items.append((i, cands))
            for c in cands:
                spans.append((*a, *_tokens(bounds, c.start, c.end)))
                feats.append(c.features)
        return items, spans, feats

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, numpy.ndarray]:
        items, flat = scores
        d = numpy.zeros_like(flat)
        loss, row = 0.0, 0
        for eg, doc_items in zip(examples, items):
            gold = _gold_of(eg)
            quotes = eg.predicted._.quotes or []
            for i, cands in doc_items:
                n = len(cands)
                g = gold.get(i)
                if g is not None:
                    has_speaker = bool(g.get("speaker"))
                    target = numpy.array([
                        not has_speaker if c.kind == NONE else has_speaker and names_match(g, (c.name, c.text))
                        for c in cands
                    ], dtype=bool)
                    if c_prev := [k for k, c in enumerate(cands) if c.kind == PREV]:
                        prev = quotes[i - 1].speaker  # PREV is right when the rule's previous speaker is
                        target[c_prev[0]] = has_speaker and prev is not None and names_match(g, (prev.name, prev.text))
                    if target.any():
                        p = _softmax(flat[row : row + n, 0])
                        q = p * target
                        mass = q.sum()
                        loss -= float(numpy.log(max(mass, 1e-9)))
                        d[row : row + n, 0] = (p - q / max(mass, 1e-9)) / max(1, len(doc_items))
                row += n
        return loss, d

    def set_annotations(self, docs: Iterable[Doc], scores) -> None:
        items, flat = scores
        row = 0
        for doc, doc_items in zip(docs, items):
            quotes = list(doc._.quotes or [])
            for i, cands in doc_items:
                n = len(cands)
                p = _softmax(flat[row : row + n, 0])
                row += n
                rc = rule_choice(cands)
                # Several candidates often name one source (the rule's mention, the entity,
                # PREV): their probabilities add up. Override only for another source.
                groups: dict[str, float] = {}
                for c, pc in zip(cands, p):
                    key = _source_key(c)
                    groups[key] = groups.get(key, 0.0) + float(pc)
                best = max(groups, key=groups.__getitem__)
                if best == _source_key(cands[rc]) or groups[best] < self.threshold:
                    continue
                k = max((j for j, c in enumerate(cands) if _source_key(c) == best), key=lambda j: p[j])
                chosen = cands[k]
                if chosen.kind == PREV:
                    speaker = quotes[i - 1].speaker if i > 0 else None
                    if speaker is not None:
                        speaker = attrs.evolve(speaker, resolved=True)
                else:
                    speaker = as_speaker(chosen)
                quotes[i] = attrs.evolve(quotes[i], speaker=speaker, confidence=_rounded(groups[best]))
            doc._.quotes = quotes

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        """``speaker_acc``: share of gold quotes with a speaker whose matched prediction has it."""
        right = total = 0
        for eg in examples:
            gold = eg.reference.user_data.get(GOLD) or []
            quotes = eg.predicted._.quotes or []
            m = match_overlap([(g["start"], g["end"]) for g in gold], [(q.start, q.end) for q in quotes])
            for gi, g in enumerate(gold):
                if not g.get("speaker"):
                    continue
                total += 1
                right += speaker_correct(quotes[m[gi]] if gi in m else None, g)
        return {"speaker_acc": right / total if total else 0.0}


def _rule_label(q: Quote, subject: str) -> str | None:
    return next((s.label for s in q.stances if s.subject == subject), None)


class StanceClassifier(_PairPipe):
    """Labels each (quote, subject) pair; see the module docstring for how it meets the rules."""

    n_features = len(STANCE_FEATURES)

    def __init__(self, vocab: Vocab, model: Model, name: str, *, threshold: float, rule_neutral_only: bool) -> None:
        super().__init__(vocab, model, name, threshold=threshold)
        self.cfg["rule_neutral_only"] = bool(rule_neutral_only)

    def _pairs(self, doc: Doc):
        quotes: list[Quote] = doc._.quotes or []
        subjects = {st.subject for q in quotes for st in q.stances}
        if not subjects:
            return []
        view = TextView(doc.text)
        mentions = {
            s: [view.original(m.start, m.end) for m in find_subject_mentions(view.norm, s)] for s in sorted(subjects)
        }
        return stance_pairs(doc.text, quotes, mentions, hide_rule=bool(doc.user_data.get(HIDE_RULES)))

    def _items(self, doc):
        bounds = _token_bounds(doc)
        quotes = doc._.quotes or []
        items, spans, feats = [], [], []
        for pair in self._pairs(doc):
            q = quotes[pair.quote_index]
            a = _tokens(bounds, q.start, q.end)
            items.append(pair)
            spans.append((a[0], min(a[1], a[0] + 96), *_tokens(bounds, pair.start, pair.end)))
            feats.append(pair.features)
        return items, spans, feats

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, numpy.ndarray]:
        items, flat = scores
        d = numpy.zeros_like(flat)
        loss, row = 0.0, 0
        rows: list[tuple[int, int]] = []
        for eg, pairs in zip(examples, items):
            gold = _gold_of(eg)
            for pair in pairs:
                g = gold.get(pair.quote_index)
                label = None
                if g is not None:
                    label = next((s["label"] for s in g.get("stance", [])
                                  if normalize(s["target"]) == normalize(pair.subject)), None)
                if label is not None:
                    rows.append((row, STANCE_LABELS.index(label)))
                row += 1
        if rows:
            p = _softmax(flat[[r for r, _ in rows]])
            for (r, y), pr in zip(rows, p):
                loss -= float(numpy.log(max(pr[y], 1e-9)))
                grad = pr.copy()
                grad[y] -= 1.0
                d[r] = grad / len(rows)
        return loss, d

    def set_annotations(self, docs: Iterable[Doc], scores) -> None:
        items, flat = scores
        row = 0
        only_neutral = bool(self.cfg.get("rule_neutral_only", False))
        for doc, pairs in zip(docs, items):
            quotes = list(doc._.quotes or [])
            for pair in pairs:
                p = _softmax(flat[row])
                row += 1
                k = int(p.argmax())
                if only_neutral and _rule_label(quotes[pair.quote_index], pair.subject) != "neutral":
                    continue  # the rules found evidence: theirs is the label
                if p[k] >= self.threshold:
                    i = pair.quote_index
                    quotes[i] = with_stance(quotes[i], pair.subject, STANCE_LABELS[k], _rounded(p[k]))
            doc._.quotes = quotes

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        """``stance_macro_f1`` over the gold (quote, target) pairs of matched quotes."""
        gold_l, pred_l = [], []
        for eg in examples:
            gold = eg.reference.user_data.get(GOLD) or []
            quotes = eg.predicted._.quotes or []
            m = match_overlap([(g["start"], g["end"]) for g in gold], [(q.start, q.end) for q in quotes])
            for gi, g in enumerate(gold):
                for s in g.get("stance", []):
                    q = quotes[m[gi]] if gi in m else None
                    found = next((st.label for st in (q.stances if q else ())
                                  if normalize(st.subject) == normalize(s["target"])), None)
                    gold_l.append(s["label"])
                    pred_l.append(found or "missed")
        return {"stance_macro_f1": stance_f1(gold_l, pred_l)[1]}


def _default_model(n_features: int, n_out: int) -> dict[str, Any]:
    """The factories' default model: the pair scorer over a listener of the shared transformer."""
    return {
        "@architectures": "quoteattr.PairScorer.v1",
        "width": 256,
        "n_features": n_features,
        "hidden_width": 64,
        "n_out": n_out,
        "dropout": 0.1,
        "tok2vec": {
            "@architectures": "spacy-transformers.TransformerListener.v1",
            "grad_factor": 1.0,
            "upstream": "*",
            "pooling": {"@layers": "reduce_mean.v1"},
        },
    }


@Language.factory(
    "quoteattr_speaker_linker",
    default_config={"model": _default_model(len(SPEAKER_FEATURES), 1), "threshold": 0.6},
    default_score_weights={"speaker_acc": 1.0},
)
def make_speaker_linker(nlp: Language, name: str, model: Model, threshold: float) -> SpeakerLinker:
    return SpeakerLinker(nlp.vocab, model, name, threshold=threshold)


@Language.factory(
    "quoteattr_stance_classifier",
    default_config={"model": _default_model(len(STANCE_FEATURES), 3), "threshold": 0.6, "rule_neutral_only": True},
    default_score_weights={"stance_macro_f1": 1.0},
)
def make_stance_classifier(
    nlp: Language, name: str, model: Model, threshold: float, rule_neutral_only: bool
) -> StanceClassifier:
    return StanceClassifier(nlp.vocab, model, name, threshold=threshold, rule_neutral_only=rule_neutral_only)
