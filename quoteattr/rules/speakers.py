"""Step 4 of the rule layer: who speaks when the verb carries the subject.

A pro-drop verb (وأضافت), a participle (مضيفا) or a verbal noun (بقوله) takes an antecedent
that agrees with it in gender and number (:func:`resolve_speakers` says which); the subjects
of cues that introduced no content are antecedents too (وصف الوزير القرار بالخاطئ، وقال إن ...)."""

from __future__ import annotations

import bisect
from typing import Sequence

from ..arabic import WORD
from ..lexicon import load_speaker_words
from .config import DEFAULT, RuleConfig
from .content import RawQuote
from .phrases import NO_NAMES, Mention, Names
from .view import TextView


def name_words(view: TextView, m: Mention) -> list[str]:
    """The mention's words without the article ال, for comparing mentions."""
    words = [w[2:] if w.startswith("ال") and len(w) > 4 else w for w in WORD.findall(view.norm[m.start : m.end])]
    # وفقا للشامي: the source starts after the preposition's lam, and the article's alif is
    # not written (لل = ل + ال), so "لشامي" is "الشامي"
    if words and words[0].startswith("ل") and len(words[0]) > 3 and m.start > 0 and view.norm[m.start - 1] == "ل":
        words[0] = words[0][1:]
    return words


def same_entity(view: TextView, short: Mention, long: Mention) -> bool:
    """Two mentions name the same entity when the shorter one ends the longer one
    ("العمري" / "وزير الصحة خالد العمري") or is contained in it word for word. Sharing
    only a common noun ("وزارة الصحة" / "وزير الصحة") is not enough."""
    a, b = name_words(view, short), name_words(view, long)
    if not a or len(a) > len(b):
        return False
    if a[-1] == b[-1] and len(a[-1]) >= 3:
        return True
    return any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1)) and len(a) >= 2


def _mention_gender(view: TextView, m: Mention) -> str | None:
    if m.gender is not None:
        return m.gender
    head = WORD.findall(view.norm[m.start : m.end])
    return ("f" if head and head[0].endswith("ه") else "m") if head else None


def _agrees(view: TextView, implicit: Mention, candidate: Mention) -> bool:
    g = _mention_gender(view, candidate)
    if implicit.gender and g and implicit.gender != g:
        return False
    if implicit.number == "sg" and not candidate.implicit and not candidate.named:
        head = view.norm[candidate.start : candidate.end].split(" ", 1)[0]
        if len(head) > 5 and head.endswith("ون"):
            return False  # مستثمرون سعوديون ... ، لافتا: a plural head is not a singular's subject
    if implicit.number == "pl" and (candidate.number == "sg" or candidate.named) and not candidate.implicit:
        # VSO verbs stay singular before plural subjects; only plural-looking phrases agree
        # (and a name of the entity layer is one person or body, unless it is coordinated).
        text = view.norm[candidate.start : candidate.end]
        head = text.split(" ", 1)[0]
        # مواطنون في المحافظة، دبلوماسيون عرب ومصريون، عدد من السكان: the head is plural
        return " و" in text or text.endswith(("ون", "ين")) or (len(head) > 4 and head.endswith(("ون", "ين"))) \
            or head in load_speaker_words()["quantifier"]
    return True


def _trim_objects(view: TextView, mentions: list[Mention]) -> None:
    """VSO clauses put the object after the subject ("ودعا العمري الأسر إلى ..."): a mention
    that opens with a name seen earlier (as the last word of a mention) ends at that name."""
    seen: set[str] = set()
    for m in sorted(mentions, key=lambda m: m.start):
        ws = list(WORD.finditer(view.norm, m.start, m.end))
        if len(ws) > 1 and ws[0].group() in seen:
            m.end = ws[0].end()
        if ws and len(ws[-1].group()) >= 3:
            seen.add(ws[-1].group())


def _clause_subject(view: TextView, m: Mention) -> bool:
    """Is the name ``m`` the subject right after the verb that opens a clause ("، واصل أوباما")?"""
    k = view.word_containing(m.start)
    if k < 1:
        return False
    verb = k - 1
    if verb >= 1 and view.words[verb - 1].text in ("بدوره", "بدورها", "كما", "وقد", "قد"):
        return True
    return view.clause_start(verb)


def _root(m: Mention) -> Mention:
    while m.antecedent is not None:
        m = m.antecedent
    return m


