"""Step 3 of the rule layer: the content of each cue, and quotations without one.

For each cue, read right: a subject noun phrase (:mod:`.phrases`), then the *introducer* of the
content: إن/أن/بأن (indirect), a colon or a quotation mark (direct), إلى/على/بـ after calls and
demands. The content runs to the end of the sentence or to the next cue that opens content of
its own. A marked span followed by "، قال X" takes its speaker after it; وفقا لـ X / بحسب X
take their source after them and the clause around them. Marked spans that no cue claims are
quotations only when they continue the previous speaker's words at a paragraph start; short
ones are names or titles."""

from __future__ import annotations

import bisect
from typing import Iterable

import attrs
import regex

from ..arabic import ARTICLE, CLAUSE_BREAKS, CLOSE_TO_OPEN, COMPLEMENTISERS, CONJUNCTIONS, PREPOSITIONS, WORD
from ..lexicon import load_speaker_words
from .config import DEFAULT, RuleConfig
from .cues import CueHit, conjoined_perfect, lexicon_forms, opens_clause
from .marks import MarkedSpan
from .phrases import (
    NO_NAMES,
    Mention,
    Names,
    apposed_name,
    mention_of,
    noun_phrase,
    preposition_phrase,
    quoted_source,
    relative_antecedent,
    relayed_source,
    subject_after,
    subject_before,
    titled_name,
)
from .view import TextView, strip_span

# Prepositions that open the content of a cue with no إن/أن: دعا إلى، حث على، طالب بـ، اتهم بـ،
# شدد على أهمية ...، أشار إلى إمكانية ...، كشف عن ...، حذر من ... (normalised spellings).
CALL_INTRODUCERS = {"call": ("الي", "ل"), "appeal": ("الي",), "urge": ("علي",), "recommend": ("ب",),
                    "accuse": ("ب",), "demand": ("ب",), "vow": ("ب",), "promise": ("ب",), "emphasise": ("علي",),
                    "assert": ("علي",), "point-out": ("الي",), "hint": ("الي",), "reveal": ("عن",),
                    "declare": ("عن",), "report": ("عن",), "warn": ("من",), "describe": ("ب",),
                    "threaten": ("ب",), "comment": ("عن", "الي"), "claim": ("من",), "explain": ("الي",)}
CALL_CATEGORIES = frozenset(CALL_INTRODUCERS)
# Bare cue forms that are also prepositions.
PREPOSITION_HOMOGRAPHS = frozenset({"بين"})
# ب- words that are parts of names or fixed phrases, not the بـ of "طالب بـ".
NOT_BI_INTRODUCER = frozenset("بن بنت باسم بدوره بدورها بدورهم بعد بين بيان بيانه بيانها بيانات".split())


@attrs.define(slots=True)
class RawQuote:
    """A quotation found by the rules, in normalised offsets (speakers still unresolved)."""

    start: int
    end: int
    kind: str
    cue: CueHit | None
    speaker: Mention | None
    confidence: float
    nested: bool = False  # its cue stands inside another quotation's content


@attrs.frozen(slots=True)
class Introducer:
    """What opens a cue's content, and where the subject phrase before it ends."""

    kind: str  # complementiser | colon | mark | call | nominal
    content_start: int
    subject_end: int  # where the subject noun phrase ends (normalised offset)
    mark: MarkedSpan | None = None
    subject: tuple[int, int] | None = None  # nominal: the subject found on the way, if any


