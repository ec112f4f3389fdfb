"""Arabic spelling facts, in one place: words, sentences, quotation marks, clitics, endings.

Every table here is in *normalised* spelling (:mod:`quoteattr.normalize`: hamza seats folded
to ا, ى to ي, ة to ه, diacritics and tatweel dropped), because every matcher in quoteattr
runs on normalised text. Modules that need one of these facts import it from here; none of
them writes its own copy. The tables differ where the tasks differ (a stem finder strips
more than an entity finder may), and each says what it is for.
"""

from __future__ import annotations

import regex

from .normalize import normalize

# -- words and sentences -------------------------------------------------------------------

#: A letter or a digit: the unit of an Arabic word for matching.
LETTER = r"[\p{L}\p{N}]"
#: A word: a run of letters and digits (punctuation and spaces separate words).
WORD = regex.compile(r"[\p{L}\p{N}]+")
# A word and the run of other characters after it (up to the next word).
WORD_AND_GAP = regex.compile(r"([\p{L}\p{N}]+)([^\p{L}\p{N}]*)")
#: A word as the trained components' features count it (``\w``: letters, digits, marks, _).
FEATURE_WORD = regex.compile(r"\w+")
#: A word of two or more letters of the basic Arabic alphabet (ء..ي), nothing else.
ARABIC_WORD = regex.compile(r"[\u0621-\u064A]{2,}")
#: Look-arounds: no letter right before / right after (a whole-word match).
NO_LETTER_BEFORE = rf"(?<!{LETTER})"
NO_LETTER_AFTER = rf"(?!{LETTER})"
#: Characters that end a sentence (a line break ends a paragraph, and so a sentence).
SENTENCE_END = regex.compile(r"[.!?؟\n]")
#: Arabic and Latin commas.
COMMAS = frozenset("،,")
#: Characters that end a clause.
CLAUSE_BREAKS = frozenset("،,;؛.:!?؟\n")
#: Horizontal white space inside a paragraph.
SPACES = " \t\u00a0"

# -- quotation marks -----------------------------------------------------------------------

OPEN_TO_CLOSE = {"«": "»", "“": "”", "„": "”", "‹": "›"}
CLOSE_TO_OPEN = {"»": "«", "”": "“", "›": "‹"}
#: Straight marks open and close alike.
SYMMETRIC = ('"', "'")
ALL_MARKS = frozenset(OPEN_TO_CLOSE) | frozenset(CLOSE_TO_OPEN) | frozenset(SYMMETRIC)
#: Marks that may open / close a short quoted name (entity finder).
OPEN_QUOTES = frozenset({"«", '"', "“", "'"})
CLOSE_QUOTES = frozenset({"»", '"', "”", "'"})

# -- proclitics ----------------------------------------------------------------------------

