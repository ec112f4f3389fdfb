"""Step 2 of the rule layer: the speech cues.

Every word is looked up in the speech-cue lexicon (قال، وأضافت، قائلا، بقوله ...: every form the
morphological generator makes of the lexicon's lemmas) and every word sequence in the
attributive phrases (وفقا لـ، بحسب، نقلا عن ...), longest first, left to right."""

from __future__ import annotations

import attrs

from ..arabic import CONJUNCTIONS
from ..lexicon import CueForm, CueLexicon, greedy_scan, load_cue_lexicon
from .view import TextView


@attrs.frozen(slots=True)
class CueHit:
    """A cue found in the normalised text: words [first, last] and its lexicon form."""

    first: int
    last: int
    start: int
    end: int
    form: CueForm
    source_start: int | None = None  # attributive "وفقا لـX": where X starts inside the last word


def find_cues(view: TextView, lexicon: CueLexicon | None = None) -> list[CueHit]:
    lexicon = lexicon or load_cue_lexicon()
    words = view.words

    def match_at(i: int) -> CueHit | None:
        hit = _match_phrase(view, i, lexicon)
        if hit is None:
            form = lexicon.forms.get(words[i].text)
            # A verb never ends in ة: إضافة (a noun) is not أضافه "he added it", though both
            # read اضافه once ة is folded to ه.
            if form is not None and not (form.aspect in ("perfect", "imperfect") and view.ends_in_ta_marbuta(i)):
                hit = CueHit(i, i, words[i].start, words[i].end, form)
        return hit

    # (only a word that is a form or opens a phrase can start a hit)
    forms, starts = lexicon.forms, lexicon.phrase_starts
    candidates = [i for i, w in enumerate(words) if w.text in forms or w.text in starts]
    return greedy_scan(len(words), match_at, candidates)


def _match_phrase(view: TextView, i: int, lexicon: CueLexicon) -> CueHit | None:
    words = view.words
    for size in (3, 2, 1):
        if i + size > len(words):
            continue
        key = tuple(w.text for w in words[i : i + size])
        form = lexicon.phrases.get(key)
        if form is not None:
            return CueHit(i, i + size - 1, words[i].start, words[i + size - 1].end, form)
        # The lam of "وفقا لـ" is usually joined to the source: "وفقا لوزارة".
        last = key[-1]
        if len(last) > 1 and last[0] == "ل":
            form = lexicon.phrases.get((*key[:-1], "ل"))
            if form is not None and size > 1:
                w = words[i + size - 1]
                return CueHit(i, i + size - 2, words[i].start, w.start + 1, form, w.start + 1)
    return None


def lexicon_forms() -> dict[str, CueForm]:
    """Every single-word cue form of the installed lexicon, by normalised spelling."""
    return load_cue_lexicon().forms


def conjoined_perfect(cue: CueHit) -> bool:
    """وبين، وذكر: a perfect verb with the conjunction opens a clause of its own, so even an
    everyday word (بين "between") is a reliable speech cue in this form."""
    return cue.form.aspect == "perfect" and cue.form.surface[:1] in CONJUNCTIONS


def opens_clause(view: TextView, cue: CueHit) -> bool:
    """A cue that starts a new clause (وقال، مضيفا، after a comma or a sentence end) ends the
    content before it; one in the middle of a clause ("الدلائل تشير إلى أن") does not."""
    if cue.form.surface[:1] in CONJUNCTIONS or cue.form.aspect in ("participle", "masdar"):
        return True
    if cue.form.entry.attributive:
        return True
    before = view.norm[max(0, cue.start - 3) : cue.start]
    return not view.norm[: cue.start].strip() or any(c in before for c in "،,.:\n؛;")
