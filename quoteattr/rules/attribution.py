"""Find quotations, their cues and their speakers in Arabic text, by rule.

The algorithm, in the order the spaCy components run it:

1. ``TextView``: normalise the text for matching (hamza, ى/ي, ة/ه, diacritics, tatweel) and keep
   a map back to the caller's offsets; split it into words, paragraphs and sentences.
2. ``find_cues``: look every word up in the speech-cue lexicon (قال، وأضافت، قائلا، بقوله ...)
   and every word sequence in the attributive phrases (وفقا لـ، بحسب، نقلا عن ...).
3. ``find_quotes``: for each cue, read right: a subject noun phrase (the speaker, VSO order),
   then the *introducer* of the content: إن/أن/بأن (indirect), a colon or a quotation mark
   (direct), إلى/على/بـ after calls and demands. The content runs to the end of the sentence
   or to the next cue that opens content of its own. A marked span followed by "، قال X" takes
   its speaker after it. Marked spans that no cue claims are quotations only when they
   continue the previous speaker's words at a paragraph start; short ones are names or titles.
4. ``resolve_speakers``: a pro-drop verb (وأضافت), a participle (مضيفا) or a verbal noun
   (بقوله) takes the most recent speaker that agrees with it in gender and number; each
   speaker gets the fullest mention of the same entity in the document as its ``name``.

Everything works on the normalised text and is mapped back to original offsets at the end.
"""

from __future__ import annotations

import bisect
from typing import Iterable

import attrs
import regex

from ..lexicon import CueForm, CueLexicon, greedy_scan, load_cue_lexicon, load_speaker_words
from ..normalize import normalize_with_map, to_original
from ..types import Cue, Quote, Speaker
from .marks import CLOSE_TO_OPEN, MarkedSpan, find_marked_spans

WORD = regex.compile(r"[\p{L}\p{N}]+")
SENTENCE_END = regex.compile(r"[.!?؟\n]")
COMPLEMENTISERS = frozenset(
    "ان انه انها انهم انهما انهن اننا انني بان بانه بانها بانهم بانهما بانهن باننا".split()
)
# Prepositions that open the content of a cue with no إن/أن: دعا إلى، حث على، طالب بـ، اتهم بـ،
# شدد على أهمية ...، أشار إلى إمكانية ...، كشف عن ...، حذر من ... (normalised spellings).
CALL_INTRODUCERS = {"call": ("الي",), "appeal": ("الي",), "urge": ("علي",), "recommend": ("ب",), "accuse": ("ب",),
                    "demand": ("ب",), "vow": ("ب",), "promise": ("ب",), "emphasise": ("علي",),
                    "point-out": ("الي",), "hint": ("الي",), "reveal": ("عن",), "warn": ("من",)}
CALL_CATEGORIES = frozenset(CALL_INTRODUCERS)
# ب- words that are parts of names or fixed phrases, not the بـ of "طالب بـ".
NOT_BI_INTRODUCER = frozenset("بن بنت باسم بدوره بدورها بدورهم بعد بين بيان بيانه بيانها بيانات".split())
MAX_SUBJECT_WORDS = 12
SUBJECT_SCAN = 64  # words read after a cue for its subject, at most
# A content span holds at most this many other cues: a run-on sentence of reporting verbs
# that do not open clauses ("الوزير يقول إن الوزير يقول إن ...") would otherwise give every
# cue the rest of the sentence, and the output would grow with the square of the input.
MAX_NESTED_CUES = 4
ANTECEDENT_WINDOW = 30
WINDOW = 22
STRICT_WINDOW = 8


@attrs.frozen(slots=True)
class Word:
    start: int
    end: int
    text: str  # normalised


@attrs.frozen(slots=True)
class CueHit:
    """A cue found in the normalised text: words [first, last] and its lexicon form."""

    first: int
    last: int
    start: int
    end: int
    form: CueForm
    source_start: int | None = None  # attributive "وفقا لـX": where X starts inside the last word


@attrs.define(slots=True)
class Mention:
    """A speaker mention in normalised offsets; ``implicit`` when it is a verb/participle."""

    start: int
    end: int
    implicit: bool = False
    gender: str | None = None
    number: str | None = None
    antecedent: Mention | None = None


