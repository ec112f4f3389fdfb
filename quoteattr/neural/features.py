"""What the trained components score: candidate speakers and (quote, subject) pairs.

The rule layer proposes; the trained layer chooses. For each quotation the candidates are
the rule layer's own speaker, every person, organisation or place named near the cue, the
speaker mentions of the quotations around it, and two pseudo-candidates: *no speaker* and
*the same speaker as the previous quotation*. Each candidate carries the character spans the
encoder pools over (the cue and the candidate) and a short vector of features that say what
the rules know: whether it is the rule choice, where it stands relative to the cue, what kind
of mention it is. Everything here is plain Python over the public value classes, so the same
code builds training examples and runs at prediction time.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

import attrs

from ..arabic import FEATURE_WORD, SENTENCE_END
from ..normalize import normalize
from ..types import Quote, Speaker, Stance

#: Characters of text before the cue / after the quote where candidates are looked for.
WINDOW_BEFORE = 400
WINDOW_AFTER = 160
NONE, PREV = "none", "prev"
SPEAKER_LABELS = ("PER", "ORG", "GPE")

#: Names of the speaker-candidate features, in order (the model card lists them).
SPEAKER_FEATURES = (
    "is_rule_choice", "entity_PER", "entity_ORG", "entity_GPE", "rule_mention",
    "before_cue", "after_cue", "inside_quote", "log_distance", "same_sentence",
    "candidates_between", "is_none", "is_prev", "rule_speaker_implicit", "direct", "indirect",
    "right_after_cue", "rule_confidence", "speaks_elsewhere", "length_words", "no_cue",
    "overlaps_entity",
)
#: Names of the stance-pair features, in order.
STANCE_FEATURES = (
    "rule_favor", "rule_against", "rule_neutral", "rule_score", "mentioned_in_quote",
    "mentions_in_quote", "speaker_is_subject", "direct", "indirect", "mixed", "no_mention",
)


@attrs.frozen(slots=True)
class Candidate:
    """One possible speaker of a quotation, in the caller's character offsets."""

    kind: str  # "mention" (a span of the text), NONE or PREV
    start: int
    end: int
    text: str
    name: str
    features: tuple[float, ...]


@attrs.frozen(slots=True)
class StancePair:
    """One (quotation, subject) pair: the quote span, the subject's mention and features."""

    quote_index: int
    subject: str
    start: int  # the mention of the subject used by the encoder (start == end: none found)
    end: int
    features: tuple[float, ...]


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    lo = max((m.end() for m in SENTENCE_END.finditer(text, max(0, pos - 600), pos)), default=max(0, pos - 600))
    m = SENTENCE_END.search(text, pos, min(len(text), pos + 600))
    return lo, m.start() if m else min(len(text), pos + 600)


def _fullest_names(entities: Sequence[Any]) -> dict[str, str]:
    """For each entity's canonical name (or text), the longest mention of it in the document."""
    out: dict[str, str] = {}
    for e in entities:
        key = normalize(e.canonical or e.text)
        if len(e.text) > len(out.get(key, "")):
            out[key] = e.text
    return out


def _anchor(q: Quote) -> tuple[int, int]:
    """What the candidates are measured from: the cue, or the quote's start without one."""
    return (q.cue.start, q.cue.end) if q.cue is not None else (q.start, q.start)


