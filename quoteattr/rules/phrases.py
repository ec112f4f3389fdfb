"""Step 3a of the rule layer: the speaker noun phrase around a cue.

After a cue, Arabic news puts its subject first (VSO: وقال وزير الصحة خالد العمري إن ...); the
phrase runs to the introducer of the content, and stops at a preposition, a time word, the one
spoken to (قال X لـ Y) or a second comma. Before a cue (SVO) a short phrase of the same clause
is the subject (الوزير قال، وكان خامنئي قد قال). A cue without a phrase carries its subject in
the verb (وأضافت، مضيفا، بقوله): the mention is the verb itself, with its gender and number."""

from __future__ import annotations

import bisect
import functools
from typing import Any, Sequence

import attrs

from ..arabic import ALL_MARKS, ARTICLE, CLAUSE_BREAKS, COMMAS, COMPLEMENTISERS, CONJUNCTIONS, SPACES
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
    named: bool = False  # a name of the entity layer, not the subject of a cue


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
    # "وقال كل من X وY": the speakers are X and Y.
    if last - first > 2 and words[first].text == "كل" and words[first + 1].text == "من":
        first += 2
    ws = words[first:last]
    spoken_to = -1  # the last word of a leading "لـ «عكاظ»"
    for k, w in enumerate(ws, first):
        t = w.text
        if k <= spoken_to:
            continue
        # وأكد لـ«عكاظ» مدير التعليم، وقال لها الطبيب: the one spoken to may come first (but an
        # outlet word is followed by the outlet's name: وقال لوكالة الصحافة الفرنسية، إن; and the
        # source of وفقا للشامي is read from inside its first word)
        leading = not chosen and w.start >= start
        # (the bare lam and the pronouns, له لها ..., are the short addressee words; groups end in ين)
        if leading and t in roles["addressee"] and (len(t) <= 3 or t.endswith("ين")):
            if t == "ل" and k + 1 < last:
                mark = view.mark_opening_at(w.end)
                spoken_to = (view.word_containing(mark.end - 1) if mark is not None
                             else _unpaired_name_end(view, w.end, k))
            continue
        if leading and t.startswith("لل") and preposition_phrase(t):
            spoken_to = k  # وقال للمدير، وقال للمرضى: the one spoken to, with its adjectives
            while spoken_to + 1 < last and _adjective(words[spoken_to + 1].text, roles):
                spoken_to += 1
            continue
        # عدد من السكان، 40% من المشاركين: من after a quantity belongs to the phrase
        partitive = t == "من" and bool(chosen) and (chosen[-1].text in roles["quantifier"] or chosen[-1].text.isdigit())
        # المشرفة على البرنامج، المشرف العام على الإدارة
        titled = t == "علي" and any(c.text in roles["title-on"] for c in chosen[-2:])
        if chosen and t in attributive_starts():
            break  # وقال بحسب الصحيفة: the attribution is not the speaker
        form = lexicon_forms().get(t)
        if form is not None and form.aspect == "participle":
            if chosen:
                break  # وقال الوزير مضيفا: the participle opens the next clause
            continue  # وأضاف قائلا، وأوضحت قائلة: the manner of speaking, not the subject
        if form is not None and form.aspect == "masdar" and not chosen and t.startswith("ب") and t != "بيان":
            continue  # أجاب بقوله، وأردف بالقول: the manner of speaking, not the subject
        if form is not None and form.aspect == "masdar" and (chosen or k == first) \
                and last - first > 1:
            break  # وأوضح بالقول في ...: a verbal noun of speech ends the phrase (alone, بحسب قولها, it is the source)
        # A described source keeps its place or body: مصدر في الوزارة، مصادر من الحديدة (but
        # not the occasion: مصدر في تصريح).
        described = bool(chosen) and _keeps_place(view, k, last, chosen[0].text, roles)
        # النيابة في فيينا أن، المشرفون على الأندية أنهم: a short place or domain right before
        # the introducer is part of the description
        described = described or (t in ("في", "من", "علي") and bool(chosen) and _short_domain(view, k + 1, last, roles))
        # اللواء أول، لواء أول مشاة: a rank's "first", not the time word of أول أمس
        ordinal = t == "اول" and bool(chosen) and k + 1 < last and words[k + 1].text not in ("امس", "من")
        if (t in roles["stop"] and not view.is_name_ali(k) and not partitive and not described and not titled
                and not ordinal) \
                or t in roles["addressee"]:
            break
        if (t in roles["skip"] or t in roles["particle"]) and not chosen:
            continue  # ومن جهته، وتمنت لو أن، وقال عنه الوزير: words before the subject
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