@attrs.define(slots=True)
class RawQuote:
    start: int
    end: int
    kind: str
    cue: CueHit | None
    speaker: Mention | None
    confidence: float


class TextView:
    """The normalised text with its words, sentence ends and marked spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.origin = normalize_with_map(text)
        self.words = [Word(m.start(), m.end(), m.group()) for m in WORD.finditer(self.norm)]
        self.word_starts = [w.start for w in self.words]
        self.word_ends = [w.end for w in self.words]
        self.marks: list[MarkedSpan] = find_marked_spans(self.norm)
        self.mark_starts = [m.start for m in self.marks]
        self.sentence_ends = [
            m.start() for m in SENTENCE_END.finditer(self.norm) if not self.in_mark(m.start())
            and not self._decimal_point(m.start())
        ]

    def _decimal_point(self, i: int) -> bool:
        n = self.norm
        return n[i] == "." and 0 < i < len(n) - 1 and n[i - 1].isdigit() and n[i + 1].isdigit()

    def in_mark(self, pos: int) -> bool:
        k = bisect.bisect_right(self.mark_starts, pos) - 1
        return k >= 0 and self.marks[k].start <= pos < self.marks[k].end

    def mark_opening_at(self, pos: int) -> MarkedSpan | None:
        """The marked span whose opening mark is the first non-space char at/after ``pos``."""
        n = self.norm
        while pos < len(n) and n[pos] in " \t\u00a0":
            pos += 1
        k = bisect.bisect_left(self.mark_starts, pos + 1)
        if k < len(self.marks) and self.marks[k].start == pos + 1:
            return self.marks[k]
        return None

    def sentence_end(self, pos: int) -> int:
        """The first sentence end (outside marks) at or after ``pos``, or the text's end."""
        k = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[k] if k < len(self.sentence_ends) else len(self.norm)

    def sentence_start(self, pos: int) -> int:
        k = bisect.bisect_left(self.sentence_ends, pos) - 1
        return self.sentence_ends[k] + 1 if k >= 0 else 0

    def word_at(self, pos: int) -> int:
        """Index of the first word starting at or after ``pos``."""
        return bisect.bisect_left(self.word_starts, pos)

    def original(self, start: int, end: int) -> tuple[int, int]:
        return to_original(self.origin, start, end)


def _strip_span(view: TextView, start: int, end: int) -> tuple[int, int]:
    """Trim spaces and clause punctuation from both ends of a content span."""
    n = view.norm
    junk = " \t\n\u00a0،,;؛:.-–—"
    while start < end and n[start] in junk:
        start += 1
    while end > start and n[end - 1] in junk:
        end -= 1
    return start, end


# 2. Cues ---------------------------------------------------------------------------------

def find_cues(view: TextView, lexicon: CueLexicon | None = None) -> list[CueHit]:
    lexicon = lexicon or load_cue_lexicon()
    words = view.words

    def match_at(i: int) -> CueHit | None:
        hit = _match_phrase(view, i, lexicon)
        if hit is None:
            form = lexicon.forms.get(words[i].text)
            if form is not None:
                hit = CueHit(i, i, words[i].start, words[i].end, form)
        return hit

    return greedy_scan(len(words), match_at)


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


# 3. Quotes -------------------------------------------------------------------------------

@attrs.frozen(slots=True)
class Introducer:
    kind: str  # complementiser | colon | mark | call
    content_start: int
    subject_end: int  # where the subject noun phrase ends (normalised offset)
    mark: MarkedSpan | None = None