def _find_introducer(
    view: TextView, cue: CueHit, limit: int, roles: dict, cfg: RuleConfig
) -> Introducer | None:
    """Read right from the cue for what opens the content; stop at the sentence end."""
    n, words = view.norm, view.words
    strict = cue.form.entry.strict
    # (an everyday word that opens its clause reads as far as any cue: "، كشف المشرف العام على ...")
    # (so does one after an auxiliary: "كما أعلن المسؤول الإعلامي لغرفة ... إن")
    after_aux = cue.first > 0 and words[cue.first - 1].text in roles["aux"]
    window = cfg.strict_intro_window if strict and not opens_clause(view, cue) and not after_aux else cfg.intro_window
    category = cue.form.entry.category
    pos = cue.end
    # The preposition بين "between" in the middle of a clause (ما بين الساعة ...، الممتعة بين
    # الشعوب) is a cue only with its introducer right after it (بين أن); كما بين الوزير أن is one.
    tight = cue.form.surface in PREPOSITION_HOMOGRAPHS and not opens_clause(view, cue) \
        and not (cue.first > 0 and words[cue.first - 1].text in roles["aux"])
    # A mark or a colon right after the cue (or after the subject, checked word by word).
    for j in range(cue.last + 1, min(len(words), cue.last + 1 + window) + 1):
        if tight and j > cue.last + 1:
            return None
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
            short = len(WORD.findall(n[mark.start : mark.end])) < cfg.min_said_words and category != "describe"
            if not short or _said_at_end(view, cue, mark):
                return Introducer("mark", mark.start, mark.start - 1, mark)
            # A name in marks ("وأكدت «ماما سارة» أنها ..."): part of the subject; read on.
        if j >= len(words) or words[j].start >= limit:
            return None
        w = words[j].text
        prev = words[j - 1].text if j > cue.last + 1 else ""
        # بعد أن، بالرغم من أن: a conjunction, not the complementiser
        if w in COMPLEMENTISERS and prev not in roles["notcomp"] and not (
                prev == "من" and j - 2 > cue.last and words[j - 2].text in roles["notcomp"]):
            return Introducer("complementiser", words[j].end, words[j].start)
        if j + 1 < len(words) and w in ("الي", "علي", "من") and words[j + 1].text in COMPLEMENTISERS \
                and prev not in roles["notcomp"]:
            return Introducer("complementiser", words[j + 1].end, words[j].start)
        # (قال takes no preposition's content: "وقال عبر حسابه على تويتر إن")
        if category in CALL_CATEGORIES and cue.form.entry.lemma != "قال":
            intro = CALL_INTRODUCERS[category]
            # اشتكى عدد من المواطنين من ...: من after a quantity belongs to the subject
            # (and على هامش، في بيان: the occasion, not the content)
            # (المشرف العام على ...: the على of a title)
            titled = any(words[i].text in roles["title-on"] for i in range(max(cue.last + 1, j - 2), j))
            if w in intro and w not in ("ب", "ل") and prev not in roles["quantifier"] and not (w == "علي" and titled) \
                    and not (j + 1 < len(words) and words[j + 1].text in roles["manner"]) \
                    and not (j > cue.last + 1 and _domain_then_that(view, j + 1, limit)):
                return Introducer("call", words[j].end, words[j].start)
            # بـ / لـ joined to the content's first noun (طالب بإغلاق، دعا للحضور); right after a
            # bare perfect it may be a noun's object instead (طالب بالجامعة "a student at").
            joined = next((p for p in ("ب", "ل") if p in intro and w.startswith(p)), None)
            bare = cue.form.aspect == "perfect" and strict and not conjoined_perfect(cue)
            # (after a preposition or an office in construct, رئيس لجنة، في ليبيا، the word is
            # a genitive whose ل/ب is its own letter)
            genitive = prev in PREPOSITIONS or (_office(prev) and not prev.startswith(ARTICLE))
            if joined and len(w) > 3 and w not in NOT_BI_INTRODUCER and w[:2] != "لل" and not genitive \
                    and (j > cue.last + 1 or not bare):
                return Introducer("call", words[j].start, words[j].start)
        # another cue begins: this one introduced nothing (but a cue that describes the
        # occasion, "وأضافت في حديث نقلته وكالة ...:", is read past)
        if w in lexicon_forms() and j > cue.last + 1 and prev not in roles["manner"]:
            return None
        pos = words[j].end
    return None


