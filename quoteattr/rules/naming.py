"""Step 5 of the rule layer: the name of each speaker, and the public quotations.

Each speaker gets, as its ``name``, the fullest explicit mention of the same entity in the
document (العمري → وزير الصحة خالد العمري), and every span is mapped back to the caller's
offsets."""

from __future__ import annotations

from typing import Sequence

from ..types import Cue, Quote, Speaker
from .config import DEFAULT, RuleConfig
from .content import RawQuote
from .phrases import Mention
from .speakers import name_words, same_entity
from .view import TextView

def _name_index(view: TextView, mentions: list[Mention]) -> dict[str, list[Mention]]:
    """Explicit mentions by their last word, longest first: where a fuller name is found."""
    index: dict[str, list[Mention]] = {}
    for m in mentions:
        words = name_words(view, m)
        if not m.implicit and words:
            index.setdefault(words[-1], []).append(m)
    for group in index.values():
        group.sort(key=lambda m: m.end - m.start, reverse=True)
    return index


def _best_name(view: TextView, mention: Mention, index: dict[str, list[Mention]]) -> Mention:
    """The fullest explicit mention of the same entity in the document."""
    words = name_words(view, mention)
    for other in index.get(words[-1], ()) if words else ():
        if (other.end - other.start) <= (mention.end - mention.start):
            break
        if other.gender and mention.gender and other.gender != mention.gender:
            continue
        if same_entity(view, mention, other):
            return other
    return mention


def to_public(
    view: TextView, raw: list[RawQuote], candidates: Sequence[Mention] = (), cfg: RuleConfig = DEFAULT
) -> list[Quote]:
    """The public quotations, in the caller's offsets, each speaker with its best name."""
    mentions = [q.speaker for q in raw if q.speaker is not None and not q.speaker.implicit]
    mentions.extend(candidates)
    index = _name_index(view, mentions)
    out = []
    text = view.text
    for q in raw:
        start, end = view.original(q.start, q.end)
        cue = None
        if q.cue is not None:
            cs, ce = view.original(q.cue.start, q.cue.end)
            cue = Cue(text[cs:ce], cs, ce, q.cue.form.entry.lemma, q.cue.form.entry.category)
        speaker = None
        if q.speaker is not None:
            sp = q.speaker
            ss, se = view.original(sp.start, sp.end)
            source = sp.antecedent or sp
            while source.antecedent is not None:
                source = source.antecedent
            best = _best_name(view, source, index)
            bs, be = view.original(best.start, best.end)
            speaker = Speaker(text[ss:se], ss, se, text[bs:be], resolved=sp.antecedent is not None or best is not sp)
        out.append(Quote(text[start:end], start, end, q.kind, cue, speaker, (),
                         max(cfg.min_confidence, min(1.0, q.confidence))))
    return out