@attrs.frozen(slots=True)
class CandidateIndex:
    """What :func:`speaker_candidates` looks up, built once per document so that the cost
    per quote does not grow with the document (entities and speakers by position)."""

    entities: tuple[Any, ...]  # speaker-like entities (PER/ORG/GPE), by start
    entity_starts: tuple[int, ...]
    fullest: dict[str, str]
    speakers: tuple[tuple[int, int, int, Speaker], ...]  # (start, end, quote index, speaker), by start
    speaker_starts: tuple[int, ...]
    speaker_spans: dict[tuple[int, int], int]  # how many quotes have each speaker span

    @classmethod
    def build(cls, quotes: Sequence[Quote], entities: Sequence[Any]) -> CandidateIndex:
        ents = tuple(sorted((e for e in entities if e.label in SPEAKER_LABELS), key=lambda e: (e.start, e.end)))
        sps = tuple(sorted((q.speaker.start, q.speaker.end, j, q.speaker) for j, q in enumerate(quotes) if q.speaker))
        counts: dict[tuple[int, int], int] = {}
        for x in sps:
            counts[(x[0], x[1])] = counts.get((x[0], x[1]), 0) + 1
        return cls(ents, tuple(e.start for e in ents), _fullest_names(entities), sps, tuple(x[0] for x in sps), counts)

    def entities_in(self, lo: int, hi: int) -> tuple[Any, ...]:
        return self.entities[bisect.bisect_left(self.entity_starts, lo) : bisect.bisect_left(self.entity_starts, hi)]

    def speakers_in(self, lo: int, hi: int) -> tuple[tuple[int, int, int, Speaker], ...]:
        return self.speakers[bisect.bisect_left(self.speaker_starts, lo) : bisect.bisect_left(self.speaker_starts, hi)]


def speaker_candidates(
    text: str,
    quotes: Sequence[Quote],
    i: int,
    entities: Sequence[Any],
    previous: Speaker | None,
    *,
    hide_rule: bool = False,
    index: CandidateIndex | None = None,
) -> list[Candidate]:
    """The candidates for quote ``i``: NONE first, PREV second, then mentions in text order.

    ``previous`` is the speaker finally given to quote ``i - 1`` (PREV copies it).
    ``hide_rule`` zeroes what the rule layer decided (training on masked cues). ``index``:
    :meth:`CandidateIndex.build` of ``quotes`` and ``entities``, to reuse across the quotes
    of a document.
    """
    index = index or CandidateIndex.build(quotes, entities)
    q = quotes[i]
    a0, a1 = _anchor(q)
    lo, hi = max(0, min(q.start, a0) - WINDOW_BEFORE), min(len(text), max(q.end, a1) + WINDOW_AFTER)
    rule = q.speaker if not hide_rule else None
    rule_name = normalize(rule.name) if rule else ""
    sent = _sentence_of(text, a0)
    own = (q.speaker.start, q.speaker.end) if q.speaker else None
    spans: dict[tuple[int, int], tuple[str, str]] = {}  # span -> (source, name)
    for e in index.entities_in(lo, hi):
        if not e.nested and e.end <= hi:
            spans[(e.start, e.end)] = (e.label, index.fullest.get(normalize(e.canonical or e.text), e.text))
    for s0, e0, j, sp in index.speakers_in(lo, hi):
        # Another quote's pro-drop verb (مضيفا، وأكد) only repeats its antecedent, which is a
        # candidate already (or PREV): leave it out.
        if (j != i and sp.resolved) or (s0, e0) in spans or e0 > hi:
            continue
        spans[(s0, e0)] = ("rule", sp.name)
    nearby_entities = [(e.start, e.end) for e in index.entities_in(max(0, lo - 200), hi)]
    ordered = sorted(spans.items())
    anchor_order = [s for (s, _), _ in ordered]
    conf = q.confidence if not hide_rule else 0.0
    common = [
        1.0 if rule is not None and (rule.text != rule.name or rule.resolved) else 0.0,
        1.0 if q.kind == "direct" else 0.0,
        1.0 if q.kind == "indirect" else 0.0,
    ]
    out = [
        Candidate(NONE, a0, a1, "", "", _speaker_features(
            is_rule=rule is None and not hide_rule, source=NONE, common=common, conf=conf, no_cue=q.cue is None)),
    ]
    if previous is not None:
        out.append(Candidate(PREV, previous.start, previous.end, previous.text, previous.name, _speaker_features(
            is_rule=False, source=PREV, common=common, conf=conf, no_cue=q.cue is None)))
    for (s, e), (source, name) in ordered:
        is_rule = rule is not None and (
            (s < rule.end and rule.start < e) or (bool(rule_name) and normalize(name) == rule_name)
        )
        before = e <= a0
        distance = (a0 - e) if before else max(0, s - a1)
        between = sum(1 for x in anchor_order if (e <= x < a0) or (a1 <= x < s))
        out.append(Candidate("mention", s, e, text[s:e], name, _speaker_features(
            is_rule=is_rule, source=source, common=common, conf=conf, no_cue=q.cue is None,
            before=before, after=s >= a1, inside=q.start <= s and e <= q.end,
            distance=distance, same_sentence=sent[0] <= s and e <= sent[1], between=between,
            right_after=s >= a1 and len(FEATURE_WORD.findall(text, a1, s)) <= 1,
            elsewhere=index.speaker_spans.get((s, e), 0) > ((s, e) == own),
            length=len(FEATURE_WORD.findall(text, s, e)),
            overlaps_entity=any(a < e and s < b for a, b in nearby_entities),
        )))
    return out


