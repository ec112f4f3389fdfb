"""The stance lexicons: evaluative words and phrases, negators and polarity shifters.

The data is in ``quoteattr/stance/data/``:

- ``evaluative.tsv``: words and phrases with a polarity (+1 favours, -1 opposes), a strength
  (1 or 2) and the *role* of the thing they evaluate: ``object`` (دعم X، اتهم X، إدانة X),
  ``subject`` (X إرهابي، X فشل، جرائم X) or ``context`` (general tone: كارثة، أمل).
- ``negators.tsv``: لم، لا، لن، ليس، غير، عدم ... and how many following words they govern;
  ``negator_exceptions.tsv``: sequences that start like a negation but are not (لا يزال،
  لا سيما، غير أن).
- ``shifters.tsv``: words that invert what follows (رفض دعم X، مكافحة الإرهاب).

Entries are base forms (perfect 3rd masculine singular for verbs, indefinite singular for
nouns and adjectives). A word of the text matches an entry after its clitics (و ف ب ل ك ال
لل س) and its regular suffixes (ة ات ون ين ان ي ه ها هم ...) are taken off; imperfect verbs
match through the entry's imperfect form with any person prefix (يدعم، تدعم، ندعم).
"""

from __future__ import annotations

import functools
from typing import Sequence

import attrs

from ..arabic import IMPERFECT_PERSON, NUMBER_ENDINGS, PRONOUN_ENDINGS, SHORT_PREFIXES, STEM_PREFIXES
from ..data import read_tsv_rows
from ..errors import LexiconError
from ..lexicon import greedy_scan
from ..normalize import normalize

ROLES = frozenset({"object", "subject", "context"})
POS = frozenset({"verb", "noun", "adj", "phrase"})

MIN_STEM = 3
# Words whose stems are remembered: a bounded cache (news vocabulary is Zipfian, so a few
# thousand frequent words take most lookups), so memory stays flat over millions of articles.
CACHE_WORDS = 16_384


@attrs.frozen(slots=True)
class EvaluativeEntry:
    """One evaluative word or phrase of ``evaluative.tsv``."""

    entry: str
    pos: str = attrs.field(validator=attrs.validators.in_(POS))
    polarity: int = attrs.field(validator=attrs.validators.in_((-1, 1)))
    strength: int = attrs.field(validator=attrs.validators.in_((1, 2)))
    target: str = attrs.field(validator=attrs.validators.in_(ROLES))
    gloss: str = ""


@attrs.frozen(slots=True)
class Hit:
    """An evaluative entry, negator or shifter found at words ``[first, last]``."""

    first: int
    last: int
    entry: EvaluativeEntry


@attrs.frozen(slots=True)
class Negator:
    entry: str
    scope: int


class _Index:
    """Entries by normalised stem, imperfect stem (without its person prefix) and phrase."""

    def __init__(self, rows: Sequence[tuple[EvaluativeEntry, str | None]]) -> None:
        self.stems: dict[str, EvaluativeEntry] = {}
        self.imperfects: dict[str, EvaluativeEntry] = {}
        self.phrases: dict[str, list[tuple[tuple[str, ...], EvaluativeEntry]]] = {}
        for e, imperfect in rows:
            forms = [e.entry] + ([imperfect] if imperfect else [])
            for i, form in enumerate(forms):
                words = tuple(normalize(form).split())
                if len(words) > 1:  # حمل المسؤولية and its imperfect يحمل المسؤولية
                    self.phrases.setdefault(words[0], []).append((words, e))
                elif i == 0:
                    self.stems.setdefault(words[0], e)
                else:
                    self.imperfects.setdefault(words[0][1:], e)
        for bucket in self.phrases.values():
            bucket.sort(key=lambda p: len(p[0]), reverse=True)