def _find_introducer(view: TextView, cue: CueHit, limit: int, roles: dict) -> Introducer | None:
    """Read right from the cue for what opens the content; stop at the sentence end."""
    n, words = view.norm, view.words
    strict = cue.form.entry.strict
    window = STRICT_WINDOW if strict else WINDOW
    category = cue.form.entry.category
    pos = cue.end
    # A mark or a colon right after the cue (or after the subject, checked word by word).
    for j in range(cue.last + 1, min(len(words), cue.last + 1 + window) + 1):
        gap_end = words[j].start if j < len(words) else limit
        gap_end = min(gap_end, limit)
        gap = n[pos:gap_end]
        colon = gap.find(":")
        if colon >= 0:
            after = pos + colon + 1
            mark = view.mark_opening_at(after)
            if mark is None and n[after : after + 1] == "\n":
                mark = view.mark_opening_at(after + 1)
            if mark is not None:
                return Introducer("mark", mark.start, pos + colon, mark)
            return Introducer("colon", after, pos + colon)
        mark = view.mark_opening_at(pos)
        if mark is not None and mark.start - 1 < gap_end:
            short = len(WORD.findall(n[mark.start : mark.end])) < 3 and category != "describe"
            if not short:
                return Introducer("mark", mark.start, mark.start - 1, mark)
            # A name in marks ("وأكدت «ماما سارة» أنها ..."): part of the subject; read on.
        if j >= len(words) or words[j].start >= limit:
            return None
        w = words[j].text
        prev = words[j - 1].text if j > cue.last + 1 else ""
        if w in COMPLEMENTISERS and prev not in roles["notcomp"]:
            return Introducer("complementiser", words[j].end, words[j].start)
        if j + 1 < len(words) and w in ("الي", "علي", "من") and words[j + 1].text in COMPLEMENTISERS:
            return Introducer("complementiser", words[j + 1].end, words[j].start)
        if category in CALL_CATEGORIES:
            intro = CALL_INTRODUCERS[category]
            if w in intro and w != "ب":
                return Introducer("call", words[j].end, words[j].start)
            if "ب" in intro and w.startswith("ب") and len(w) > 3 and w not in NOT_BI_INTRODUCER \
                    and j > cue.last + 1:
                return Introducer("call", words[j].start, words[j].start)
        if w in lexicon_forms() and j > cue.last + 1:
            return None  # another cue begins: this one introduced nothing
        pos = words[j].end
    return None


def lexicon_forms() -> dict[str, CueForm]:
    return load_cue_lexicon().forms


def _subject(view: TextView, start: int, end: int, roles: dict) -> tuple[int, int] | None:
    """The speaker noun phrase between a cue and its introducer (VSO order).

    ``start`` may fall inside a word (the source of "وفقا لوزارة" starts after its lam).
    """
    words = view.words
    first = bisect.bisect_right(view.word_ends, start)
    # The loop reads at most the leading skip words and MAX_SUBJECT_WORDS more: never copy
    # the rest of a long sentence (per cue, that would make the whole pass quadratic).
    last = min(view.word_at(end), first + SUBJECT_SCAN)
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
        if chosen and any(c in view.norm[chosen[-1].end : w.start] for c in "،,"):
            commas += 1
            if commas >= 2 or len(chosen) >= 6:
                break
        chosen.append(w)
        if len(chosen) >= MAX_SUBJECT_WORDS:
            break
    while chosen and chosen[-1].text in roles["skip"]:
        chosen.pop()
    if not chosen:
        return None
    return max(chosen[0].start, start), chosen[-1].end


def _subject_before(view: TextView, cue: CueHit, roles: dict) -> tuple[int, int] | None:
    """Subject-verb order: "وكان خامنئي قال ..." / "الوزير قال إن ..."."""
    if cue.form.aspect not in ("perfect", "imperfect"):
        return None
    if cue.form.surface[:1] in ("و", "ف") and cue.form.surface[1:] in lexicon_forms():
        return None  # وقال opens its own clause
    clause_start = max(view.sentence_start(cue.start), cue.start - 200)
    segment = view.norm[clause_start : cue.start]
    cut = max(segment.rfind("،"), segment.rfind(","))
    if cut >= 0:
        clause_start += cut + 1
    first = view.word_at(clause_start)
    ws = view.words[first : cue.first]
    while ws and (ws[0].text in roles["aux"] or ws[0].text in ("و", "ف")):
        ws = ws[1:]
    while ws and ws[-1].text in roles["aux"]:
        ws = ws[:-1]
    if not ws or len(ws) > 6:
        return None
    if any(w.text in lexicon_forms() or w.text in COMPLEMENTISERS for w in ws):
        return None
    return ws[0].start, ws[-1].end


def _content_end(view: TextView, start: int, limit: int) -> int:
    return min(view.sentence_end(start), limit)