def _said_at_end(view: TextView, cue: CueHit, mark: MarkedSpan) -> bool:
    """Does a short marked span right after the cue or a one-word subject end its sentence
    (وقال المعهد «نحن محايدون».)? A name in marks is followed by the rest of its clause
    (كما نقلت «رويترز» أن ...) or stands after an outlet word (لوكالة «فرانس برس».)."""
    if not mark.closed or view.word_at(mark.start) - cue.last > 2:
        return False
    rest = view.norm[mark.end + 1 : mark.end + 4].lstrip(" ")
    return not rest or rest[0] in ".!?؟\n"


# الله، المولى: "دعا الله أن ..." is a prayer.
_GOD = frozenset({"الله", "المولي", "ربه", "الرب"})


def _addresses_god(view: TextView, cue: CueHit) -> bool:
    return cue.last + 1 < len(view.words) and view.words[cue.last + 1].text in _GOD


def _domain_then_that(view: TextView, j: int, limit: int) -> bool:
    """ويؤكد المشرفون على الأندية أنهم: one or two definite nouns, then the complementiser (the
    على belongs to the subject's description)."""
    words = view.words
    for k in range(j, min(j + 3, len(words))):
        if words[k].start >= limit or any(c in CLAUSE_BREAKS for c in view.norm[words[k - 1].end : words[k].start]):
            return False
        if words[k].text in COMPLEMENTISERS:
            return k > j
        if not words[k].text.startswith(ARTICLE):
            return False
    return False


# Categories of speech verbs whose complement may be a noun phrase that states the claim:
# أكد أهمية ...، أعلن بلوغ ...، توقع ارتفاع ...، نفى وجود ...، اقترح إنشاء ...
NOMINAL_CATEGORIES = frozenset({"assert", "declare", "explain", "emphasise", "predict", "deny", "claim",
                                "reveal", "admit", "report", "propose", "point-out", "add"})


def _nominal_introducer(
    view: TextView, cue: CueHit, limit: int, roles: dict, names: Names, cfg: RuleConfig
) -> Introducer | None:
    """A speech verb whose content is a noun phrase, not a clause: read the subject (VSO: a
    definite phrase or a name; else SVO before the verb; else the verb carries it), skip an
    adjunct (في بيان لها أمس), and take the next noun as the start of the content."""
    entry, aspect = cue.form.entry, cue.form.aspect
    # The perfect (أكدت الهيئة استمرار ...) and the participle of manner after a clause
    # (، مؤكدا أهمية ...); an imperfect is too often a description (يعتبر، توضح الأرقام).
    # قال never takes a noun-phrase complement: the phrase after it is its subject.
    if entry.category not in NOMINAL_CATEGORIES or aspect not in ("perfect", "participle") or entry.lemma == "قال":
        return None
    opens = view.clause_start(cue.first) or cue.form.surface[:1] in CONJUNCTIONS or (
        cue.first > 0 and view.words[cue.first - 1].text in roles["aux"])  # وقد أعلنت، كما أعلنت
    if aspect == "participle" and not opens:
        return None  # حالات مؤكدة: an adjective, not a manner
    # An everyday word (أعلن "announce", بين "between") is a cue here only with the
    # conjunction, as a participle, or opening its clause with a subject right after it.
    loose = entry.strict and not (conjoined_perfect(cue) or aspect == "participle")
    if loose and not opens:
        return None
    if view.in_mark(cue.start):
        return None
    words = view.words
    stop = view.word_at(limit)
    j = cue.last + 1
    subject = None
    if aspect != "participle":
        subject = relative_antecedent(view, cue, roles, names)
        if subject is None and j < stop and _opens_subject(words[j].text, j, roles, names):
            np = noun_phrase(view, j, stop, roles, names, cfg)
            if np is not None:
                subject = titled_name(view, (words[np[0]].start, words[np[1] - 1].end), limit, roles, names, cfg)
                j = view.word_at(subject[1])
        if subject is None and loose:
            return None
        if subject is None:
            subject = subject_before(view, cue, roles, cfg, names)
    elif loose:
        return None
    j = _skip_adjunct(view, j, stop, roles, cfg)
    if j + 1 >= stop or not _opens_complement(view, j, roles) or _office(view.words[j].text):
        return None
    end = words[j - 1].end if j > cue.last + 1 else cue.end
    return Introducer("nominal", words[j].start, end, subject=subject)


