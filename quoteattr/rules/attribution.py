"""Find quotations, their cues and their speakers in Arabic text, by rule.

The algorithm, in the order the spaCy components run it, one module a step:

1. :mod:`.view`: normalise the text for matching and keep a map back to the caller's
   offsets; split it into words and sentences; pair the quotation marks (:mod:`.marks`).
2. :mod:`.cues`: look every word up in the speech-cue lexicon and every word sequence in the
   attributive phrases.
3. :mod:`.content` (with :mod:`.phrases` for the subject noun phrase): the content span of
   each cue (direct / indirect / mixed), quotations before their cue, «according to»
   attributions, and paragraphs that continue the previous quotation.
4. :mod:`.speakers`: a pro-drop verb, participle or verbal noun takes the latest explicit
   mention that agrees with it.
5. :mod:`.naming`: each speaker's fullest name in the document; public :class:`Quote`
   objects in the caller's offsets.

Every window and confidence is a field of :class:`.config.RuleConfig`.
"""

from __future__ import annotations

from ..entities import find_entities
from ..types import Quote
from .config import DEFAULT, RuleConfig
from .content import find_quotes
from .cues import CueHit, find_cues
from .naming import to_public
from .phrases import Names
from .speakers import resolve_speakers
from .view import TextView


def attribute(
    text: str, view: TextView | None = None, cues: list[CueHit] | None = None, cfg: RuleConfig = DEFAULT
) -> list[Quote]:
    """Run the whole rule layer over ``text`` and return public :class:`Quote` objects."""
    view = view or TextView(text)
    cues = find_cues(view) if cues is None else cues
    names = Names.build(view, find_entities(text))
    raw, candidates = find_quotes(view, cues, cfg, names)
    resolve_speakers(view, raw, candidates, cfg, names)
    return to_public(view, raw, candidates, cfg, names)