def _classify_content(view: TextView, start: int, end: int) -> tuple[str, int, int]:
    """direct when the content is one marked span, mixed when it contains one, else indirect."""
    mark = view.mark_opening_at(start)
    if mark is not None:
        rest = view.norm[mark.end + 1 : end] if mark.closed else ""
        if not rest.strip(" ،,.;؛:\n-–—" + "".join(CLOSE_TO_OPEN)):
            return "direct", mark.start, mark.end
    k = bisect.bisect_left(view.mark_starts, start)
    if k < len(view.marks) and view.marks[k].start < end:
        return "mixed", start, end
    return "indirect", start, end


def find_quotes(view: TextView, cues: list[CueHit]) -> tuple[list[RawQuote], list[Mention]]:
    """Quotations found from the cues, and the speaker mentions of cues that introduced none
    (they are antecedents too: "وصف الوزير القرار بالخاطئ، وقال إن ...")."""
    roles = load_speaker_words()
    quotes: list[RawQuote] = []
    candidates: list[Mention] = []
    claimed_marks: set[int] = set()
    # First pass: the introducer of each cue, so that a content span can stop where the next
    # cue's own content begins ("... ، مضيفا أن ...").
    intros: list[Introducer | None] = []
    for cue in cues:
        limit = view.sentence_end(cue.end)
        if cue.form.entry.attributive:
            intros.append(None)
        else:
            intros.append(_find_introducer(view, cue, limit, roles))
    # Speech reported inside a direct quotation belongs to that quotation.
    direct = _direct_marks(view, intros)
    for k, (cue, intro) in enumerate(zip(cues, intros)):
        if intro is not None and _inside_mark_of(view, cue.start, direct):
            intros[k] = None
    productive_starts = [
        c.start for c, it in zip(cues, intros)
        if (it is not None or c.form.entry.attributive) and _opens_clause(view, c)
    ]

    def next_cue_start(after: int) -> int:
        k = bisect.bisect_right(productive_starts, after)
        return productive_starts[k] if k < len(productive_starts) else len(view.norm)

    def nested_bounds(k: int) -> tuple[int, int]:
        """Content around cue ``k`` may hold at most MAX_NESTED_CUES other cues each side."""
        before = k - 1 - MAX_NESTED_CUES
        after = k + 1 + MAX_NESTED_CUES
        return (cues[before].end if before >= 0 else 0,
                cues[after].start if after < len(cues) else len(view.norm))

    for k, (cue, intro) in enumerate(zip(cues, intros)):
        floor, ceiling = nested_bounds(k)
        if cue.form.entry.attributive:
            q = _attributive_quote(view, cue, roles, floor, ceiling)
            if q is not None:
                quotes.append(q)
            continue
        if intro is not None and intro.kind == "mark" and cue.form.entry.category != "describe":
            assert intro.mark is not None
            if len(WORD.findall(view.norm[intro.mark.start : intro.mark.end])) < 2:
                intro = None  # "كما نقلت «رويترز»": a name in marks, not words said
        if intro is None:
            q = _quote_before_cue(view, cue, roles, claimed_marks)
            if q is not None:
                quotes.append(q)
            elif cue.form.aspect in ("perfect", "imperfect") and not view.in_mark(cue.start) and (
                not cue.form.entry.strict or _conjoined_perfect(cue)
            ):
                subject = _subject(view, cue.end, view.sentence_end(cue.end), roles)
                # Without an introducer the phrase has no right edge: only short ones are
                # likely to be just the subject.
                if subject is not None and len(WORD.findall(view.norm[subject[0] : subject[1]])) <= 5:
                    candidates.append(_mention(view, cue, subject))
            continue
        subject = None
        if cue.form.aspect in ("perfect", "imperfect"):
            # "وكان الوزير قد اتهم الوكالة بـ...": after قد the subject stands before the verb,
            # and what follows the verb is its object.
            if cue.first > 0 and view.words[cue.first - 1].text == "قد":
                subject = _subject_before(view, cue, roles)
            if subject is None:
                subject = _subject(view, cue.end, intro.subject_end, roles)
            if subject is None:
                subject = _subject_before(view, cue, roles)
        if subject is None and cue.form.entry.strict and not _conjoined_perfect(cue):
            continue  # "يذكر أن"، "يتوقع أن": impersonal, the journalist's own voice
        if intro.kind == "mark":
            mark = intro.mark
            assert mark is not None
            claimed_marks.add(mark.start)
            kind, start, end = "direct", mark.start, mark.end
        else:
            end = _content_end(view, intro.content_start, min(next_cue_start(cue.end), ceiling))
            kind, start, end = _classify_content(view, intro.content_start, end)
            if kind == "direct":
                m = view.mark_opening_at(intro.content_start)
                if m is not None:
                    claimed_marks.add(m.start)
            if intro.kind == "colon" and kind == "indirect":
                kind = "direct"  # speech after a colon, unmarked
        start, end = _strip_span(view, start, end) if kind != "direct" else (start, end)
        if end <= start:
            continue
        k = bisect.bisect_left(view.mark_starts, start)
        while k < len(view.marks) and view.marks[k].start < end:
            claimed_marks.add(view.marks[k].start)
            k += 1
        speaker = _mention(view, cue, subject)
        confidence = 0.9 if subject else 0.7
        if cue.form.entry.strict:
            confidence -= 0.1
        quotes.append(RawQuote(start, end, kind, cue, speaker, confidence))
    quotes.extend(_unclaimed_marks(view, quotes, claimed_marks))
    quotes.sort(key=lambda q: (q.start, q.end))
    return _dedupe(quotes), candidates


