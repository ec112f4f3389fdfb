"""Find named entities in Arabic text by rule, over the gazetteers of :mod:`.gazetteer`.

One left-to-right pass over the words of the normalised text. At each word the longest of
four matches wins:

1. a gazetteer name (places, their nisba adjectives, organisations, groups, clubs), with its
   clitic stripped (وحماس، بالسعودية، للأمم المتحدة);
2. a person title and the name after it (``الأمير فيصل بن بندر``, ``وزير الصحة خالد العمري``),
   the title's complement skipped on the way (``الرئيس الأمريكي باراك أوباما``);
3. an organisation or place head noun and its complement (``وزارة الصحة``, ``حركة حماس``,
   ``الحكومة الفلسطينية``, ``محافظة القطيف``);
4. a bare full name whose first word is a known given name (``خالد العمري``).

Then gazetteer names inside a person or organisation span are added as nested entities
(``الأمريكية`` in ``وزارة الخارجية الأمريكية``), and the surname or full name of every
person found is looked for again on its own (``أوباما`` after ``باراك أوباما``).
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

from ..arabic import (
    CLITIC_STARTS,
    CLOSE_QUOTES,
    COMMAS,
    ONE_LETTER_PROCLITICS,
    OPEN_QUOTES,
    PLURAL_PRONOUN_ENDINGS,
    SPACES,
    VERB_PREFIXES,
    WORD_AND_GAP,
    proclitic_readings,
)
from ..normalize import normalize_with_map, to_original
from .gazetteer import Gazetteer, PhraseEntry, Title

# Words that join two parts of a person's name (normalised: آل is ال).
NAME_LINKS = frozenset({"بن", "ابن", "بنت", "ال", "ابو", "ام", "عبد", "ولد"})
MAX_NAME_UNITS = 4
MAX_COMPLEMENT = 7
MAX_ORG_PARTS = 6
MAX_QUOTED = 5
# Adjectives of organisation names that end in neither ة nor ي (الأمين العام، المجلس الأعلى).
NAME_ADJECTIVES = frozenset({"العام", "الاعلي", "الاوسط", "الاكبر", "المتحده", "العليا"})


class Word(NamedTuple):
    """A word of the normalised text (a tuple: a text has tens of thousands)."""

    start: int
    end: int
    text: str  # normalised
    joined: bool  # only spaces (no newline, no punctuation) between this word and the next
    gap: str  # the text between this word and the next, stripped of spaces


@attrs.frozen(slots=True)
class Match:
    """A match over words ``[first, last]``; ``skip`` letters of a clitic off the first word."""

    first: int
    last: int
    label: str
    skip: int = 0
    head: tuple[int, int] | None = None  # words of the head noun or title
    name_first: int | None = None  # where a person's name starts (after the title)
    canonical: str | None = None
    nisba: bool = False
    nested: bool = False
    end: int | None = None  # a normalised end offset past the last word (a closing mark)
    ambiguous: bool = False  # a gazetteer name that is also a common word (الهلال، فتح)


def tokenize(norm: str) -> list[Word]:
    """The words of a normalised text, each with whether it runs on into the next."""
    words = []
    new = tuple.__new__  # (Word's own __new__ is a Python function: one call per word less)
    for m in WORD_AND_GAP.finditer(norm):
        s, e = m.span(1)
        gap = m.group(2)
        if gap == " ":
            words.append(new(Word, (s, e, m.group(1), True, "")))
        else:
            stripped = gap.strip(SPACES)
            words.append(new(Word, (s, e, m.group(1), gap != "" and stripped == "", stripped)))
    if words:  # the last word runs on into nothing
        last = words[-1]
        words[-1] = Word(last.start, last.end, last.text, False, "\n")
    return words


class Finder:
    """Finds the entities of one text; build one per call (it holds the text's words)."""

    def __init__(self, gaz: Gazetteer, text: str, norm: str, origin: list[int]) -> None:
        """``norm, origin = normalize_with_map(text)``."""
        self.gaz = gaz
        self.text = text
        self.norm = norm
        self.origin = origin
        self.w = words = tokenize(norm)
        self.keys = [w.text for w in words]
        self.sport = not gaz.sport_words.isdisjoint(self.keys)
        # علي (Ali) and على (on) are one word once ى is folded: the name is the one spelled ي.
        self.ali = {
            j for j, w in enumerate(words)
            if w.text == "علي" and text[origin[w.end - 1]] == "ي"
        }

    # -- helpers ---------------------------------------------------------------------------

    def _joined(self, i: int) -> bool:
        return i + 1 < len(self.w) and self.w[i].joined

    def _seq(self, i: int, rest: tuple[str, ...]) -> bool:
        """Do the words after ``i`` read ``rest``, with only spaces between them?"""
        if i + len(rest) >= len(self.w):
            return False
        for k, part in enumerate(rest):
            if not self.w[i + k].joined or self.keys[i + 1 + k] != part:
                return False
        return True

    def _applies(self, entry: PhraseEntry, any_context: bool) -> bool:
        if any_context or entry.context == "always":
            return True
        return entry.context == "sport" and self.sport

    def phrase(self, i: int, any_context: bool = False, clitics: bool = True) -> Match | None:
        """The longest gazetteer name that starts at word ``i``."""
        best: Match | None = None
        for skip, key in proclitic_readings(self.keys[i]) if clitics else [(0, self.keys[i])]:
            for rest, entry in self.gaz.phrases.get(key, ()):
                if (best is None or len(rest) > best.last - i) and self._applies(entry, any_context) \
                        and self._seq(i, rest):
                    # جامعة الدول العربية, حزب الله: a name that opens with a head noun has it
                    head = (i, i) if rest and key in self.gaz.heads else None
                    best = Match(i, i + len(rest), entry.label, skip, head=head,
                                 canonical=entry.canonical, nisba=entry.nisba,
                                 ambiguous=entry.context != "always")
                    break  # longest first: the first that applies is the longest for this key
        return best

    def title(self, i: int) -> tuple[int, int, Title] | None:
        """``(last word, clitic letters, title)`` of a title starting at word ``i``."""
        for skip, key in proclitic_readings(self.keys[i]):
            for rest, t in self.gaz.titles.get(key, ()):
                if self._seq(i, rest):
                    return i + len(rest), skip, t
        return None

    def _is_phrase(self, j: int) -> bool:
        """Does a gazetteer name (any context, no clitic) start at word ``j``?"""
        return self.phrase(j, any_context=True, clitics=False) is not None

    def _cliticised_common(self, key: str) -> bool:
        """A clitic on a common word (بفوز، لصحيفة): not a name. Not كـ: كيري is no كـ + يري."""
        return key[0] != "ك" and any(k in self.gaz.common for _, k in proclitic_readings(key)[1:])

    def _new_name(self, j: int) -> bool:
        """A word the lists do not know that may still be part of a name (غوديك، الشبيب)."""
        key = self.keys[j]
        if key.endswith(PLURAL_PRONOUN_ENDINGS) or (
            key.endswith("ا") and (key[:-1] in self.gaz.common or key[:-1] in self.gaz.phrases)
        ):
            return False  # دولتهم؛ عقدا، حماسا (an accusative, not a name)
        w = self.w[j]
        if "\u064b" in self.text[self.origin[w.start] : self.origin[w.end]]:
            return False  # tanwin: عقدًا
        return (
            self._plain(key)
            and not key.startswith(VERB_PREFIXES)
            and key not in self.gaz.common
            and not self._cliticised_common(key)
            and not self._is_phrase(j)
        )

    def _article(self, j: int) -> bool:
        """Does word ``j`` open with the article? Not ألكساندر, ألبرتو: the article's alif
        never carries a hamza, so a name spelled أل... is not definite."""
        return self.text[self.origin[self.w[j].start]] == "ا"

    def _plain(self, key: str) -> bool:
        """A word that could be part of a name: letters, not a stop word, title or head."""
        g = self.gaz
        return (
            len(key) > 1
            and key.isalpha()
            and key not in g.stop
            and key not in g.titles
            and key not in g.heads
        )

    # -- people ----------------------------------------------------------------------------

    def _name_start(self, j: int, unknown_ok: bool) -> bool:
        key = self.keys[j]
        if key in NAME_LINKS and key not in ("ال", "بن", "بنت") and self._joined(j):
            return True  # أبو مازن، عبد الله، ابن ...
        if key in self.gaz.given or j in self.ali:
            return True
        if key.startswith(CLITIC_STARTS) and key not in self.gaz.given:
            return False  # للوسام، وسيفه
        if key.startswith("ال") and self._article(j):
            # الوليد بن طلال: a name with the article, known by the بن after it
            return self._joined(j) and self.keys[j + 1] in ("بن", "ابن", "بنت") and self._new_name(j)
        if not self._new_name(j):
            return False
        if unknown_ok:
            return True
        # After an office title a new first name needs a known-looking second word:
        # "رئيس الحكومة تمام سلام".
        if not self._joined(j):
            return False
        nxt = self.keys[j + 1]
        return nxt in self.gaz.given or nxt in self.gaz.family or (
            nxt.startswith("ال") and self._new_name(j + 1)
        )

    def _name_end(self, j: int, unknown_tail: bool) -> tuple[int, int]:
        """The last word of a name starting at word ``j``, and how many name units it has."""
        g = self.gaz
        k = j
        if self.keys[j] in NAME_LINKS and self._joined(j):
            k = j + 1  # عبد الله، أبو مازن
        units = 1
        while units < MAX_NAME_UNITS and self._joined(k):
            key = self.keys[k + 1]
            if k + 1 in self.ali:
                k, units = k + 1, units + 1
                continue
            if not self._plain(key):
                break
            if key in NAME_LINKS:
                after = self.keys[k + 2] if self._joined(k + 1) else ""
                if len(after) < 2 or after in self.gaz.stop:
                    break
                k += 2  # بن سلمان، آل سعود، أبو زيد، آل الشيخ
            elif key in g.given or key in g.family:
                k += 1
            elif key.startswith("ال") and self._new_name(k + 1):
                k += 1  # a family name: العمري، الشبيب
            elif unknown_tail and not key.startswith(CLITIC_STARTS) and self._new_name(k + 1):
                k += 1  # a surname the lists do not know: روبرت غوديك
                unknown_tail = False  # one at most: "الدكتور هيوز سامباسا مؤلف"
            else:
                break
            units += 1
        return k, units

    def person_with_title(self, i: int) -> Match | None:
        t = self.title(i)
        if t is None or t[2].kind == "modifier":
            return None
        last, skip, title = t
        head = (i, last)
        unknown_ok = title.kind == "name"
        j = last + 1
        skipped = 0
        while j < len(self.w) and (self.w[j - 1].joined or len(self.keys[j - 1]) == 1
                                    or self.w[j - 1].gap in COMMAS):
            if self._name_start(j, unknown_ok):
                end, _ = self._name_end(j, unknown_tail=True)
                return Match(i, end, "PER", skip, head=head, name_first=j)
            if not self.w[j - 1].joined and len(self.keys[j - 1]) > 1:
                return None  # a comma may come before the name only (رئيس الوزراء البريطاني، ديفيد ...)
            skipped += 1
            if skipped > MAX_COMPLEMENT:
                return None  # also bounds a run of titles: the pass stays linear
            stacked = self.title(j)
            if stacked is not None:  # ولي العهد الأمير ...، الرئيس السابق ...
                if stacked[2].kind != "modifier":
                    unknown_ok = stacked[2].kind == "name"
                j = stacked[0] + 1
                continue
            m = self.phrase(j, any_context=True)
            if m is not None and not (m.skip and self.keys[j][0] in "وف"):
                # وزير الدفاع الأمريكي آشتون كارتر (not "رئيس أميركي خاطب")
                unknown_ok = m.nisba and self.keys[m.last].startswith("ال")
                j = m.last + 1
                continue
            unknown_ok = False
            key = self.keys[j]
            if not self._plain(key) and key not in self.gaz.heads:
                if key in ("في", "ب") and self._joined(j) and self.phrase(j + 1) is not None:
                    j += 1  # سفير الولايات المتحدة في نيروبي X
                    continue
                return None
            defined = any(k.startswith("ال") for _, k in proclitic_readings(key))
            construct = key in self.gaz.heads or (self._joined(j) and self.keys[j + 1].startswith("ال"))
            if not (defined or construct):
                return None
            j += 1
        return None

    def bare_person(self, i: int) -> Match | None:
        skip = 0
        key = self.keys[i]
        if key not in self.gaz.given and i not in self.ali and key != "ابو":
            if len(key) > 3 and key[0] == "و" and key[1:] in self.gaz.given:
                skip = 1
            else:
                return None
        if key == "ابو":  # أبو تمام، أبو محمد: a kunya is a name of its own
            if not self._joined(i) or not (self.keys[i + 1] in self.gaz.given or self._new_name(i + 1)):
                return None
            end, _ = self._name_end(i, unknown_tail=True)
            return Match(i, end, "PER", 0, name_first=i)
        end, units = self._name_end(i, unknown_tail=True)
        if units < 2:
            return None
        return Match(i, end, "PER", skip, name_first=i)

    # -- organisations and places with a head noun -------------------------------------------

    def headed(self, i: int) -> Match | None:
        g = self.gaz
        for skip, key in proclitic_readings(self.keys[i]):  # noqa: B007 (used after the loop)
            label = g.heads.get(key)
            if label is not None:
                break
        else:
            return None
        definite = key.startswith("ال")
        head_key = key[2:] if definite else key
        j, parts, strong = i + 1, 0, False
        first: Match | None = None  # the complement, when it is a gazetteer name
        # A name in marks follows an indefinite head (صحيفة «الرياضي»); after a definite one the
        # marks usually hold words said about it (الوزارة «لن تتهاون»).
        quoted = None if definite else self._quoted(i)
        if quoted is not None:  # صحيفة «الرياضي»، مؤسسة "إيرنست اند يونغ"
            j, parts, strong = quoted + 1, 1, True
            if self.w[quoted].gap in CLOSE_QUOTES and j < len(self.w):
                m = self.phrase(j)
                if m is not None and m.nisba:
                    j = m.last + 1  # صحيفة «اس» الإسبانية
                    return Match(i, j - 1, label, skip, head=(i, i))
            # end after the closing mark: صحيفة «الرياضي»
            close = self.norm.index(self.w[quoted].gap[0], self.w[quoted].end) + 1
            return Match(i, quoted, label, skip, head=(i, i), end=close)
        while j < len(self.w) and self.w[j - 1].joined and parts < MAX_ORG_PARTS:
            key = self.keys[j]
            m = self.phrase(j, any_context=True)
            if m is not None:
                if m.skip and (key[0] in "وف" or (parts == 0 and definite)):
                    break  # حزب الله وداعش (a coordination), الشركة بجدة (a place after)
                if parts and (m.ambiguous or (label != "ORG" and not m.nisba)):
                    break  # منطقة تبوك الرائد: a club name is a name only right after its head
                first = m if parts == 0 else first
                j, parts, strong = m.last + 1, parts + 1, True
                continue
            if label != "ORG":
                # A place: its name (مدينة مريوان), then a nisba at most (مدينة نابلس الفلسطينية);
                # after a definite head only a known place (not المدينة الغنية).
                if parts or definite or key[0] == "و" or not self._new_name(j):
                    break
                j, parts, strong = j + 1, 1, True
                continue
            if key in g.titles:  # مركز الملك سلمان، جامعة الأمير سلطان
                person = self.person_with_title(j) if head_key in g.named_after else None
                if person is None or person.skip:
                    break
                j, parts, strong = person.last + 1, parts + 1, True
                continue
            if key in g.heads and (parts == 0 or key.startswith("ال")):
                j, parts = j + 1, parts + 1  # وكالة أنباء الجمهورية، رئاسة الجمهورية
                continue
            if not self._plain(key):
                break
            if parts == 0 and not definite:
                if key[0] == "و" or not key.startswith("ال") and not (
                    self._joined(j) and self.keys[j + 1].startswith("ال")
                ) and (not self._new_name(j) or key.endswith("يه")):
                    break  # شركة كبرى، منطقة عمرانية، جماعة أسست: not a name
                j, parts = j + 1, 1
                continue
            if parts and key.startswith("لل") and "ا" + key[1:] not in g.titles:
                j, parts, strong = j + 1, parts + 1, True  # للرياضة
                continue
            if parts and key[0] == "ل" and self._joined(j) \
                    and self.keys[j + 1].startswith("ال") and key[1:] not in g.heads:
                j, parts, strong = j + 2, parts + 2, True  # لكرة القدم
                continue
            if key.startswith(("ال", "وال")) and (parts or definite) and (
                key.endswith(("ه", "ي")) or key in NAME_ADJECTIVES
            ):
                j, parts = j + 1, parts + 1  # الصحة، الشؤون الإسلامية، والأوقاف
                continue
            break
        if parts == 0 or (definite and not strong):
            return None
        canonical = None
        if parts == 1 and first is not None and not first.nisba:
            # حركة حماس → حماس, محافظة القطيف → القطيف; not الحكومة الفلسطينية → فلسطين.
            if (first.label in ("ORG", "NORP")) == (label == "ORG"):
                canonical = first.canonical
        return Match(i, j - 1, label, skip, head=(i, i), canonical=canonical)

    def _quoted(self, i: int) -> int | None:
        """The last word of a quoted name right after word ``i`` (صحيفة «الرياضي»)."""
        if self.w[i].gap not in OPEN_QUOTES or (i + 1 < len(self.w) and self.keys[i + 1] in self.gaz.stop):
            return None  # «لن نتهاون»: a particle opens speech, not a name
        for j in range(i + 1, min(i + 1 + MAX_QUOTED, len(self.w))):
            gap = self.w[j].gap
            if gap and gap[0] in CLOSE_QUOTES:
                return j
            if not self.w[j].joined:
                return None
        return None

    # -- the pass ----------------------------------------------------------------------------

    def _may_start(self, i: int) -> bool:
        key = self.keys[i]
        starters = self.gaz.starters
        if key in starters or i in self.ali:
            return True
        return key[0] in ONE_LETTER_PROCLITICS and any(k in starters for _, k in proclitic_readings(key)[1:])

    def run(self) -> list[Match]:
        """Every match, outer ones in text order, nested and repeated ones after them."""
        out: list[Match] = []
        nested: list[Match] = []
        n = len(self.w)
        i = 0
        while i < n:
            if not self._may_start(i):
                i += 1
                continue
            best = None
            for m in (self.phrase(i), self.person_with_title(i), self.headed(i), self.bare_person(i)):
                if m is not None and (best is None or m.last > best.last):
                    best = m
            if best is None:
                i += 1
                continue
            out.append(best)
            nested.extend(self._nested(best))
            i = best.last + 1
        return out + nested + self._repeats(out)

    def _nested(self, outer: Match) -> list[Match]:
        """Gazetteer names inside a title or an organisation's complement (الأمريكي)."""
        if outer.head is None:
            return []
        if outer.label == "PER":
            j, last = outer.head[1] + 1, (outer.name_first or outer.first) - 1
        else:
            j, last = outer.head[1] + 1, outer.last
        found = []
        while j <= last:
            m = self.phrase(j)
            if m is not None and m.last <= last:
                if m.canonical != outer.canonical:  # not حماس again inside حركة حماس
                    found.append(attrs.evolve(m, nested=True))
                j = m.last + 1
            else:
                j += 1
        return found

    def _repeats(self, found: list[Match]) -> list[Match]:
        """Other mentions of a person found with a title or a full name: the same full name,
        or its surname alone (أوباما after الرئيس باراك أوباما); ``canonical`` is that name."""
        names: dict[tuple[str, ...], Match] = {}
        for m in found:
            if m.label != "PER" or m.name_first is None or m.last == m.name_first:
                continue
            names.setdefault(tuple(self.keys[m.name_first : m.last + 1]), m)
            surname = self.keys[m.last]
            if (
                len(surname) > 2
                and surname not in self.gaz.phrases
                and surname not in self.gaz.common
                and self.keys[m.last - 1] not in NAME_LINKS
            ):
                names.setdefault((surname,), m)
        if not names:
            return []
        covered: set[int] = set()
        for m in found:
            covered.update(range(m.first, m.last + 1))
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for name_key in sorted(names, key=len, reverse=True):
            by_first.setdefault(name_key[0], []).append(name_key)
        out = []
        i = 0
        while i < len(self.w):
            hit = None
            if i not in covered:
                for skip, key in proclitic_readings(self.keys[i]):
                    for name in by_first.get(key, ()):
                        end = i + len(name) - 1
                        if self._seq(i, name[1:]) and covered.isdisjoint(range(i, end + 1)) \
                                and not self._continues(i, end):
                            src = names[name]
                            hit = Match(i, i + len(name) - 1, "PER", skip, name_first=i,
                                        canonical=self.name_text(src))
                            break
                    if hit:
                        break
            if hit:
                out.append(hit)
                i = hit.last + 1
            else:
                i += 1
        return out

    def _continues(self, first: int, last: int) -> bool:
        """Is ``[first, last]`` part of a longer name (بن محمد، محمد الأحمد)?"""
        if first > 0 and self.w[first - 1].joined and self.keys[first - 1] in NAME_LINKS:
            return True
        if not self._joined(last):
            return False
        nxt = self.keys[last + 1]
        return nxt in NAME_LINKS or nxt in self.gaz.given or nxt in self.gaz.family

    # -- back to the caller's string -----------------------------------------------------------

    def span(self, first: int, last: int, skip: int = 0, end: int | None = None) -> tuple[int, int]:
        return to_original(self.origin, self.w[first].start + skip, end or self.w[last].end)

    def name_text(self, m: Match) -> str:
        s, e = self.span(m.name_first if m.name_first is not None else m.first, m.last,
                         m.skip if m.name_first in (None, m.first) else 0)
        return self.text[s:e]


def find_matches(text: str, gaz: Gazetteer) -> tuple[Finder, list[Match]]:
    """Normalise ``text``, find every match, and return them with the finder (for offsets)."""
    norm, origin = normalize_with_map(text)
    finder = Finder(gaz, text, norm, origin)
    return finder, finder.run()