# Verbs whose first noun phrase is often the one addressed: دعا الوزير المواطنين إلى، حث
# جميع الأطراف على، طالب الحكومة بـ، حذر السكان من.
OBJECT_FIRST = frozenset({"call", "urge", "appeal", "demand", "recommend", "warn", "accuse", "instruct"})
_ADDRESSED = frozenset({"جميع", "كافه", "كل", "الجميع", "المواطنين", "الجهات", "المسلمين"})


def _without_object(
    view: TextView, cue: CueHit, subject: tuple[int, int], roles: dict, names: Names, cfg: RuleConfig
) -> tuple[int, int] | None:
    """The subject of a call, without the one called on: of two noun phrases before إلى / على
    the first is the speaker; a lone phrase of "all" (جميع الأطراف) is the one addressed."""
    first = view.word_containing(subject[0])
    stop = view.word_at(subject[1])
    np = noun_phrase(view, first, stop, roles, names, cfg)
    if np is None:
        return subject
    # two phrases: speaker, then the addressed (but an office then an indefinite word is a
    # title and a name the entity layer does not know: وطالبت النائبة عالية نصيف بأن)
    named = np[1] < stop and _office(view.words[np[1] - 1].text) \
        and not view.words[np[1]].text.startswith(ARTICLE) and view.words[np[1]].text not in _ADDRESSED \
        and stop - np[1] <= 3
    if np[1] < stop and not named:
        return view.words[np[0]].start, view.words[np[1] - 1].end
    if view.words[first].text in _ADDRESSED:
        return None
    # A masculine verb before a feminine phrase (ودعا الحكومة إلى): the phrase is its object,
    # since a verb agrees with the singular feminine subject that follows it.
    head = view.words[first]
    if cue.form.gender == "m" and (view.ends_in_ta_marbuta(first) or head.text.endswith("ات")) \
            and first not in names.last_of:
        return None
    return subject


def _name_then_object(view: TextView, subject: tuple[int, int], names: Names) -> tuple[int, int]:
    """وصف الأستاذ خالد الأحمد مشاركة السعودية بالمميزة: before a preposition's content,
    an indefinite noun right after a person's name (not an office) is the verb's object; the
    subject ends with the name."""
    words = view.words
    spans = names.spans
    i = bisect.bisect_left(spans, (subject[0], -1, ""))
    end = None
    while i < len(spans) and spans[i][0] < subject[1]:
        if spans[i][2] == "PER" and spans[i][1] < subject[1]:
            end = spans[i][1]
        i += 1
    if end is None:
        return subject
    k = view.word_at(end)
    if k >= len(words) or words[k].start >= subject[1]:
        return subject
    w = words[k].text
    if w.startswith(ARTICLE) or _office(w) or w in ("بن", "بنت", "ابن") or k in names.last_of \
            or any(c in CLAUSE_BREAKS for c in view.norm[end : words[k].start]):
        return subject
    return subject[0], end


def _masdar_head(view: TextView, subject: tuple[int, int], roles: dict, names: Names) -> bool:
    """Does the phrase after a cue open with an indefinite common noun (حرص، أهمية) rather than
    a subject (a definite noun, a name, an office, a described source)?"""
    k = view.word_containing(subject[0])
    w = view.words[k].text
    return not (_opens_subject(w, k, roles, names) or _office(w) or w in roles["pronoun"])


def _office(word: str) -> bool:
    """A person's office (أمين، مدير، رئيس ...): after a name it is an apposition, not content."""
    from ..entities import load_gazetteer

    titles = load_gazetteer().titles
    word = word[2:] if word.startswith(ARTICLE) else word
    # (the feminine of a title: النائبة، المديرة)
    return word in titles or (word.endswith("ه") and word[:-1] in titles)