def _unpaired_name_end(view: TextView, pos: int, k: int) -> int:
    """The last word of a name in marks that do not pair ("لـ”عين اليوم”", one closing mark
    on both sides); the next word when no mark opens there."""
    n = view.norm
    while pos < len(n) and n[pos] in SPACES:
        pos += 1
    if pos >= len(n) or n[pos] not in ALL_MARKS:
        return k + 1
    close = next((i for i in range(pos + 1, min(len(n), pos + 40)) if n[i] in ALL_MARKS), -1)
    return view.word_containing(close - 1) if close > 0 else k + 1


def apposed_name(
    view: TextView, subject: tuple[int, int], end: int, roles: dict, names: Names, cfg: RuleConfig = DEFAULT
) -> tuple[int, int]:
    """وقال مدير التعليم في المنطقة الدكتور سعد العلي، إن: a title cut at في / على / عن, then a
    person's name right before the introducer; the subject runs to the name (the title and its
    body describe the one who speaks). Without such a name the subject stays as it was."""
    words = view.words
    k, stop = view.word_at(subject[1]), view.word_at(end)
    if k >= stop or words[k].text not in ("في", "علي", "عن") or stop - k > cfg.apposed_name_words:
        return subject
    spans = names.spans  # in text order
    name = None
    for i in range(bisect.bisect_right(spans, words[k].end, key=lambda s: s[0]), len(spans)):
        if spans[i][0] >= end:
            break
        if spans[i][2] == "PER" and spans[i][1] <= end and not view.norm[spans[i][1] : end].strip(" ،,"):
            name = spans[i]
            break
    if name is None:
        return subject
    gap = range(k + 1, view.word_containing(name[0]))
    if any(c in CLAUSE_BREAKS for c in view.norm[words[k].end : name[0]]) or any(
            (words[j].text in roles["stop"] and words[j].text not in ("في", "من")) or words[j].text in lexicon_forms()
            or words[j].text in COMPLEMENTISERS or words[j].text in roles["manner"]
            for j in gap):
        return subject  # (في لقاء مع الرئيس ...: the name is someone else)
    return subject[0], name[1]


def titled_name(
    view: TextView, subject: tuple[int, int], limit: int, roles: dict, names: Names, cfg: RuleConfig = DEFAULT
) -> tuple[int, int]:
    """وأشاد مدير الأمن في المنطقة العقيد سعد العلي بـ...، وأوضح المتحدث باسم الوزارة سعد
    العلي قيام ...: a subject without a right edge (a noun phrase before an object) cut at في /
    على / عن / باسم, then a person's name after the title's body; the subject runs to the name.
    The words between are the body's nouns only (no verb, preposition-joined word, occasion or
    clause break but one comma before the name)."""
    words = view.words
    k = view.word_at(subject[1])
    if k >= len(words) or words[k].start >= limit or words[k].text not in ("في", "علي", "عن", "باسم"):
        return subject
    reach = words[min(len(words) - 1, k + cfg.apposed_name_words)].end
    spans = names.spans
    i = bisect.bisect_right(spans, words[k].end, key=lambda s: s[0])
    while i < len(spans) and spans[i][0] < min(limit, reach) and spans[i][2] != "PER":
        i += 1
    if i >= len(spans) or spans[i][0] >= min(limit, reach) or spans[i][1] > limit:
        return subject
    name = spans[i]
    gap_text = view.norm[words[k].end : name[0]]
    if any(c in CLAUSE_BREAKS for c in gap_text.rstrip(" ،,")) or sum(c in COMMAS for c in gap_text) > 1:
        return subject
    for j in range(k + 1, view.word_containing(name[0])):
        w = words[j].text
        if w in roles["stop"] or w in roles["manner"] or w in roles["relative"] or w in lexicon_forms() \
                or w in COMPLEMENTISERS or (w[:1] in ("ب", "ل") and w not in ("باسم", "بن") and len(w) > 3):
            return subject  # (في كلمته بالدكتور ...: the name is someone else)
    return subject[0], name[1]


@functools.lru_cache(maxsize=1)
def attributive_starts() -> frozenset[str]:
    """First words of the attributive phrases (بحسب، وفقا، نقلا ...), but كما (كما قال)."""
    from ..lexicon import load_cue_lexicon

    return frozenset(k[0] for k in load_cue_lexicon().phrases if not k[0].endswith(("كما", "علي")))