def _speaker_features(
    *, is_rule: bool, source: str, common: list[float], conf: float, no_cue: bool,
    before: bool = False, after: bool = False, inside: bool = False, distance: int = 0,
    same_sentence: bool = False, between: int = 0, right_after: bool = False,
    elsewhere: bool = False, length: int = 0, overlaps_entity: bool = False,
) -> tuple[float, ...]:
    return (
        float(is_rule),
        float(source == "PER"), float(source == "ORG"), float(source == "GPE"), float(source == "rule"),
        float(before), float(after), float(inside), math.log1p(distance) / 6.0, float(same_sentence),
        min(between, 10) / 5.0, float(source == NONE), float(source == PREV),
        common[0], common[1], common[2], float(right_after), conf, float(elsewhere), min(length, 10) / 5.0,
        float(no_cue), float(overlaps_entity),
    )


def rule_choice(candidates: Sequence[Candidate]) -> int:
    """Index of the candidate the rule layer chose (NONE when it chose no speaker)."""
    for k, c in enumerate(candidates):
        if c.kind == "mention" and c.features[0]:
            return k
    return 0


def as_speaker(c: Candidate) -> Speaker | None:
    """The public :class:`Speaker` for a chosen candidate (None for NONE)."""
    if c.kind == NONE:
        return None
    if c.kind == PREV:
        return Speaker(c.text, c.start, c.end, c.name, resolved=True)
    return Speaker(c.text, c.start, c.end, c.name or c.text, resolved=bool(c.name) and c.name != c.text)


# Stance ------------------------------------------------------------------------------------

def stance_pairs(text: str, quotes: Sequence[Quote], mention_spans: dict[str, list[tuple[int, int]]],
                 *, hide_rule: bool = False) -> list[StancePair]:
    """One pair per stance the rule layer gave (one per subject per quote).

    ``mention_spans`` maps each subject to its mentions in original offsets.
    """
    out = []
    for i, q in enumerate(quotes):
        for st in q.stances:
            spans = mention_spans.get(st.subject, [])
            inside = [s for s in spans if q.start <= s[0] and s[1] <= q.end]
            near = inside or sorted(spans, key=lambda s: abs(s[0] - q.start))[:1]
            start, end = near[0] if near else (q.start, q.start)
            speaker = normalize(q.speaker.name) if q.speaker else ""
            rule = (0.0, 0.0, 0.0, 0.0) if hide_rule else (
                float(st.label == "favor"), float(st.label == "against"), float(st.label == "neutral"), st.score)
            out.append(StancePair(i, st.subject, start, end, (
                *rule, float(bool(inside)), min(len(inside), 6) / 3.0,
                float(bool(speaker) and normalize(st.subject) in speaker),
                float(q.kind == "direct"), float(q.kind == "indirect"), float(q.kind == "mixed"), float(not near),
            )))
    return out


def with_stance(q: Quote, subject: str, label: str, score: float) -> Quote:
    """``q`` with the stance toward ``subject`` replaced."""
    stances = tuple(Stance(s.subject, label, score) if s.subject == subject else s for s in q.stances)
    return attrs.evolve(q, stances=stances)
