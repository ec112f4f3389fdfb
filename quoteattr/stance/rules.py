"""The rule stance layer: the speaker's stance toward a subject, per quotation.

For one quotation and one subject:

1. *Where to look.* The quotation's content and the cue's complement: the words between the
   cue and the content, without the speaker (اتهم الوزير **الحركة** بـ...، وصف **القرار** بأنه).
2. *Mentions.* The subject's name (with clitics and spelling variants), its nisba adjective
   for a place, the definite descriptions the document ties to it (:mod:`.subjects`), and the
   pronoun of the complementiser (إنها، أنهم) when the subject is its nearest antecedent.
3. *Evidence*, each a signed weight:
   - the cue's polarity (ندد، انتقد → -1; رحب، أشاد → +1) for a mention in the cue's
     complement or the first words of the content: the thing condemned, not the one
     condemning;
   - evaluative words (:mod:`.lexicon`) in the mention's clause, by their role: an ``object``
     word before the mention (دعم X، اتهم X), a ``subject`` word after it (X فشل) or right
     before it (جرائم X), a ``context`` word within ``CONTEXT_REACH`` words at half weight;
   - an evaluative noun inside the mention itself (الإرهاب، التدخلات) counts for it;
   - negation (لم، لا، غير، عدم ...) inside its scope flips a word, unless it only looks
     negative (لا يزال); a shifter (رفض، مكافحة، الحد من) flips what follows it and, right
     before a mention, counts against it; the agent of a shifter whose object is an evil
     (الأردن يحارب الإرهاب) is praised;
   - with none of these next to any mention, the tone of the mention's sentence (within
     ``SENTENCE_REACH`` words) at half weight.
4. *Decision.* The weights are summed over mentions: favor at ``THRESHOLD`` or above, against
   at ``-THRESHOLD`` or below, neutral otherwise. A quotation that does not mention the
   subject is neutral toward it; when the speaker *is* the subject, it leans to favour
   (speakers defend their own positions). ``score`` is a probability from a logistic
   calibration fitted on the development ``train`` split (``data/calibration.json``;
   ``python benchmarks/stance/report.py benchmarks/gold/train.jsonl --calibrate``).

Every window is bounded and every lookup per quote is a bisection, so the cost is linear in
the length of the document.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import operator
from importlib import resources
from typing import Callable, Sequence

import attrs

from ..arabic import CLAUSE_BREAKS, PREPOSITIONS
from ..errors import LexiconError
from ..lexicon import load_cue_lexicon
from ..normalize import normalize
from ..rules.view import TextView
from ..types import Quote, Stance
from .lexicon import Hit, StanceLexicon, load_stance_lexicon
from .subjects import SubjectMention, find_subject_mentions, merge_mentions, resolve_references

THRESHOLD = 0.5
CUE_WEIGHT = 1.5
CUE_REACH = 8  # content words after the introducer that are still the cue's object
OBJECT_REACH = 5
SUBJECT_REACH = 4
CONTEXT_WEIGHT = 0.5
FALLBACK_WEIGHT = 0.5
CONTEXT_REACH = 12  # words either side of a mention where a context word still counts
SENTENCE_REACH = 40  # ... and where its sentence's tone is read, when nothing is nearer
SELF_WEIGHT = 1.0
AGENT_WEIGHT = 1.0
AGENT_REACH = 4
PRONOUN_REACH = 25  # words back from إنها to its antecedent
STRENGTH_WEIGHT = {1: 1.0, 2: 1.5}


@attrs.frozen(slots=True)
class Evidence:
    """Why a stance was given: the summed weight and the pieces that made it."""

    weight: float
    mentioned: bool
    reasons: tuple[str, ...] = ()


@functools.lru_cache(maxsize=None)
def _calibration() -> dict[str, float]:
    path = resources.files(__package__) / "data" / "calibration.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        raise LexiconError(f"stance calibration {path} is missing or broken ({exc}): reinstall quoteattr") from None


def calibrated_score(evidence: Evidence) -> float:
    """The probability that the label decided from ``evidence`` is right.

    Fitted on the development ``train`` split (``benchmarks/stance/report.py --calibrate``):
    a logistic in the evidence's absolute weight for favor/against, the observed rates for
    neutral and for a subject the quote does not mention. The case of a speaker speaking of
    itself has no gold pairs to fit: its 0.6 is a prior, set by hand.
    """
    cal = _calibration()
    if not evidence.mentioned:
        return cal["self"] if evidence.weight > 0 else cal["unmentioned"]
    strength = abs(evidence.weight)
    if strength < THRESHOLD:
        return cal["neutral"]
    return 1.0 / (1.0 + math.exp(-(cal["a"] * strength + cal["b"])))


def _in_range(items: Sequence, lo: int, hi: int, key: Callable) -> list:
    """The items (sorted by ``key``) whose key lies in ``[lo, hi)``, found by bisection."""
    if hi <= lo:
        return []
    return list(items[bisect.bisect_left(items, lo, key=key) : bisect.bisect_left(items, hi, key=key)])


_FIRST = operator.attrgetter("first")  # a Hit's first word
_START = operator.attrgetter("start")  # a SubjectMention's start


def label_of(weight: float) -> str:
    if weight >= THRESHOLD:
        return "favor"
    if weight <= -THRESHOLD:
        return "against"
    return "neutral"


class StanceRules:
    """Decides stances over one document's normalised view (a ``TextView``)."""

    def __init__(self, view: TextView, lexicon: StanceLexicon | None = None) -> None:
        self.view = view
        self.lexicon = lexicon or load_stance_lexicon()
        self.words = [w.text for w in view.words]
        self._hits: dict[tuple[int, int], list[Hit]] = {}
        self._clause: list[int] | None = None
        self._regions: dict[tuple[int, int], tuple] = {}
        self.cue_entries = load_cue_lexicon().entries

    # Analyses computed once per document or per region ------------------------------------
    def hits_between(self, lo: int, hi: int) -> list[Hit]:
        """The evaluative hits in words ``[lo, hi)`` (scanned once per region: only the words
        of quotations are ever looked up)."""
        key = (lo, hi)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = [
                Hit(h.first + lo, h.last + lo, h.entry) for h in self.lexicon.scan(self.words[lo:hi])
            ]
        return hits

    @property
    def clause(self) -> list[int]:
        """Clause number of every word: a new clause after , ، ; . : ! ? or a line break."""
        if self._clause is None:
            n, words, out, c = self.view.norm, self.view.words, [], 0
            for i, w in enumerate(words):
                if i and any(ch in CLAUSE_BREAKS for ch in n[words[i - 1].end : w.start]):
                    c += 1
                out.append(c)
            self._clause = out
        return self._clause

    def norm_span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets to normalised offsets (the inverse of ``TextView.original``)."""
        return self.view.norm_span(start, end)

    def word_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices ``[first, last)`` of the words inside a normalised span."""
        starts, words = self.view.word_starts, self.view.words
        first = max(0, bisect.bisect_right(starts, start) - 1)
        if first < len(words) and words[first].end <= start:  # start falls between words
            first += 1
        return first, max(first, bisect.bisect_left(starts, end))

    # One quotation -------------------------------------------------------------------------
    def regions(self, quote: Quote) -> tuple[tuple[int, int], tuple[int, int] | None]:
        """Word ranges of the content and of the cue's complement (speaker left out)."""
        key = (quote.start, quote.end)
        if key not in self._regions:
            self._regions[key] = self._find_regions(quote)
        return self._regions[key]

    def _find_regions(self, quote: Quote) -> tuple[tuple[int, int], tuple[int, int] | None]:
        content = self.word_range(*self.norm_span(quote.start, quote.end))
        complement = None
        if quote.cue is not None and quote.cue.end <= quote.start:
            first = self.word_range(*self.norm_span(quote.cue.end, quote.start))
            lo, hi = first
            if quote.speaker is not None and quote.cue.end <= quote.speaker.start < quote.start:
                sp = self.word_range(*self.norm_span(quote.speaker.start, quote.speaker.end))
                lo = max(lo, sp[1])
            if hi - lo <= 12:
                complement = (lo, hi)
        return content, complement

    def cue_polarity(self, quote: Quote) -> int:
        if quote.cue is None:
            return 0
        entry = self.cue_entries.get(quote.cue.lemma)
        return entry.polarity if entry is not None else 0

    def _negated(self, i: int, floor: int) -> bool:
        """Whether word ``i`` is inside the scope of a negator at or after word ``floor``."""
        clause = self.clause
        for j in range(i - 1, max(floor, i - 4) - 1, -1):
            if clause[j] != clause[i]:
                break
            neg = self.lexicon.negator(self.words, j)
            # ما is a negator only right before its verb; elsewhere it is "what".
            if neg is not None and i - j <= neg.scope and (neg.entry != "ما" or i - j == 1):
                return True
        return False

    def _shifted(self, i: int, floor: int) -> bool:
        clause = self.clause
        for j in range(i - 1, max(floor, i - 2) - 1, -1):
            if clause[j] != clause[i]:
                break
            if self.lexicon.shifter_at(self.words, j):
                return True
        return False

    def _fights_evil(self, after: int, end: int, hits: Sequence[Hit]) -> bool:
        """Whether the mention ending before word ``after`` is the agent of a shifter whose
        object is an evil: "المملكة تحارب الإرهاب"، "جهود الوزارة في مكافحة الفساد"."""
        clause = self.clause
        for j in range(after, min(end, after + AGENT_REACH)):
            if clause[j] != clause[after - 1] or not self.lexicon.shifter_at(self.words, j):
                continue
            return any(h.entry.polarity < 0 for h in _in_range(hits, j + 1, j + 3, _FIRST))
        return False

    def _preposition_between(self, i: int, j: int) -> bool:
        """Whether a preposition stands between words ``i`` and ``j`` (ارتكب جرائم **في** غزة:
        غزة is not what was committed)."""
        return any(w in PREPOSITIONS for w in self.words[i + 1 : j])

    def _construct(self, hit: Hit, a: int) -> bool:
        """``hit`` heads a construct ending in the mention: جرائم X، جرائم الاحتلال الإسرائيلي."""
        between = self.words[hit.last + 1 : a]
        return a > hit.last and len(between) <= 2 and all(w.startswith("ال") for w in between)

    def _sign(self, hit: Hit, floor: int) -> float:
        e = hit.entry
        w = e.polarity * STRENGTH_WEIGHT[e.strength]
        if self._negated(hit.first, floor):
            w = -w
        if self._shifted(hit.first, floor):
            w = -w
        return w

    def evidence(self, quote: Quote, mentions: Sequence[SubjectMention]) -> Evidence:
        """The summed evidence for the speaker's stance toward one subject in ``quote``."""
        (c0, c1), complement = self.regions(quote)
        lo = complement[0] if complement else c0
        ns, ne = self.norm_span(quote.start, quote.end)
        cs = ce = -1
        if complement and complement[1] > complement[0]:
            cs, ce = self.view.words[complement[0]].start, self.view.words[complement[1] - 1].end
        inside = _in_range(mentions, ns, ne, _START) + _in_range(mentions, cs, ce, _START)
        pronoun = self.pronoun_mention(quote, mentions, c0)
        if pronoun is not None:
            inside.append(pronoun)
        if not inside:
            return Evidence(0.0, False)
        clause = self.clause
        hits = self.hits_between(lo, c1)
        cue_pol = self.cue_polarity(quote)
        total, reasons = 0.0, []
        for m in inside:
            a, b = self.word_range(m.start, m.end)
            if a >= len(self.words):
                continue
            b = max(b, a + 1)
            if cue_pol and (complement and complement[0] <= a < complement[1] or c0 <= a < c0 + CUE_REACH):
                total += cue_pol * CUE_WEIGHT
                reasons.append(f"cue {quote.cue.text if quote.cue else ''} {cue_pol:+d}")
            for h in _in_range(hits, a - CONTEXT_REACH, b + CONTEXT_REACH, _FIRST):
                if h.first >= a and h.last < b:  # inside the mention: الإرهاب، التدخلات
                    if h.entry.target != "object":
                        total += h.entry.polarity * STRENGTH_WEIGHT[h.entry.strength]
                        reasons.append(f"own {h.entry.entry}")
                    continue
                if clause[h.first] != clause[a]:
                    continue
                w = self._sign(h, lo)
                role = h.entry.target
                if role == "object" and 0 < a - h.last <= OBJECT_REACH and not self._preposition_between(h.last, a):
                    pass
                elif role == "subject" and (0 < h.first - (b - 1) <= SUBJECT_REACH or self._construct(h, a)):
                    pass
                elif role == "context":
                    w *= CONTEXT_WEIGHT
                else:
                    continue
                total += w
                reasons.append(f"{role} {h.entry.entry} {w:+.1f}")
            if a - 2 >= lo and any(self.lexicon.shifter_at(self.words, j) for j in range(max(lo, a - 2), a)):
                total -= 1.0
                reasons.append("shifter before")
            if self._fights_evil(b, c1, hits):
                total += AGENT_WEIGHT
                reasons.append("agent fights an evil")
        if not reasons:
            # Nothing next to the mention: the tone of its sentence, at a lower weight (the
            # sentence is about the subject, and its evaluation usually is too).
            counted: set[int] = set()
            for m in inside:
                a = self.word_range(m.start, m.end)[0]
                if a >= len(self.words):
                    continue
                s0, s1 = self.sentence_of(a)
                for h in _in_range(hits, max(s0, a - SENTENCE_REACH), min(s1, a + SENTENCE_REACH), _FIRST):
                    if h.entry.target != "object" and h.first not in counted:
                        counted.add(h.first)
                        w = self._sign(h, lo) * FALLBACK_WEIGHT
                        total += w
                        reasons.append(f"sentence {h.entry.entry} {w:+.2f}")
        return Evidence(total, True, tuple(reasons))

    def sentence_of(self, i: int) -> tuple[int, int]:
        """Word range ``[first, last)`` of the sentence around word ``i``."""
        w = self.view.words[i]
        s, e = self.view.sentence_start(w.start), self.view.sentence_end(w.end)
        return self.word_range(s, e)

    def pronoun_mention(self, quote: Quote, mentions: Sequence[SubjectMention], c0: int) -> SubjectMention | None:
        """The pronoun of the complementiser that opens the content (إنها، أنه، بأنهم), when it
        stands for the subject: "وأشاد الوزير بالأونروا وقال إنها تقوم بعمل مهم".

        The pronoun takes the nearest agreeing antecedent before it (within ``PRONOUN_REACH``
        words of the same paragraph): the subject's latest mention outside the speaker's
        phrase, or the speaker — "وقالت الوزارة إنها ..." is the ministry speaking of itself.
        Agreement is by number (ه/ها singular, هم plural) and, where the spelling shows it,
        gender (ه is not a feminine name in ة).
        """
        if c0 == 0 or c0 > len(self.words):
            return None
        word = self.words[c0 - 1]
        suffix = next((p for p in ("هم", "هن", "ها", "ه")
                       if word.endswith(p) and word[: -len(p)] in ("ان", "بان")), None)
        if suffix is None:
            return None
        w = self.view.words[c0 - 1]
        lo_char = self.view.words[max(0, c0 - 1 - PRONOUN_REACH)].start
        para = self.view.norm.rfind("\n", 0, w.start)
        lo_char = max(lo_char, para + 1)
        # The speaker's own mention, unless the verb carries it (وقال: the verb names nobody).
        implicit = quote.speaker is not None and quote.cue is not None and quote.speaker.start == quote.cue.start
        speaker = self.norm_span(quote.speaker.start, quote.speaker.end) if quote.speaker and not implicit else None
        candidates = [m for m in _in_range(mentions, lo_char, w.start, _START)
                      if not (speaker and speaker[0] <= m.start < speaker[1])]
        if not candidates:
            return None
        last = candidates[-1]
        if speaker and last.start < speaker[0] < w.start:
            return None  # the speaker is nearer: it is speaking of itself
        name = self.view.norm[last.start:last.end]
        plural = name.endswith(("ين", "ون", "ات"))
        if (suffix in ("هم", "هن")) != plural or (suffix == "ه" and name.endswith("ه")):
            return None
        return SubjectMention(w.start, w.end, "pronoun")

    def decide(self, quote: Quote, mentions: Sequence[SubjectMention], speaker_is_subject: bool) -> Evidence:
        """The evidence, with the speaker's own side added: a source speaking of itself (or of
        the body it speaks for: رئيس تحرير «عرب نيوز» on عرب نيوز) defends it."""
        ev = self.evidence(quote, mentions)
        if speaker_is_subject and ev.weight > -THRESHOLD:
            ev = Evidence(max(ev.weight, 0.0) + SELF_WEIGHT, ev.mentioned, (*ev.reasons, "speaker is the subject"))
        return ev

    def stance(
        self, quote: Quote, subject: str, mentions: Sequence[SubjectMention], speaker_is_subject: bool
    ) -> Stance:
        ev = self.decide(quote, mentions, speaker_is_subject)
        if not ev.mentioned:
            return Stance(subject, "favor" if ev.weight > 0 else "neutral", calibrated_score(ev))
        return Stance(subject, label_of(ev.weight), calibrated_score(ev))