def _short_domain(view: TextView, first: int, last: int, roles: dict) -> bool:
    """Words ``[first, last)`` are one to three nouns that end the gap before the introducer:
    no occasion, time, preposition-joined word, cue or clause break among them."""
    words = view.words
    if not 1 <= last - first <= 3:
        return False
    if any(c in CLAUSE_BREAKS for c in view.norm[words[first - 1].end : words[last - 1].end]):
        return False
    return not any(
        w.text in roles["stop"] or w.text in roles["manner"] or w.text in roles["addressee"]
        or w.text in lexicon_forms() or w.text in COMPLEMENTISERS or (w.text[:1] in ("ب", "ل") and len(w.text) > 3)
        for w in words[first:last])


def _keeps_place(view: TextView, k: int, limit: int, head: str, roles: dict) -> bool:
    """Is في / من at word ``k`` the place or body of a described source (مصدر في الوزارة،
    مصادر من الحديدة، مواطنون في المحافظة)? Not when the occasion follows (مصدر في تصريح)."""
    words = view.words
    return words[k].text in ("في", "من") and _described(head, roles) and k + 1 < limit \
        and words[k + 1].text not in roles["manner"] and words[k + 1].text not in roles["stop"]


def _described(word: str, roles: dict) -> bool:
    """Is ``word`` (with or without the article) the head of a described source (مصدر، مسؤول)?"""
    return word in roles["description"] or (word.startswith(ARTICLE) and word[2:] in roles["description"])


_CLAUSE_PREPOSITIONS = frozenset({"في", "وفي", "خلال", "وخلال", "بعد", "وبعد", "عقب", "وعقب", "من", "ومن",
                                  "علي", "وعلي", "عن", "وعن", "الي", "والي", "منذ", "ومنذ"})


def subject_before(
    view: TextView, cue: CueHit, roles: dict, cfg: RuleConfig = DEFAULT, names: Names | None = None
) -> tuple[int, int] | None:
    """Subject-verb order: "وكان خامنئي قال ..."، "الوزير قال إن ..."، "محمد العمري، قال:"،
    "أما إبراهيم محمد فأشار إلى أن ..."."""
    if cue.form.aspect not in ("perfect", "imperfect"):
        return None
    words = view.words
    if cue.form.surface[:1] == "ف":  # أما X فقال: the subject stands between أما and the verb
        k = cue.first - 1
        while k >= 0 and cue.first - k <= cfg.subject_before_max_words + 1 and words[k].text != "اما":
            k -= 1
        if k >= 0 and words[k].text == "اما" and k + 1 < cue.first:
            return words[k + 1].start, words[cue.first - 1].end
    if cue.form.surface[:1] in CONJUNCTIONS and cue.form.surface[1:] in lexicon_forms():
        return None  # وقال opens its own clause
    clause_start = max(view.sentence_start(cue.start), cue.start - cfg.subject_before_chars)
    segment = view.norm[clause_start : cue.start]
    cut = max(segment.rfind("،"), segment.rfind(","))
    if cut >= 0 and not segment[cut + 1 :].strip():
        # "محمد العمري، قال": the subject is the phrase before the comma.
        before = max(segment.rfind("،", 0, cut), segment.rfind(",", 0, cut))
        clause_start += before + 1
        first, last = view.word_at(clause_start), cue.first
        while last > first and words[last - 1].end > clause_start + cut:
            last -= 1
        ws = words[first:last]
    else:
        if cut >= 0:
            clause_start += cut + 1
        ws = words[view.word_at(clause_start) : cue.first]
    lead = [w.text for w in ws[:2]]
    if lead and (lead[0] in _CLAUSE_PREPOSITIONS or lead[:2] == ["و", "في"]):
        return None  # "وفي ختام اللقاء قال": a phrase of time or place, not the subject
    while ws and (ws[0].text in roles["aux"] or ws[0].text in CONJUNCTIONS):
        ws = ws[1:]
    while ws and ws[-1].text in roles["aux"]:
        ws = ws[:-1]
    if ws and len(ws) > cfg.subject_before_max_words and names is not None:
        # A long clause before the verb: its last name, if one ends right there (لكن ... بوتين قال).
        end_word = view.word_containing(ws[-1].start)
        for first_word, last_word in names.last_of.items():
            if last_word == end_word:
                return words[first_word].start, ws[-1].end
        return None
    if not ws or len(ws) > cfg.subject_before_max_words:
        return None
    if any(w.text in lexicon_forms() or w.text in COMPLEMENTISERS for w in ws):
        return None
    return ws[0].start, ws[-1].end


