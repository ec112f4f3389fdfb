"""Step 3a of the rule layer: the speaker noun phrase around a cue.

After a cue, Arabic news puts its subject first (VSO: وقال وزير الصحة خالد العمري إن ...); the
phrase runs to the introducer of the content, and stops at a preposition, a time word, the one
spoken to (قال X لـ Y) or a second comma. Before a cue (SVO) a short phrase of the same clause
is the subject (الوزير قال، وكان خامنئي قد قال). A cue without a phrase carries its subject in
the verb (وأضافت، مضيفا، بقوله): the mention is the verb itself, with its gender and number."""

from __future__ import annotations

import bisect

import attrs

from ..arabic import COMMAS, COMPLEMENTISERS, CONJUNCTIONS
from .config import DEFAULT, RuleConfig
from .cues import CueHit, lexicon_forms
from .view import TextView, Word


@attrs.define(slots=True)
class Mention:
    """A speaker mention in normalised offsets; ``implicit`` when it is a verb/participle."""

    start: int
    end: int
    implicit: bool = False
    gender: str | None = None
    number: str | None = None
    antecedent: Mention | None = None


def subject_after(
    view: TextView, start: int, end: int, roles: dict, cfg: RuleConfig = DEFAULT
) -> tuple[int, int] | None:
    """The speaker noun phrase between a cue and its introducer (VSO order).

    ``start`` may fall inside a word (the source of "وفقا لوزارة" starts after its lam).
    """
    words = view.words
    first = bisect.bisect_right(view.word_ends, start)
    # The loop reads at most cfg.subject_scan words: never copy the rest of a long sentence
    # (per cue, that would make the whole pass quadratic).
    last = min(view.word_at(end), first + cfg.subject_scan)
    chosen: list[Word] = []
    commas = 0
    ws = words[first:last]
    # "وقال كل من X وY": the speakers are X and Y.
    if len(ws) > 2 and ws[0].text == "كل" and ws[1].text == "من":
        ws = ws[2:]
    for w in ws:
        t = w.text
        if t in roles["stop"] or t in roles["addressee"]:
            break
        if t in roles["skip"] and not chosen:
            continue
        # A comma may separate a title from a name (رئيس الوزراء، بنيامين نتنياهو،); the
        # comma closing that apposition, or any comma after a long phrase, ends the subject.
        if chosen and any(c in view.norm[chosen[-1].end : w.start] for c in COMMAS):
            commas += 1
            if commas >= 2 or len(chosen) >= 6:
                break
        chosen.append(w)
        if len(chosen) >= cfg.subject_max_words:
            break
    while chosen and chosen[-1].text in roles["skip"]:
        chosen.pop()
    if not chosen:
        return None
    return max(chosen[0].start, start), chosen[-1].end


def subject_before(view: TextView, cue: CueHit, roles: dict, cfg: RuleConfig = DEFAULT) -> tuple[int, int] | None:
    """Subject-verb order: "وكان خامنئي قال ..." / "الوزير قال إن ..."."""
    if cue.form.aspect not in ("perfect", "imperfect"):
        return None
    if cue.form.surface[:1] in CONJUNCTIONS and cue.form.surface[1:] in lexicon_forms():
        return None  # وقال opens its own clause
    clause_start = max(view.sentence_start(cue.start), cue.start - cfg.subject_before_chars)
    segment = view.norm[clause_start : cue.start]
    cut = max(segment.rfind("،"), segment.rfind(","))
    if cut >= 0:
        clause_start += cut + 1
    first = view.word_at(clause_start)
    ws = view.words[first : cue.first]
    while ws and (ws[0].text in roles["aux"] or ws[0].text in CONJUNCTIONS):
        ws = ws[1:]
    while ws and ws[-1].text in roles["aux"]:
        ws = ws[:-1]
    if not ws or len(ws) > cfg.subject_before_max_words:
        return None
    if any(w.text in lexicon_forms() or w.text in COMPLEMENTISERS for w in ws):
        return None
    return ws[0].start, ws[-1].end


def mention_of(cue: CueHit, subject: tuple[int, int] | None) -> Mention:
    """The speaker mention of ``cue``: its subject phrase, or the cue itself (implicit)."""
    f = cue.form
    if subject is not None:
        return Mention(subject[0], subject[1], False, f.gender, f.number)
    # The verb (or participle, or بقوله) carries the subject.
    return Mention(cue.start, cue.end, True, f.gender, f.number)