def resolve_speakers(
    view: TextView,
    quotes: list[RawQuote],
    candidates: Sequence[Mention] = (),
    cfg: RuleConfig = DEFAULT,
    names: Names = NO_NAMES,
) -> None:
    """Give every implicit speaker an antecedent, in this order:

    1. a participle or verbal noun (مضيفا، بقوله) is the subject of its own sentence's main
       clause: the latest agreeing mention in that sentence, a person or organisation named
       there (``names``, outside every quotation) included;
    2. a pro-drop verb (وأضاف) continues the speaker of the previous quotation, unless
       another subject was named after it (وأشاد المعلم بالطالبة وقال ...);
    3. else the latest agreeing explicit mention (a quotation's speaker, or the subject of a
       cue that introduced nothing).
    """
    contents = sorted((q.start, q.end) for q in quotes)
    starts = [s for s, _ in contents]

    def in_content(pos: int) -> bool:
        k = bisect.bisect_right(starts, pos) - 1
        return k >= 0 and contents[k][0] <= pos < contents[k][1]

    named = [Mention(s, e, named=True) for s, e, label in names.spans
             if label in ("PER", "ORG") and not in_content(s)]
    _trim_objects(view, [q.speaker for q in quotes if q.speaker and not q.speaker.implicit] + list(candidates))
    explicit: list[Mention] = []
    pending = sorted(candidates, key=lambda m: m.start)
    p = 0  # pending[:p] are in explicit (list.pop(0) would make this quadratic)
    previous: RawQuote | None = None  # the latest quotation with a speaker
    for q in sorted(quotes, key=lambda q: q.speaker.start if q.speaker else q.start):
        sp = q.speaker
        if sp is None:
            continue
        while p < len(pending) and pending[p].start < sp.start:
            explicit.append(pending[p])
            p += 1
        if not sp.implicit:
            if not q.nested:  # a speaker reported inside a quotation is not the next antecedent
                explicit.append(sp)
                previous = q
            continue
        if sp.antecedent is not None:
            if not q.nested:
                previous = q
            continue
        # The antecedent is recent: look back over the last few explicit mentions only.
        limit = max(sp.start, q.start)
        before = sorted((e for e in explicit[-cfg.antecedent_window:] if e.end <= limit), key=lambda e: e.end)
        agreeing = [e for e in before if _agrees(view, sp, e)]
        match = None
        aspect = q.cue.form.aspect if q.cue is not None else None
        sentence = view.sentence_start(sp.start)
        lo = bisect.bisect_left(named, sentence, key=lambda m: m.start)
        here = [e for e in named[lo : bisect.bisect_left(named, limit, key=lambda m: m.start)]
                if e.end <= limit and _agrees(view, sp, e)]
        # A participle or verbal noun (مضيفا، بقوله), or a verb joined by فـ (وردد الرئيس ...
        # فقال), belongs to its own sentence's subject: the latest speaker there, else the
        # first name of the sentence.
        if aspect in ("participle", "masdar") or (q.cue is not None and q.cue.form.surface[:1] == "ف"):
            same = [e for e in agreeing if e.start >= sentence]
            match = same[-1] if same else (here[0] if here else None)
        if match is None and previous is not None and previous.speaker is not None:
            source = _root(previous.speaker)
            since = previous.speaker.end
            newer = [e for e in agreeing if e.start >= since and e is not previous.speaker]
            # The subject of a clause between them (بدوره واصل أوباما الدفاع ...، وحذر).
            newer += [e for e in here if e.start >= since and _clause_subject(view, e)]
            if not newer and _agrees(view, sp, source) and source.end <= limit:
                match = source
            elif newer:
                match = max(newer, key=lambda e: e.end) if not all(e.named for e in newer) else newer[0]
        if match is None and agreeing:
            match = agreeing[-1]
        if match is None:
            # Nobody spoke before: a person or body named in this sentence (the first one,
            # the subject: التقى الوزير خالد العمري بالسفير ...، وقال), else the latest one
            # named in this or the previous paragraph.
            sentence = view.sentence_start(sp.start)
            lo = bisect.bisect_left(named, view.norm.rfind("\n", 0, max(0, view.norm.rfind("\n", 0, limit))),
                                    key=lambda m: m.start)
            near = [e for e in named[lo : bisect.bisect_left(named, limit, key=lambda m: m.start)]
                    if e.end <= limit and _agrees(view, sp, e)]
            here = [e for e in near if e.start >= sentence]
            match = here[0] if here else (near[-1] if near else None)
        if match is None and before:
            match = before[-1]
            q.confidence -= cfg.disagreeing_penalty
        if match is None:
            q.speaker = None
            q.confidence = min(q.confidence, cfg.unresolved_confidence)
        else:
            sp.antecedent = match
            q.confidence -= cfg.resolved_penalty
            if not q.nested:
                previous = q