def mention_of(cue: CueHit, subject: tuple[int, int] | None, pronoun: bool = False) -> Mention:
    """The speaker mention of ``cue``: its subject phrase, or the cue itself (implicit). A
    subject that is an honorific or a pronoun (وأضاف معاليه) is implicit too: it names nobody."""
    f = cue.form
    if subject is not None:
        return Mention(subject[0], subject[1], pronoun, f.gender, f.number)
    # The verb (or participle, or بقوله) carries the subject.
    return Mention(cue.start, cue.end, True, f.gender, f.number)


@attrs.frozen(slots=True)
class Names:
    """The document's named people, organisations and places (from the entity layer), by
    normalised word: a name is one unit of a noun phrase, whatever its words."""

    last_of: dict[int, int]  # first word of a name -> its last word
    spans: tuple[tuple[int, int, str], ...]  # normalised character spans and labels

    @classmethod
    def build(cls, view: TextView, entities: Sequence[Any]) -> Names:
        last_of: dict[int, int] = {}
        spans = []
        for e in entities:
            if e.label not in ("PER", "ORG", "GPE") or getattr(e, "nested", False):
                continue
            start, end = view.norm_span(e.start, e.end)
            first, last = view.word_containing(start), view.word_containing(max(start, end - 1))
            if first <= last:
                last_of[first] = max(last, last_of.get(first, last))
                spans.append((start, end, e.label))
        return cls(last_of, tuple(sorted(spans)))


NO_NAMES = Names({}, ())


def _adjective(word: str, roles: dict) -> bool:
    """A definite adjective that can follow a definite head (السعودي، العامة، المساعد)."""
    return word.startswith(ARTICLE) and (word.endswith(("ي", "يه", "يين", "يون", "يان")) or word in roles["adjective"])


def preposition_phrase(word: str) -> bool:
    """بالهجوم، للأمم، كالعادة: a preposition joined to a definite noun opens a new phrase."""
    return len(word) > 4 and word[0] in "بلك" and (word[1:3] == ARTICLE or word[:2] == "لل") or (
        len(word) > 5 and word[0] in CONJUNCTIONS and word[1] in "بلك" and word[2:4] == ARTICLE)


def noun_phrase(
    view: TextView, first: int, limit: int, roles: dict, names: Names = NO_NAMES, cfg: RuleConfig = DEFAULT
) -> tuple[int, int] | None:
    """The words ``[first, end)`` of the noun phrase that opens at word ``first`` when nothing
    marks its right edge (a VSO subject before an object: وأكدت الهيئة استمرار الحملات).

    A name of the entity layer is one unit; otherwise an indefinite head takes its genitives
    and adjectives (وزير الخارجية، مصدر مسؤول، مدير عام التعليم), a definite word takes only
    adjectives (الوزير السعودي، الأمين العام), and a quantifier its partitive (عدد من
    المواطنين). A preposition joined to a noun (بالهجوم), a comma, a complementiser or a cue
    ends the phrase. Returns word indices, or None when no phrase opens there.
    """
    words = view.words
    forms = lexicon_forms()
    j = first
    while j < limit and words[j].text in roles["skip"]:
        j += 1
    start = j
    if j >= limit or _not_subject(words[j].text, roles, forms):
        return None
    prev_definite = False
    prev = ""
    # A sound plural head keeps its nun (دبلوماسيون، not the construct دبلوماسيو): only
    # agreeing adjectives follow it (دبلوماسيون عرب ومصريون | مزاعم ...)
    plural_head = _sound_plural(words[start].text) and start not in names.last_of
    while j < limit and j - start < cfg.subject_max_words:
        w = words[j].text
        if j > start and plural_head and not _plural_adjective(w, roles) and w not in roles["stop"]:
            break
        if j > start:
            gap = view.norm[words[j - 1].end : words[j].start]
            if any(c in gap for c in ",،.:;؛\n") or w in COMPLEMENTISERS or w in forms:
                break
            if (w in roles["stop"] and not view.is_name_ali(j)) or w in roles["addressee"] \
                    or w in roles["relative"] or w in roles["particle"]:
                # عدد من المواطنين; مواطنون في المحافظة: a described source keeps its place (once)
                # (an indefinite adjective may come between: مصادر دبلوماسية في الحكومة)
                described = (j == start + 1 or (j == start + 2 and _indefinite_adjective(words[start + 1].text))) \
                    and _keeps_place(view, j, limit, words[start].text, roles)
                if not (w == "من" and prev in roles["quantifier"]) and not described:
                    break
                if described:
                    prev_definite, prev, plural_head = False, w, False
                    j += 1
                    continue
            if preposition_phrase(w) and w not in ("بن", "بنت"):
                break
            coordinated = w.startswith("وال") and len(w) > 4  # وزير الصحة والسكان
            if prev_definite and not (_adjective(w, roles) or (j in names.last_of) or coordinated
                                      or w in ("بن", "بنت", "ال", "ابو")):
                break  # a definite head takes adjectives only: the next noun is its object
        if j in names.last_of:  # a name is one unit
            j = names.last_of[j] + 1
            prev_definite, prev = True, words[j - 1].text
            continue
        prev_definite = w.startswith(ARTICLE) and w != "من"
        prev = w
        j += 1
    return (start, j) if j > start else None