class StanceLexicon:
    """Evaluative entries and shifters indexed by normalised stem, plus negators.

    >>> lex = load_stance_lexicon()
    >>> words = normalize("وانتقدت الوزارة الإهمال").split()
    >>> [(words[h.first], h.entry.entry, h.entry.polarity) for h in lex.scan(words)]
    [('وانتقدت', 'انتقد', -1), ('الاهمال', 'إهمال', -1)]
    """

    def __init__(
        self,
        entries: Sequence[tuple[EvaluativeEntry, str | None]],
        negators: Sequence[Negator],
        shifters: Sequence[tuple[EvaluativeEntry, str | None]],
        not_negating: Sequence[str] = (),
    ) -> None:
        """``entries`` and ``shifters`` are ``(entry, imperfect form or None)`` pairs;
        ``not_negating`` are sequences that start with a negator but do not negate (لا يزال)."""
        self.entries = tuple(e for e, _ in entries)
        self.evaluative = _Index(entries)
        self.shifting = _Index(shifters)
        self.negators = {normalize(n.entry): n for n in negators}
        self.not_negating: dict[str, list[tuple[str, ...]]] = {}
        for seq in not_negating:
            words = tuple(normalize(seq).split())
            self.not_negating.setdefault(words[0], []).append(words[1:])

    def __len__(self) -> int:
        return len(self.entries)

    @functools.lru_cache(maxsize=CACHE_WORDS)  # noqa: B019 - one lexicon per process, words repeat
    def stems_of(self, word: str) -> tuple[str, ...]:
        """Candidate stems of a normalised word, least stripped first."""
        out: list[str] = [word]
        for pre in STEM_PREFIXES:
            if not word.startswith(pre):
                continue
            rest = word[len(pre):]
            for pro in PRONOUN_ENDINGS:
                if pro and not rest.endswith(pro):
                    continue
                body = rest[: len(rest) - len(pro)] if pro else rest
                for num in NUMBER_ENDINGS:
                    if num and not body.endswith(num):
                        continue
                    stem = body[: len(body) - len(num)] if num else body
                    if pro == "ي" and len(stem) < 4:  # أيدي "hands" is not أيد "supported"
                        continue
                    if len(stem) >= MIN_STEM and stem not in out:
                        out.append(stem)
                    if stem.endswith("ت") and len(stem) > MIN_STEM:  # جريمته -> جريمه
                        out.append(stem[:-1] + "ه")
        return tuple(out)

    def _lookup(self, word: str, index: _Index) -> EvaluativeEntry | None:
        for stem in self.stems_of(word):
            e = index.stems.get(stem)
            if e is not None:
                return e
            if stem[0] in IMPERFECT_PERSON:
                e = index.imperfects.get(stem[1:])
                if e is not None:
                    return e
        return None

    def lookup(self, word: str) -> EvaluativeEntry | None:
        """The evaluative entry a normalised word is a form of, or None."""
        return self._lookup(word, self.evaluative)

    @functools.lru_cache(maxsize=CACHE_WORDS)  # noqa: B019
    def _phrase_keys(self, word: str, shifting: bool) -> tuple[str, ...]:
        """The forms of ``word`` that open a phrase of the index. A phrase's first word may
        carry clitics (والحد من); short verbs (صب، شد) are compared whole after و/ف."""
        index = self.shifting if shifting else self.evaluative
        firsts = self.stems_of(word) + tuple(
            word[len(p):] for p in SHORT_PREFIXES if word.startswith(p) and len(word) > len(p) + 1
        )
        return tuple(f for f in firsts if f in index.phrases)

    def _phrase_at(self, words: Sequence[str], i: int, index: _Index) -> Hit | None:
        for stem in self._phrase_keys(words[i], index is self.shifting):
            for phrase, e in index.phrases[stem]:
                n = len(phrase)
                if i + n > len(words):
                    continue
                if all(p == w or p in self.stems_of(w) for p, w in zip(phrase[1:], words[i + 1 : i + n])):
                    return Hit(i, i + n - 1, e)
        return None

    def shifter_at(self, words: Sequence[str], i: int) -> bool:
        """Whether a shifter (رفض، مكافحة، الحد من، تراجع عن) starts at ``words[i]``."""
        return self._phrase_at(words, i, self.shifting) is not None or self._lookup(words[i], self.shifting) is not None

    def negator(self, words: Sequence[str], i: int) -> Negator | None:
        """The negator at ``words[i]`` (bare or after و/ف), unless the words from ``i`` are a
        sequence that only looks negative (لا يزال، لا سيما، غير أن)."""
        word = words[i]
        n = self.negators.get(word)
        if n is None and len(word) > 2 and word[0] in "وف":
            word = word[1:]
            n = self.negators.get(word)
        if n is None:
            return None
        for rest in self.not_negating.get(word, ()):
            if tuple(words[i + 1 : i + 1 + len(rest)]) == rest:
                return None
        return n

    def scan(self, words: Sequence[str]) -> list[Hit]:
        """Evaluative hits in a sequence of normalised words (phrases before single words)."""
        def match_at(i: int) -> Hit | None:
            hit = self._phrase_at(words, i, self.evaluative)
            if hit is None:
                e = self.lookup(words[i])
                hit = Hit(i, i, e) if e is not None else None
            return hit

        return greedy_scan(len(words), match_at)


