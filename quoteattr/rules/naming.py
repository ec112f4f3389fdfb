"""Step 5 of the rule layer: the name of each speaker, and the public quotations.

Each speaker gets, as its ``name``, the fullest explicit mention of the same entity in the
document (العمري → وزير الصحة خالد العمري), and every span is mapped back to the caller's
offsets."""

from __future__ import annotations

import bisect
from typing import Sequence

from ..types import Cue, Quote, Speaker
from .config import DEFAULT, RuleConfig
from .content import RawQuote
from .phrases import NO_NAMES, Mention, Names
from .speakers import name_words
from .view import TextView


def _name_index(view: TextView, mentions: list[Mention]) -> dict[str, list[Mention]]:
    """Explicit mentions by each of their words: where a fuller name of a mention is found."""
    index: dict[str, list[Mention]] = {}
    for m in sorted((m for m in mentions if not m.implicit), key=lambda m: m.start):
        for w in set(name_words(view, m)):
            index.setdefault(w, []).append(m)
    return index


def _near(mentions: list[Mention], pos: int, n: int) -> list[Mention]:
    """The ``n`` mentions (in text order) nearest before ``pos`` and the ``n`` nearest after it:
    a name repeated all through a long document is looked at near the speaker only (linear cost)."""
    k = bisect.bisect_left(mentions, pos, key=lambda m: m.start)
    return mentions[max(0, k - n) : k + n]


def _fuller(a: list[str], b: list[str]) -> bool:
    """Does the longer name ``b`` name what ``a`` names? Same last word (العمري / خالد العمري),
    ``a`` word for word inside ``b`` (two words or more), or ``a`` opening ``b`` (a title
    followed by the name: الوزير / الوزير سامي داود، مدير أمن الطرق / مدير أمن الطرق العميد ...)."""
    if not a or len(a) >= len(b):
        return False
    if a[-1] == b[-1] and len(a[-1]) >= 3:
        return True
    if b[: len(a)] == a:
        return True
    return len(a) >= 2 and any(b[i : i + len(a)] == a for i in range(len(b) - len(a) + 1))


def _best_name(view: TextView, mention: Mention, index: dict[str, list[Mention]], cfg: RuleConfig = DEFAULT) -> Mention:
    """The fullest mention of the same entity: among the longer mentions that name it
    (:func:`_fuller`), the nearest one before it, else the nearest after it; then, once more,
    the longest one that shares its last word."""
    words = name_words(view, mention)
    if not words:
        return mention
    n = cfg.name_window
    pool = {id(m): m for w in (words[0], words[-1]) for m in _near(index.get(w, []), mention.start, n)}.values()
    fuller = [m for m in pool if not (m.gender and mention.gender and m.gender != mention.gender)
              and _fuller(words, name_words(view, m))]
    if not fuller:
        return mention
    before = [m for m in fuller if m.end <= mention.start]
    best = max(before, key=lambda m: m.end) if before else min(fuller, key=lambda m: m.start)
    last = name_words(view, best)
    longer = [m for m in _near(index.get(last[-1], []), best.start, n)
              if _fuller(last, name_words(view, m)) and len(last[-1]) >= 3]
    return max(longer, key=lambda m: m.end - m.start) if longer else best


def to_public(
    view: TextView,
    raw: list[RawQuote],
    candidates: Sequence[Mention] = (),
    cfg: RuleConfig = DEFAULT,
    names: Names = NO_NAMES,
) -> list[Quote]:
    """The public quotations, in the caller's offsets, each speaker with its best name (among
    the speakers, the candidates and the document's named people and organisations)."""
    mentions = [q.speaker for q in raw if q.speaker is not None and not q.speaker.implicit]
    mentions.extend(candidates)
    mentions.extend(Mention(s, e) for s, e, label in names.spans if label in ("PER", "ORG"))
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
            best = _best_name(view, source, index, cfg)
            bs, be = view.original(best.start, best.end)
            speaker = Speaker(text[ss:se], ss, se, text[bs:be], resolved=sp.antecedent is not None or best is not sp)
        out.append(Quote(text[start:end], start, end, q.kind, cue, speaker, (),
                         max(cfg.min_confidence, min(1.0, q.confidence))))
    return out
