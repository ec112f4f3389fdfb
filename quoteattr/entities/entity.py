"""The value class of the entity layer."""

from __future__ import annotations

from typing import Any

import attrs

LABELS = ("PER", "ORG", "GPE", "LOC", "NORP")


@attrs.frozen(slots=True)
class Entity:
    """A named entity mention; ``text == source[start:end]`` in the caller's string.

    - ``label``: PER (a person), ORG (organisation, movement, club, institution), GPE (country,
      city, province), LOC (region, sea, continent), NORP (a nationality or community: a nisba
      adjective such as ``الأمريكية`` or a people such as ``الفلسطينيين``).
    - ``head``: the category word the name opens with, as written: ``"حركة"`` in ``حركة حماس``,
      ``"وزارة"`` in ``وزارة الصحة``, the title ``"الرئيس"`` in ``الرئيس باراك أوباما``; None
      when the name has none. A later ``الحركة`` / ``الرئيس`` can be tied to it.
    - ``canonical``: the preferred name of what is referred to: the country of a nisba
      (``الأمريكي`` → ``الولايات المتحدة``), the main name of an alias (``أمريكا`` →
      ``الولايات المتحدة``, ``الاونروا`` → ``الأونروا``), the known name inside a headed name
      (``حركة حماس`` → ``حماس``), a person's name without the title, and for a surname on its
      own the full name found elsewhere in the text (``أوباما`` → ``باراك أوباما``). None for
      organisation names the gazetteer does not know.
    - ``nested``: inside a larger entity (``الأمريكية`` in ``وزارة الخارجية الأمريكية``).
    """

    text: str
    start: int
    end: int
    label: str = attrs.field(validator=attrs.validators.in_(LABELS))
    head: str | None = None
    canonical: str | None = None
    nested: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return attrs.asdict(self)
