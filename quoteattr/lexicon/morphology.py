"""Expand a speech-verb lemma into the surface forms that appear in news prose.

Only what reporting needs: third person (journalists report others), the clitics و and ف,
the future prefix س on imperfects, object pronouns (وصفه، دعاهم), active participles used
adverbially (قائلا، مؤكدة، مشيرين), verbal nouns with بـ and a pronoun (بقوله، بتأكيدها), and
listed passive forms (قيل، يقال). Forms are produced in *normalised* spelling
(:func:`quoteattr.normalize.normalize`), since matching runs on normalised text.
"""

from __future__ import annotations

from typing import Iterator, NamedTuple

from ..arabic import CONJUNCTIONS as _CONJ
from ..arabic import FUTURE, MASDAR_SUFFIXES, OBJECT_SUFFIXES
from ..normalize import normalize


class Form(NamedTuple):
    """One generated surface form (normalised) and the grammar it carries."""

    surface: str
    aspect: str  # perfect | imperfect | participle | masdar | passive
    gender: str | None  # "m" | "f" | None (unknown)
    number: str | None  # "sg" | "du" | "pl" | None


CONJUNCTIONS = ("", *_CONJ)  # no conjunction, or one of them


def perfect_forms(lemma: str, verb_class: str) -> Iterator[tuple[str, str | None, str, bool]]:
    """(form, gender, number, takes_object_as_is) for the 3rd person perfect."""
    if verb_class == "defective_a":  # دعا: دعت، دعوا، دعتا
        stem = lemma[:-1]
        yield lemma, "m", "sg", True
        yield stem + "ت", "f", "sg", True
        yield stem + "وا", "m", "du", True  # دعَوَا (dual) is written like the plural
        yield stem + "تا", "f", "du", True
        yield stem + "وا", "m", "pl", False
    elif verb_class == "defective_y":  # نفى: نفت، نفيا، نفتا، نفوا
        stem = lemma[:-1]
        yield lemma, "m", "sg", False
        yield stem + "ت", "f", "sg", True
        yield stem + "يا", "m", "du", True
        yield stem + "تا", "f", "du", True
        yield stem + "وا", "m", "pl", False
    elif verb_class == "sound":
        yield lemma, "m", "sg", True
        yield lemma + "ت", "f", "sg", True
        yield lemma + "ا", "m", "du", True
        yield lemma + "تا", "f", "du", True
        yield lemma + "وا", "m", "pl", False
    else:
        raise ValueError(f"unknown verb class {verb_class!r}")


def _with_object(form: str, verb_class: str, as_is: bool) -> Iterator[str]:
    if as_is:
        base = form
    elif form.endswith("وا"):  # وصفوا + ه -> وصفوه
        base = form[:-1]
    elif verb_class == "defective_y":  # نفى + ه -> نفاه
        base = form[:-1] + "ا"
    else:
        base = form
    for suffix in OBJECT_SUFFIXES:
        yield base + suffix


def imperfect_forms(imperfect: str) -> Iterator[tuple[str, str | None, str]]:
    """(form, gender, number) for the 3rd person imperfect, from the 3ms form يفعل."""
    stem = imperfect[1:]
    fem = "ت" + stem
    yield imperfect, "m", "sg"
    yield fem, "f", "sg"
    if imperfect.endswith(("و", "ي")):  # يدعو، ينفي: يدعون، يدعوان
        yield imperfect[:-1] + "ون", "m", "pl"
        yield imperfect + "ان", "m", "du"
        yield fem + "ان", "f", "du"
    elif imperfect.endswith("ى"):  # يرى: يرون، يريان
        yield imperfect[:-1] + "ون", "m", "pl"
        yield imperfect[:-1] + "يان", "m", "du"
        yield fem[:-1] + "يان", "f", "du"
    else:
        yield imperfect + "ون", "m", "pl"
        yield imperfect + "وا", "m", "pl"  # subjunctive/jussive: لم يقولوا
        yield imperfect + "ان", "m", "du"
        yield fem + "ان", "f", "du"


def participle_forms(participle: str) -> Iterator[tuple[str, str | None, str]]:
    if "," in participle:
        for item in participle.split(","):
            item = item.strip()
            if item.endswith("ة"):
                yield item, "f", "sg"
            elif item.endswith("ين"):
                yield item, "m", "pl"
            else:
                yield item, "m", "sg"
        return
    # Only the accusative (circumstantial, حال) forms: قائلاً، قائلةً، قائلين. The bare and
    # nominative forms are everyday nouns (مطالب "demands", معلق "commentator").
    yield participle + "ا", "m", "sg"  # the tanwin of قائلاً is dropped by normalisation
    yield participle + "ة", "f", "sg"
    yield participle + "ين", "m", "pl"
    yield participle + "تين", "f", "du"


def masdar_forms(masdar: str) -> Iterator[tuple[str, str | None, str | None]]:
    """بقوله، بقولها، بتأكيده، بإشارتها: بـ + verbal noun + the speaker's pronoun; the same
    without بـ after عن X (نقلت عن مصدر قوله); and بالقول / بالتأكيد, the verbal noun with the
    article (اكتفى بالقول)."""
    base = masdar[:-1] + "ت" if masdar.endswith("ة") else masdar
    for conj in CONJUNCTIONS:
        for suffix, gender, number in MASDAR_SUFFIXES:
            yield conj + "ب" + base + suffix, gender, number
        yield conj + "بال" + masdar, None, None
    for suffix, gender, number in MASDAR_SUFFIXES:
        yield base + suffix, gender, number


def expand(
    lemma: str,
    verb_class: str,
    imperfect: str | None,
    participle: str | None,
    masdar: str | None,
    passive: list[str],
) -> Iterator[Form]:
    """Every surface form of one lemma, normalised."""
    out: list[Form] = []
    for form, gender, number, as_is in perfect_forms(lemma, verb_class):
        bases = [form, *_with_object(form, verb_class, as_is)]
        for base in bases:
            for conj in CONJUNCTIONS:
                out.append(Form(conj + base, "perfect", gender, number))
    for form, gender, number in imperfect_forms(imperfect) if imperfect else ():
        for conj in CONJUNCTIONS:
            for fut in FUTURE:
                out.append(Form(conj + fut + form, "imperfect", gender, number))
                if number == "sg":
                    for suffix in OBJECT_SUFFIXES:
                        out.append(Form(conj + fut + form + suffix, "imperfect", gender, number))
    if participle:
        for form, gender, number in participle_forms(participle):
            out.append(Form(form, "participle", gender, number))
            out.append(Form("و" + form, "participle", gender, number))
    if masdar:
        for form, m_gender, m_number in masdar_forms(masdar):
            out.append(Form(form, "masdar", m_gender, m_number))
    for form in passive:
        for conj in CONJUNCTIONS:
            out.append(Form(conj + form, "passive", None, None))
    # One normalisation for all the forms: it maps character by character, so the joined
    # forms normalise to the joined normalised forms (a newline stays a newline).
    surfaces = normalize("\n".join(f.surface for f in out)).split("\n") if out else []
    seen: set[str] = set()
    for f, surface in zip(out, surfaces):
        if surface not in seen:
            seen.add(surface)
            yield Form(surface, f.aspect, f.gender, f.number)