def _conjoined_perfect(cue: CueHit) -> bool:
    """وبين، وذكر: a perfect verb with the conjunction opens a clause of its own, so even an
    everyday word (بين "between") is a reliable speech cue in this form."""
    return cue.form.aspect == "perfect" and cue.form.surface[:1] in ("و", "ف")


def _opens_clause(view: TextView, cue: CueHit) -> bool:
    """A cue that starts a new clause (وقال، مضيفا، after a comma or a sentence end) ends the
    content before it; one in the middle of a clause ("الدلائل تشير إلى أن") does not."""
    if cue.form.surface[:1] in ("و", "ف") or cue.form.aspect in ("participle", "masdar"):
        return True
    if cue.form.entry.attributive:
        return True
    before = view.norm[max(0, cue.start - 3) : cue.start]
    return cue.start == 0 or any(c in before for c in "،,.:\n؛;")


def _direct_marks(view: TextView, intros: list[Introducer | None]) -> set[int]:
    """Start offsets of the marked spans that some cue takes as its direct content."""
    out = set()
    for it in intros:
        if it is None:
            continue
        mark = it.mark if it.kind == "mark" else view.mark_opening_at(it.content_start)
        if mark is not None:
            out.add(mark.start)
    return out


def _inside_mark_of(view: TextView, pos: int, marks: set[int]) -> bool:
    k = bisect.bisect_right(view.mark_starts, pos) - 1
    return k >= 0 and view.marks[k].start in marks and view.in_mark(pos)


def _mention(view: TextView, cue: CueHit, subject: tuple[int, int] | None) -> Mention:
    f = cue.form
    if subject is not None:
        return Mention(subject[0], subject[1], False, f.gender, f.number)
    # The verb (or participle, or بقوله) carries the subject.
    return Mention(cue.start, cue.end, True, f.gender, f.number)


def _quote_before_cue(view: TextView, cue: CueHit, roles: dict, claimed: set[int]) -> RawQuote | None:
    """«...»، قال X — a quotation followed by its cue and speaker."""
    if cue.form.entry.strict or cue.form.aspect not in ("perfect", "imperfect", "passive"):
        return None
    k = bisect.bisect_left(view.mark_starts, cue.start) - 1
    if k < 0:
        return None
    mark = view.marks[k]
    if mark.start in claimed or not mark.closed:
        return None
    if cue.first > 0 and view.words[cue.first - 1].start > mark.end:
        return None  # words between the mark and the cue (checked without slicing the gap)
    gap = view.norm[mark.end + 1 : cue.start]
    if gap.strip(" ،,-–—") != "" or "\n" in gap:
        return None
    if len(WORD.findall(view.norm[mark.start : mark.end])) < 2:
        return None
    limit = view.sentence_end(cue.end)
    subject = _subject(view, cue.end, limit, roles)
    claimed.add(mark.start)
    return RawQuote(mark.start, mark.end, "direct", cue, _mention(view, cue, subject),
                    0.85 if subject else 0.65)