def speaker_is_subject(quote: Quote, subject: str) -> bool:
    if quote.speaker is None:
        return False
    s = normalize(subject)
    return s in normalize(quote.speaker.name) or s in normalize(quote.speaker.text)


# Words that end the object noun phrase of an evaluative cue (اتهم الوزير الحركة بـ ...).
_OBJECT_STOP = frozenset(normalize(w) for w in "في على عن من الى إلى مع بعد قبل خلال أن إن بأن ضد حول".split())


def cue_object(view: TextView, quote: Quote, rules: StanceRules) -> tuple[int, int] | None:
    """The normalised span of an evaluative cue's object, between the cue and the content.

    ``وانتقد الوزير الحركة بشدة`` gives ``الحركة``; ``ورحب بالقرار`` with the content right
    after the cue gives the first words of the content. None for a cue without polarity.
    """
    if rules.cue_polarity(quote) == 0:
        return None
    (c0, c1), complement = rules.regions(quote)
    lo, hi = complement if complement and complement[1] > complement[0] else (c0, c1)
    words = view.words
    end = lo
    while end < min(hi, lo + 4) and words[end].text not in _OBJECT_STOP and not (
        end > lo and any(ch in CLAUSE_BREAKS for ch in view.norm[words[end - 1].end : words[end].start])
    ):
        end += 1
    if end == lo:
        return None
    start = words[lo].start
    first = words[lo].text
    for pre in ("وب", "فب", "ب", "ول", "ل", "و", "ف"):  # بالقرار → القرار
        if first.startswith(pre) and len(first) - len(pre) >= 3 and first[len(pre):].startswith("ال"):
            start += len(pre)
            break
    return start, words[end - 1].end