def _opens_subject(word: str, j: int, roles: dict, names: Names) -> bool:
    """A VSO subject is definite (الوزير), a name, or a described source (مصدر، عدد من): an
    indefinite common noun right after the verb is its object (أكد جاهزية الفريق)."""
    return (word.startswith("ال") or j in names.last_of or word in roles["description"]
            or word in roles["quantifier"]) and word not in roles["stop"]


def _skip_adjunct(view: TextView, j: int, stop: int, roles: dict, cfg: RuleConfig) -> int:
    """Past time words and the occasion of a statement (في بيان له، خلال مؤتمر صحفي أمس)."""
    words = view.words
    start = j
    while j < stop and j - start < cfg.adjunct_max_words:
        w = words[j].text
        if w in ("في", "وفي", "خلال", "عبر", "اثناء") and j + 1 < stop and words[j + 1].text in roles["manner"]:
            j += 2
            # the occasion's modifiers: له، لها، الصحفي، صحفي، هاتفي، اليوم ...
            while j < stop and j - start < cfg.adjunct_max_words and (
                words[j].text in roles["addressee"] or words[j].text.endswith("ي")
                or words[j].text in roles["stop"] or words[j].text in roles["adjective"]):
                j += 1
            continue
        if w in roles["stop"] and w not in ("في", "وفي", "عن", "حول", "من") and not view.norm[
                words[j - 1].end if j else 0 : words[j].start].strip(" ،,"):
            j += 1  # امس، اليوم، يوم ...
            continue
        break
    return j


def _opens_complement(view: TextView, j: int, roles: dict) -> bool:
    """Can word ``j`` open a noun-phrase complement? Not a function word, a preposition, a cue,
    a verb (يمكن، سيتم) or a punctuation-separated word."""
    w = view.words[j].text
    gap = view.norm[view.words[j - 1].end : view.words[j].start] if j else ""
    if any(c in gap for c in ",،.:;؛\n") or len(w) < 3:
        return False
    if w in roles["stop"] or w in roles["particle"] or w in roles["addressee"] or w in roles["relative"] \
            or w in roles["pronoun"] or w in COMPLEMENTISERS or w in lexicon_forms():
        return False
    if w.startswith(("ي", "سي", "ست", "سن")) or preposition_phrase(w):
        return False
    return not w.isdigit()


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