def _attributive_quote(
    view: TextView, cue: CueHit, roles: dict, floor: int = 0, ceiling: int | None = None
) -> RawQuote | None:
    """وفقا لـ X / بحسب X / نقلا عن X: the source follows; the content is the clause
    (kept within ``[floor, ceiling)``: see MAX_NESTED_CUES)."""
    n = view.norm
    src_start = cue.source_start if cue.source_start is not None else cue.end
    sent_start = max(view.sentence_start(cue.start), floor)
    sent_end = min(view.sentence_end(cue.end), len(n) if ceiling is None else ceiling)
    # "بحسب ما ذكرت الوزارة": skip the verb, the source is its subject.
    j = view.word_at(src_start)
    if j < len(view.words) and view.words[j].text in lexicon_forms() and view.words[j].start < sent_end:
        src_start = view.words[j].end
    # The source runs to the first comma, complementiser or sentence end.
    src_end = sent_end
    seen = src_start  # n[src_start:seen] has no comma: each gap is searched once
    for j in range(view.word_at(src_start), len(view.words)):
        w = view.words[j]
        if w.start >= sent_end:
            break
        if w.text in COMPLEMENTISERS or w.text in ("فان", "فانه", "فانها"):
            src_end = w.start
            break
        if w.start > src_start and any(c in n[seen : w.start] for c in "،,"):
            src_end = min(i for i in (n.find("،", seen, w.start), n.find(",", seen, w.start)) if i >= 0)
            break
        seen = max(seen, w.start)
    subject = _subject(view, src_start, src_end, roles)
    # Words between the sentence start and the cue, counted by index (never by slicing).
    if view.word_at(cue.start) - view.word_at(sent_start) >= 3:
        start, end = sent_start, cue.start  # "... ، وفقا لـ X."
    else:
        start, end = src_end, sent_end  # "وبحسب X، فإن ..."
        w = view.word_at(start)
        if w < len(view.words) and view.words[w].text in ("فان", "فانه", "فانها", "ان", "انه"):
            start = view.words[w].end if view.words[w].text in ("فان", "ان") else view.words[w].start
    kind, start, end = _classify_content(view, *_strip_span(view, start, end))
    if kind != "direct":
        start, end = _strip_span(view, start, end)
    if end - start < 3 or subject is None:
        return None
    speaker = Mention(subject[0], subject[1])
    # "حسب قوله" / "على حد تعبيرها": a verbal noun with a pronoun stands for the latest
    # speaker that agrees with it, like بقوله.
    said = lexicon_forms().get("ب" + n[subject[0] : subject[1]])
    if said is not None and said.aspect == "masdar":
        speaker = Mention(subject[0], subject[1], implicit=True, gender=said.gender, number=said.number)
    return RawQuote(start, end, kind, cue, speaker, 0.75)


def _unclaimed_marks(view: TextView, quotes: list[RawQuote], claimed: set[int]) -> Iterable[RawQuote]:
    """A paragraph that opens with a long marked span continues the previous quotation."""
    by_start = sorted(quotes, key=lambda q: q.start)
    starts = [q.start for q in by_start]
    newlines = [m.start() for m in regex.finditer("\n", view.norm)] if view.marks else []
    for mark in view.marks:
        if mark.start in claimed:
            continue
        n_words = len(WORD.findall(view.norm[mark.start : mark.end]))
        if n_words < 5:
            continue  # a name, a title, a slogan, a scare quote
        k = bisect.bisect_left(newlines, mark.start - 1) - 1  # rfind would rescan the paragraph
        para_start = newlines[k] + 1 if k >= 0 else 0
        if view.norm[para_start : mark.start - 1].strip():
            continue
        k = bisect.bisect_left(starts, mark.start) - 1
        if k < 0 or by_start[k].speaker is None:
            continue
        prev = by_start[k]
        if mark.start - prev.end > 2000 or view.norm.count("\n", prev.end, mark.start) > 2:
            continue
        speaker = Mention(prev.speaker.start, prev.speaker.end, True, prev.speaker.gender,
                          prev.speaker.number, antecedent=prev.speaker)
        yield RawQuote(mark.start, mark.end, "direct", None, speaker, 0.6)