#: The conjunctions written joined to the next word.
CONJUNCTIONS = ("و", "ف")
#: One-letter proclitics: the conjunctions and the prepositions بـ لـ كـ.
ONE_LETTER_PROCLITICS = frozenset("وفبلك")
#: Two-letter proclitic sequences: a conjunction and a preposition.
TWO_LETTER_PROCLITICS = frozenset({"وب", "ول", "فب", "فل", "وك", "فك"})
#: The definite article.
ARTICLE = "ال"
#: Everything a stem finder may take off the front of a word, longest first ("وبال" before
#: "و"); ``""`` keeps the word whole.
STEM_PREFIXES = tuple(sorted(
    {"", "و", "ف", "ب", "ل", "ك", "س", "ال", "لل", "وال", "فال", "بال", "كال", "ولل", "فلل",
     "وب", "فب", "ول", "فل", "وك", "وس", "فس", "وبال", "فبال", "وكال", "لي", "ولي"},
    key=len, reverse=True,
))
#: Clitics taken off the first word of a phrase whatever length is left (الحد من، وصب).
SHORT_PREFIXES = ("وال", "فال", "بال", "ال", "و", "ف")
#: Clitics and the article taken off a head noun (والحركة → حركه), longest first.
HEAD_PREFIXES = ("وبال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "و", "ف", "ب", "ل")
#: A word starting so is a clitic and a word when no list knows it (ويعقوب، بالملف).
CLITIC_STARTS = ("و", "بال", "لل", "كال", "فال")

# -- endings -------------------------------------------------------------------------------

#: Number and gender endings of nouns and verbs (ة is ه).
NUMBER_ENDINGS = ("", "ه", "ات", "ون", "ين", "ان", "وا", "ت", "تا", "تم", "نا", "يه", "يين", "يون")
#: Object and possessive pronouns a stem finder takes off.
PRONOUN_ENDINGS = ("", "ه", "ها", "هم", "هما", "هن", "ك", "كم", "نا", "ي")
#: Object pronouns of a speech verb (وصفه، دعاهم).
OBJECT_SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "نا", "ني", "ك", "كم")
#: The speaker's pronoun on a verbal noun (بقوله، بقولها), with its gender and number.
MASDAR_SUFFIXES = (("ه", "m", "sg"), ("ها", "f", "sg"), ("هم", "m", "pl"), ("هما", None, "du"), ("هن", "f", "pl"))
#: Plural and dual pronouns that no name ends with (دولتهم، لديكم).
PLURAL_PRONOUN_ENDINGS = ("هم", "هما", "هن", "كم", "كما")
#: Endings of a nisba adjective (الإيراني، الإيرانية، الإيرانيين).
NISBA_ENDINGS = ("", "ه", "ون", "ين", "ان", "تان", "تين", "ات")
#: The person prefixes of an imperfect verb (يدعم، تدعم، ندعم، ادعم).
IMPERFECT_PERSON = "يتنا"
#: An unknown word that starts so is an imperfect verb, not a name (الوزير يزور).
VERB_PREFIXES = ("ي", "ت", "سي", "ست", "سن")
#: The future prefix of an imperfect verb (سيقول).
FUTURE = ("", "س")

# -- function words ------------------------------------------------------------------------

#: إن / أن / بأن with the pronouns they carry: what opens an indirect quotation.
COMPLEMENTISERS = frozenset(
    "ان انه انها انهم انهما انهن اننا انني بان بانه بانها بانهم بانهما بانهن باننا".split()
)
#: Prepositions that put a noun outside the object of a verb before them.
PREPOSITIONS = frozenset(normalize(w) for w in "في على من إلى الى عن مع حول تجاه بحق داخل خارج بين عبر".split())


def proclitic_readings(word: str) -> list[tuple[int, str]]:
    """``(letters of clitic, rest)`` readings of a normalised word for a dictionary lookup:
    the word itself, then with its proclitics taken off (لل = لـ + the article, whose lam
    stays: للأمم → الأمم).

    >>> proclitic_readings("وبالسعوديه")
    [(0, 'وبالسعوديه'), (2, 'السعوديه'), (1, 'بالسعوديه')]
    """
    out = [(0, word)]
    n = len(word)
    if n > 3 and word[:2] == "لل":
        out.append((1, "ا" + word[1:]))  # للأمم → الأمم
    if n > 4 and word[0] in CONJUNCTIONS and word[1:3] == "لل":
        out.append((2, "ا" + word[2:]))  # وللأمم
    if n > 4 and word[:2] in TWO_LETTER_PROCLITICS:
        out.append((2, word[2:]))  # وبالسعودية
    if n > 2 and word[0] in ONE_LETTER_PROCLITICS:
        out.append((1, word[1:]))
    return out


def clitic_pattern(word: str) -> str:
    """A regex for the normalised ``word`` with the proclitics it may take in front; the
    group ``m`` is the word without them (للأونروا: ل + ال, written لل)."""
    if word.startswith(ARTICLE) and len(word) > 3:
        core = regex.escape(word[2:])
        return rf"(?:[وف]?[بك]?(?P<m>ال{core})|[وف]?ل(?P<m>ل{core}))"
    return rf"(?:[وف]?[بلك]?(?P<m>{regex.escape(word)}))"