def find_quotes(
    view: TextView, cues: list[CueHit], cfg: RuleConfig = DEFAULT, names: Names = NO_NAMES
) -> tuple[list[RawQuote], list[Mention]]:
    """Quotations found from the cues, and the speaker mentions of cues that introduced none
    (they are antecedents too: "وصف الوزير القرار بالخاطئ، وقال إن ..."). ``names`` are the
    document's named entities (:class:`~.phrases.Names`), which keep a name whole in a phrase."""
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
            intro = _find_introducer(view, cue, limit, roles, cfg)
            if intro is None:
                intro = _nominal_introducer(view, cue, limit, roles, names, cfg)
            intros.append(intro)
    # Speech reported inside a direct quotation belongs to that quotation.
    direct = _direct_marks(view, intros)
    for k, (cue, intro) in enumerate(zip(cues, intros)):
        if intro is not None and _inside_mark_of(view, cue.start, direct):
            intros[k] = None
    productive_starts = [
        c.start for c, it in zip(cues, intros)
        if (it is not None or c.form.entry.attributive) and opens_clause(view, c)
    ]

    def next_cue_start(after: int) -> int:
        k = bisect.bisect_right(productive_starts, after)
        return productive_starts[k] if k < len(productive_starts) else len(view.norm)

    def nested_bounds(k: int) -> tuple[int, int]:
        """Content around cue ``k`` may hold at most cfg.max_nested_cues other cues each side."""
        before = k - 1 - cfg.max_nested_cues
        after = k + 1 + cfg.max_nested_cues
        return (cues[before].end if before >= 0 else 0,
                cues[after].start if after < len(cues) else len(view.norm))

    for k, (cue, intro) in enumerate(zip(cues, intros)):
        floor, ceiling = nested_bounds(k)
        if cue.form.entry.attributive:
            q = _attributive_quote(view, cue, roles, cfg, floor, ceiling)
            if q is not None:
                quotes.append(q)
            continue
        if intro is not None and intro.kind == "mark" and cue.form.entry.category != "describe":
            assert intro.mark is not None
            if len(WORD.findall(view.norm[intro.mark.start : intro.mark.end])) < cfg.min_quote_words \
                    and view.norm[intro.subject_end : intro.subject_end + 1] != ":" \
                    and not _said_at_end(view, cue, intro.mark):
                intro = None  # "كما نقلت «رويترز»": a name in marks, not words said (but أجاب: «نعم».)
        if intro is None:
            q = _quote_before_cue(view, cue, roles, claimed_marks, cfg)
            if q is not None:
                quotes.append(q)
            elif cue.form.aspect in ("perfect", "imperfect") and not view.in_mark(cue.start) and (
                not cue.form.entry.strict or conjoined_perfect(cue) or (
                    cue.last + 1 < len(view.words) and view.clause_start(cue.first)
                    and _opens_subject(view.words[cue.last + 1].text, cue.last + 1, roles, names))
            ):
                # Without an introducer the phrase has no right edge: the noun phrase after
                # the verb, up to its object (وندد وزير الخارجية | بالهجوم).
                subject = relative_antecedent(view, cue, roles, names)
                if subject is None:
                    np = noun_phrase(view, cue.last + 1, view.word_at(view.sentence_end(cue.end)), roles, names, cfg)
                    if np is not None and np[1] - np[0] <= cfg.loose_subject_max_words:
                        subject = titled_name(view, (view.words[np[0]].start, view.words[np[1] - 1].end),
                                              view.sentence_end(cue.end), roles, names, cfg)
                # (a bare imperfect after a comma describes: "، يؤكد ضلال الفئة")
                if subject is not None and opens_clause(view, cue) and (
                        cue.form.aspect == "perfect" or cue.form.surface[:1] in CONJUNCTIONS):
                    candidates.append(mention_of(cue, subject))
            continue
        subject = intro.subject
        if intro.kind != "nominal" and cue.form.aspect in ("perfect", "imperfect"):
            # "الطبيب الذي أكد أن ...": the speaker stands before the relative pronoun.
            subject = relative_antecedent(view, cue, roles, names)
            # "وكان الوزير قد اتهم الوكالة بـ...": after قد the subject stands before the verb,
            # and what follows the verb is its object.
            if subject is None and cue.first > 0 and view.words[cue.first - 1].text == "قد":
                subject = subject_before(view, cue, roles, cfg, names)
            if subject is None:
                subject = relayed_source(view, cue, intro.subject_end)
            if subject is None:
                subject = subject_after(view, cue.end, intro.subject_end, roles, cfg)
                if subject is not None and cue.form.entry.category in OBJECT_FIRST:
                    subject = _without_object(view, cue, subject, roles, names, cfg)
                elif subject is not None and intro.kind == "call" and _masdar_head(view, subject, roles, names):
                    # وأكد حرص الجامعة على ...: the "subject" is the claim itself.
                    intro = Introducer("nominal", subject[0], cue.end)
                    subject = None
                # (the name after a title's body, once the one called on is set apart)
                if subject is not None:
                    subject = apposed_name(view, subject, intro.subject_end, roles, names, cfg)
                if subject is not None and intro.kind == "call":
                    subject = _name_then_object(view, subject, names)
            if subject is None:
                subject = subject_before(view, cue, roles, cfg, names)
        if subject is None:
            subject = quoted_source(view, cue)
        if subject is None and cue.form.entry.strict and not conjoined_perfect(cue) \
                and cue.form.aspect in ("perfect", "imperfect"):
            continue  # "يذكر أن"، "يتوقع أن": impersonal, the journalist's own voice
        if subject is None and cue.form.aspect == "passive" and cue.form.entry.lemma != "قال":
            continue  # "يشار إلى أن": impersonal too (but "وقيل إن" reports what was said)
        if cue.form.entry.category == "call" and _addresses_god(view, cue):
            continue  # "داعيا الله أن يحفظ البلاد": a prayer, not a quotation
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
        if kind != "direct" or intro.kind == "colon":  # marks bound a direct content exactly
            start, end = strip_span(view, start, end)
        if end <= start:
            continue
        k = bisect.bisect_left(view.mark_starts, start)
        while k < len(view.marks) and view.marks[k].start < end:
            claimed_marks.add(view.marks[k].start)
            k += 1
        pronoun = subject is not None and view.norm[subject[0] : subject[1]] in roles["pronoun"]
        speaker = mention_of(cue, subject, pronoun)
        confidence = cfg.explicit_confidence if subject and not pronoun else cfg.implicit_confidence
        if cue.form.entry.strict:
            confidence -= cfg.strict_penalty
        if intro.kind == "nominal":
            confidence = min(confidence, cfg.nominal_confidence)
        quotes.append(RawQuote(start, end, kind, cue, speaker, confidence))
    quotes.extend(_unclaimed_marks(view, quotes, claimed_marks, cfg))
    quotes.sort(key=lambda q: (q.start, q.end))
    quotes = _dedupe(quotes)
    return _nest(quotes), _outside(candidates, quotes)