def _int(value: str, name: str, lineno: int, file: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise LexiconError(f"{file}:{lineno}: {name} must be an integer, got {value!r}") from None


def _evaluative_rows(file: str, columns: int) -> list[tuple[EvaluativeEntry, str | None]]:
    rows = []
    for lineno, cols in read_tsv_rows(__package__, file):
        if len(cols) != columns:
            raise LexiconError(f"{file}:{lineno}: expected {columns} columns, got {len(cols)}")
        try:
            if columns == 7:
                entry, pos, polarity, strength, target, imperfect, gloss = (c.strip() for c in cols)
                e = EvaluativeEntry(entry, pos, _int(polarity, "polarity", lineno, file),
                                    _int(strength, "strength", lineno, file), target, gloss)
            else:  # shifters: entry, pos, effect, gloss
                entry, pos, effect, gloss = (c.strip() for c in cols)
                if effect != "invert":
                    raise ValueError(f"effect must be 'invert', got {effect!r}")
                e = EvaluativeEntry(entry, pos, -1, 1, "object", gloss)
                imperfect = "-"
        except ValueError as exc:
            raise LexiconError(f"{file}:{lineno}: {exc}") from None
        if not normalize(entry).strip():
            raise LexiconError(f"{file}:{lineno}: empty entry")
        rows.append((e, None if imperfect in ("", "-") else imperfect))
    return rows


def _imperfect_guess(perfect: str) -> str | None:
    """The unvowelled imperfect of a sound verb: حارب → يحارب، رفض → يرفض، انتهك → ينتهك،
    أوقف → يوقف. None for hollow and defective verbs (أزال → يزيل، not يزال; نفى → ينفي):
    they need the evaluative entry's own imperfect."""
    if " " in perfect or perfect[-1:] in "اىي" or (perfect[:1] == "أ" and perfect[2:3] == "ا"):
        return None
    if len(perfect) == 3 and perfect[1] in "اوي":
        return None
    return "ي" + (perfect[1:] if perfect[:1] in "اأإ" else perfect)


@functools.lru_cache(maxsize=None)
def load_stance_lexicon() -> StanceLexicon:
    """Load the evaluative lexicon, negators and shifters (cached: once per process)."""
    entries = _evaluative_rows("evaluative.tsv", 7)
    # A shifter verb conjugates like the evaluative verb of the same spelling (رفض → يرفض).
    imperfects = {normalize(e.entry): imp for e, imp in entries if imp}
    shifters = [(e, imperfects.get(normalize(e.entry)) or _imperfect_guess(e.entry) if e.pos == "verb" else None)
                for e, _ in _evaluative_rows("shifters.tsv", 4)]
    negators = []
    for lineno, cols in read_tsv_rows(__package__, "negators.tsv"):
        if len(cols) != 4:
            raise LexiconError(f"negators.tsv:{lineno}: expected 4 columns, got {len(cols)}")
        negators.append(Negator(cols[0].strip(), _int(cols[2].strip(), "scope", lineno, "negators.tsv")))
    exceptions = []
    for lineno, cols in read_tsv_rows(__package__, "negator_exceptions.tsv"):
        if len(cols) != 2:
            raise LexiconError(f"negator_exceptions.tsv:{lineno}: expected 2 columns, got {len(cols)}")
        exceptions.append(cols[0].strip())
    return StanceLexicon(entries, negators, shifters, exceptions)