def _indefinite_adjective(word: str) -> bool:
    """A nisba adjective without the article (دبلوماسية، عسكري، مطلعة is not one)."""
    return not word.startswith(ARTICLE) and word.endswith(("ي", "يه", "يون", "يين")) and len(word) > 3


def _sound_plural(word: str) -> bool:
    return not word.startswith(ARTICLE) and word.endswith("ون") and len(word) > 4


def _plural_adjective(word: str, roles: dict) -> bool:
    """An indefinite adjective agreeing with a sound plural: مصريون، ومصريون، عرب، آخرون."""
    bare = word[1:] if word[:1] == "و" and len(word) > 3 else word
    return (bare.endswith(("ون", "يين")) and not bare.startswith(ARTICLE)) or bare in roles["adjective"]


def _not_subject(word: str, roles: dict, forms: dict) -> bool:
    """Words that cannot open a speaker phrase: particles, prepositions (بالعمل), cues (قائلا)."""
    return (word in roles["particle"] or word in roles["stop"] or word in roles["addressee"]
            or word in COMPLEMENTISERS or word in forms or word in roles["relative"] or preposition_phrase(word))


def relative_antecedent(view: TextView, cue: CueHit, roles: dict, names: Names = NO_NAMES) -> tuple[int, int] | None:
    """"الطبيب الشرعي الذي أكد أن ...": the speaker of a cue right after a relative pronoun is
    the noun phrase before the pronoun (a name, or up to four words back to a comma)."""
    if cue.first < 2 or view.words[cue.first - 1].text not in roles["relative"]:
        return None
    end_word = cue.first - 2  # the last word of the antecedent
    for first, last in names.last_of.items():
        if last == end_word:
            return view.words[first].start, view.words[last].end
    words = view.words
    k = end_word
    # Back over the adjectives (الشرعي، المناوب) to the head noun, and over an indefinite
    # head whose genitive it is (مدير | الإدارة).
    while k > 0 and end_word - k < 3 and words[k - 1].text.startswith(ARTICLE) and (
            _adjective(words[k].text, roles) or words[k].text.startswith("الم")):
        k -= 1
    if k > 0 and not words[k - 1].text.startswith(ARTICLE) and words[k - 1].text[:1] not in CONJUNCTIONS \
            and not view.clause_start(k) and words[k - 1].text not in roles["stop"] \
            and words[k - 1].text not in lexicon_forms():
        k -= 1
    return words[k].start, words[end_word].end


def relayed_source(view: TextView, cue: CueHit, end: int) -> tuple[int, int] | None:
    """"ونقلت الوكالة عن مسؤول في الوزارة قوله إن ...": a cue that relays (نقل) has as its
    speaker the source after عن, up to ``end`` (the introducer) and without the verbal noun
    (قوله، تأكيده) that ends the phrase."""
    if cue.form.entry.category != "quote":
        return None
    words = view.words
    forms = lexicon_forms()
    j, stop = cue.last + 1, view.word_at(end)
    while j < stop and words[j].text not in ("عن", "وعن"):
        j += 1
    first, last = j + 1, stop - 1
    if last >= first:
        said = forms.get("ب" + words[last].text)
        if said is not None and said.aspect == "masdar":
            last -= 1
    return (words[first].start, words[last].end) if first < stop and last >= first else None


def quoted_source(view: TextView, cue: CueHit) -> tuple[int, int] | None:
    """"نقلت الصحيفة عن مصدر حكومي قوله إن ...": a verbal noun (قوله، تأكيده) after عن X has X
    as its speaker, not the one who relays it."""
    if cue.form.aspect != "masdar":
        return None
    words = view.words
    k = cue.first - 1
    while k >= 0 and cue.first - k <= 8:
        gap = view.norm[words[k].end : words[k + 1].start]
        if any(c in gap for c in ".:;؛\n"):
            return None
        if words[k].text in ("عن", "وعن"):
            return (words[k + 1].start, words[cue.first - 1].end) if k + 1 < cue.first else None
        k -= 1
    return None