def _containing(quotes: list[RawQuote], starts: list[int], pos: int, own: RawQuote | None = None) -> RawQuote | None:
    """A quotation (other than ``own``) whose content holds ``pos``; ``quotes`` sorted by start,
    ``starts`` their starts."""
    k = bisect.bisect_right(starts, pos) - 1
    # Contents rarely overlap: the few that start before pos are checked, nearest first.
    for q in reversed(quotes[max(0, k - 3) : k + 1]):
        if q is not own and q.start <= pos < q.end:
            return q
    return None


def _nest(quotes: list[RawQuote]) -> list[RawQuote]:
    """Mark the quotations reported inside another one's content (وقال إن الوزير أكد أن ...):
    their speakers are not antecedents of the next pro-drop verb. An «according to» whose
    content holds another quotation's cue is that quotation's source tag and is dropped."""
    starts = [q.start for q in quotes]
    cued = sorted((o.cue.start, k) for k, o in enumerate(quotes) if o.cue is not None)
    cue_starts = [c for c, _ in cued]
    out = []
    for q in quotes:
        if q.cue is None:
            out.append(q)
            continue
        host = _containing(quotes, starts, q.cue.start, q)
        # (only a trailing one, "...، بحسب الوكالة": "وبحسب الأقارب فإن ..." leads its own content)
        if q.cue.form.entry.attributive and q.start < q.cue.start and any(
                quotes[k] is not q and abs(quotes[k].start - q.start) < 4000
                for _, k in cued[bisect.bisect_left(cue_starts, q.start) : bisect.bisect_left(cue_starts, q.end)]):
            continue
        q.nested = host is not None
        out.append(q)
    return out


def _outside(candidates: list[Mention], quotes: list[RawQuote]) -> list[Mention]:
    """The candidate speakers that stand outside every quotation's content."""
    starts = [q.start for q in quotes]
    return [m for m in candidates if _containing(quotes, starts, m.start) is None]


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


def _quote_before_cue(
    view: TextView, cue: CueHit, roles: dict, claimed: set[int], cfg: RuleConfig
) -> RawQuote | None:
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
    if len(WORD.findall(view.norm[mark.start : mark.end])) < cfg.min_quote_words:
        return None
    limit = view.sentence_end(cue.end)
    subject = subject_after(view, cue.end, limit, roles, cfg)
    claimed.add(mark.start)
    return RawQuote(mark.start, mark.end, "direct", cue, mention_of(cue, subject),
                    cfg.trailing_explicit_confidence if subject else cfg.trailing_implicit_confidence)