@attrs.frozen(slots=True)
class EntityTargets:
    """A document's entities as stance targets, indexed for per-quote lookups in log time.

    ``entities`` are objects with ``start``, ``end``, ``text`` (original offsets) and optionally
    ``label``, ``head`` and ``canonical`` (:class:`quoteattr.entities.Entity`).
    """

    entities: tuple
    starts: list[int]
    mentions: dict[str, list[SubjectMention]]  # normalised name → its mentions, references too
    references: list[tuple[int, str]]  # (normalised start, name) of every reference, sorted

    @classmethod
    def build(cls, view: TextView, rules: StanceRules, entities: Sequence) -> EntityTargets:
        ents = tuple(sorted(entities, key=lambda e: e.start))
        names: dict[str, list[SubjectMention]] = {}
        display: dict[str, str] = {}
        headed: dict[str, list[SubjectMention]] = {}
        for e in ents:
            name = getattr(e, "canonical", None) or e.text
            key = normalize(name)
            display.setdefault(key, name)
            ns, ne = rules.norm_span(e.start, e.end)
            m = SubjectMention(ns, ne, "nisba" if getattr(e, "label", None) == "NORP" else "name")
            names.setdefault(key, []).append(m)
            if getattr(e, "head", None) and getattr(e, "label", None) in ("ORG", "GPE") and m.kind == "name":
                headed.setdefault(key, []).append(m)
        refs = resolve_references(view.norm, headed)
        mentions = {k: merge_mentions([*ms, *refs.get(k, ())]) for k, ms in names.items()}
        references = sorted((m.start, display[k]) for k, rs in refs.items() for m in rs)
        return cls(ents, [e.start for e in ents], mentions, references)