def _dedupe(quotes: list[RawQuote]) -> list[RawQuote]:
    """Drop a quotation that lies inside another one found from the same content."""
    out: list[RawQuote] = []
    for q in quotes:
        if out and q.start >= out[-1].start and q.end <= out[-1].end and q.cue is None:
            continue
        if out and q.start == out[-1].start and q.end == out[-1].end:
            continue
        out.append(q)
    return out


# 4. Speakers -----------------------------------------------------------------------------

def _name_words(view: TextView, m: Mention) -> list[str]:
    """The mention's words without the article ال, for comparing mentions."""
    return [w[2:] if w.startswith("ال") and len(w) > 4 else w for w in WORD.findall(view.norm[m.start : m.end])]


def _same_entity(view: TextView, short: Mention, long: Mention) -> bool:
    """Two mentions name the same entity when the shorter one ends the longer one
    ("العمري" / "وزير الصحة خالد العمري") or is contained in it word for word. Sharing
    only a common noun ("وزارة الصحة" / "وزير الصحة") is not enough."""
    a, b = _name_words(view, short), _name_words(view, long)
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
    if implicit.number == "pl" and candidate.number == "sg" and not candidate.implicit:
        # VSO verbs stay singular before plural subjects; only plural-looking phrases agree.
        text = view.norm[candidate.start : candidate.end]
        return " و" in text or text.endswith(("ون", "ين"))
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


def resolve_speakers(view: TextView, quotes: list[RawQuote], candidates: list[Mention] = ()) -> None:
    """Give every implicit speaker an antecedent: the latest agreeing explicit mention."""
    _trim_objects(view, [q.speaker for q in quotes if q.speaker and not q.speaker.implicit] + list(candidates))
    explicit: list[Mention] = []
    pending = sorted(candidates, key=lambda m: m.start)
    p = 0  # pending[:p] are in explicit (list.pop(0) would make this quadratic)
    for q in sorted(quotes, key=lambda q: q.speaker.start if q.speaker else q.start):
        sp = q.speaker
        if sp is None:
            continue
        while p < len(pending) and pending[p].start < sp.start:
            explicit.append(pending[p])
            p += 1
        if not sp.implicit:
            explicit.append(sp)
            continue
        if sp.antecedent is not None:
            continue
        # The antecedent is recent: look back over the last few explicit mentions only.
        limit = max(sp.start, q.start)
        before = sorted((e for e in explicit[-ANTECEDENT_WINDOW:] if e.end <= limit), key=lambda e: e.end)
        match = next((e for e in reversed(before) if _agrees(view, sp, e)), None)
        if match is None and before:
            match = before[-1]
            q.confidence -= 0.15
        if match is None:
            q.speaker = None
            q.confidence = min(q.confidence, 0.4)
        else:
            sp.antecedent = match
            q.confidence -= 0.1


def _name_index(view: TextView, mentions: list[Mention]) -> dict[str, list[Mention]]:
    """Explicit mentions by their last word, longest first: where a fuller name is found."""
    index: dict[str, list[Mention]] = {}
    for m in mentions:
        words = _name_words(view, m)
        if not m.implicit and words:
            index.setdefault(words[-1], []).append(m)
    for group in index.values():
        group.sort(key=lambda m: m.end - m.start, reverse=True)
    return index


def _best_name(view: TextView, mention: Mention, index: dict[str, list[Mention]]) -> Mention:
    """The fullest explicit mention of the same entity in the document."""
    words = _name_words(view, mention)
    for other in index.get(words[-1], ()) if words else ():
        if (other.end - other.start) <= (mention.end - mention.start):
            break
        if other.gender and mention.gender and other.gender != mention.gender:
            continue
        if _same_entity(view, mention, other):
            return other
    return mention


def attribute(text: str, view: TextView | None = None, cues: list[CueHit] | None = None) -> list[Quote]:
    """Run the whole rule layer over ``text`` and return public :class:`Quote` objects."""
    view = view or TextView(text)
    cues = find_cues(view) if cues is None else cues
    raw, candidates = find_quotes(view, cues)
    resolve_speakers(view, raw, candidates)
    return to_public(view, raw, candidates)


def to_public(view: TextView, raw: list[RawQuote], candidates: list[Mention] = ()) -> list[Quote]:
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
                         max(0.05, min(1.0, q.confidence))))
    return out