def _attributive_quote(
    view: TextView, cue: CueHit, roles: dict, cfg: RuleConfig, floor: int = 0, ceiling: int | None = None
) -> RawQuote | None:
    """وفقا لـ X / بحسب X / نقلا عن X: the source follows; the content is the clause
    (kept within ``[floor, ceiling)``: see ``RuleConfig.max_nested_cues``)."""
    n = view.norm
    src_start = cue.source_start if cue.source_start is not None else cue.end
    sent_start = max(view.sentence_start(cue.start), floor)
    sent_end = min(view.sentence_end(cue.end), len(n) if ceiling is None else ceiling)
    # "بحسب ما ذكرت الوزارة": skip the verb, the source is its subject.
    j = view.word_at(src_start)
    verb = lexicon_forms().get(view.words[j].text) if j < len(view.words) else None
    if verb is not None and verb.aspect != "masdar" and view.words[j].start < sent_end:
        src_start = view.words[j].end  # (not بحسب قولها: the verbal noun is the source)
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
    subject = subject_after(view, src_start, src_end, roles, cfg)
    # Words between the sentence start and the cue, counted by index (never by slicing).
    if view.word_at(cue.start) - view.word_at(sent_start) >= 3:
        start, end = sent_start, cue.start  # "... ، وفقا لـ X."
    else:
        start, end = src_end, sent_end  # "وبحسب X، فإن ..."
        wi = view.word_at(start)
        if wi < len(view.words) and view.words[wi].text in ("فان", "فانه", "فانها", "ان", "انه"):
            start = view.words[wi].end if view.words[wi].text in ("فان", "ان") else view.words[wi].start
    kind, start, end = _classify_content(view, *strip_span(view, start, end))
    if kind != "direct":
        start, end = strip_span(view, start, end)
    if end - start < 3 or subject is None:
        return None
    speaker = Mention(subject[0], subject[1])
    # "حسب قوله" / "على حد تعبيرها": a verbal noun with a pronoun stands for the latest
    # speaker that agrees with it, like بقوله.
    said = lexicon_forms().get("ب" + n[subject[0] : subject[1]])
    if said is not None and said.aspect == "masdar":
        speaker = Mention(subject[0], subject[1], implicit=True, gender=said.gender, number=said.number)
    return RawQuote(start, end, kind, cue, speaker, cfg.attributive_confidence)


def _unclaimed_marks(
    view: TextView, quotes: list[RawQuote], claimed: set[int], cfg: RuleConfig
) -> Iterable[RawQuote]:
    """A paragraph that opens with a long marked span continues the previous quotation."""
    by_start = sorted(quotes, key=lambda q: q.start)
    starts = [q.start for q in by_start]
    newlines = [m.start() for m in regex.finditer("\n", view.norm)] if view.marks else []
    for mark in view.marks:
        if mark.start in claimed:
            continue
        n_words = len(WORD.findall(view.norm[mark.start : mark.end]))
        if n_words < cfg.continuation_min_words:
            continue  # a name, a title, a slogan, a scare quote
        k = bisect.bisect_left(newlines, mark.start - 1) - 1  # rfind would rescan the paragraph
        para_start = newlines[k] + 1 if k >= 0 else 0
        if view.norm[para_start : mark.start - 1].strip():
            continue
        k = bisect.bisect_left(starts, mark.start) - 1
        if k < 0:
            continue
        prev = by_start[k]
        said = prev.speaker
        if said is None:
            continue
        if mark.start - prev.end > cfg.continuation_max_chars or \
                view.norm.count("\n", prev.end, mark.start) > cfg.continuation_max_breaks:
            continue
        speaker = Mention(said.start, said.end, True, said.gender, said.number, antecedent=said)
        yield RawQuote(mark.start, mark.end, "direct", None, speaker, cfg.continuation_confidence)


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