def targets_in(view: TextView, quote: Quote, rules: StanceRules, targets: EntityTargets) -> list[str]:
    """What a quote gives stances toward without ``subjects``, in text order: the named
    entities in its content or the cue's complement (by their canonical name: الإسرائيلي →
    إسرائيل), those a description there refers back to (الحركة → حماس, for an entity
    introduced as حركة حماس), and the object of an evaluative cue."""
    (c0, c1), complement = rules.regions(quote)
    lo = complement[0] if complement and complement[1] > complement[0] else c0
    if lo >= len(view.words):
        return []
    start = view.original(view.words[lo].start, view.words[lo].start)[0]
    ns, ne = view.words[lo].start, rules.norm_span(quote.start, quote.end)[1]
    spans: list[tuple[int, str]] = []
    for k in range(bisect.bisect_left(targets.starts, start), len(targets.entities)):
        e = targets.entities[k]
        if e.start >= quote.end:
            break
        if e.end > quote.end or (quote.speaker is not None and quote.speaker.start <= e.start < quote.speaker.end):
            continue
        spans.append((e.start, getattr(e, "canonical", None) or e.text))
    refs = targets.references
    for k in range(bisect.bisect_left(refs, (ns, "")), len(refs)):
        if refs[k][0] >= ne:
            break
        spans.append((view.original(refs[k][0], refs[k][0])[0], refs[k][1]))
    obj = cue_object(view, quote, rules)
    if obj is not None:
        s, e = view.original(*obj)
        spans.append((s, view.text[s:e]))
    seen, out = set(), []
    for _, t in sorted(spans):
        if normalize(t) not in seen:
            seen.add(normalize(t))
            out.append(t)
    return out


def assign_stances(
    view: TextView,
    quotes: Sequence[Quote],
    subjects: Sequence[str] | None,
    *,
    entities: Sequence = (),
) -> list[Quote]:
    """``quotes`` with their stances.

    With ``subjects``: exactly one :class:`Stance` per subject per quote, in ``subjects``
    order. Without (``None``): one stance per target of :func:`targets_in`, found among
    ``entities`` (objects with ``start``, ``end``, ``text`` in original offsets).
    """
    if not quotes or (subjects is not None and not subjects):
        return list(quotes)
    rules = StanceRules(view)
    cache: dict[str, list[SubjectMention]] = {}
    targets = EntityTargets.build(view, rules, entities) if subjects is None else None

    def mentions(s: str) -> list[SubjectMention]:
        if s not in cache:
            known = targets.mentions.get(normalize(s)) if targets is not None else None
            cache[s] = known if known is not None else find_subject_mentions(view.norm, s)
        return cache[s]

    out = []
    for q in quotes:
        wanted = targets_in(view, q, rules, targets) if targets is not None else subjects or ()
        stances = tuple(rules.stance(q, s, mentions(s), speaker_is_subject(q, s)) for s in wanted)
        out.append(attrs.evolve(q, stances=stances))
    return out
