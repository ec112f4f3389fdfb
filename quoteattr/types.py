"""The value objects of the public API: frozen, slotted attrs classes.

Every ``start``/``end`` is a Python ``str`` index into the exact text the caller passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from attrs import validators as v

from .errors import InputValueError

#: The kinds of quotation (ANNOTATION.md).
KINDS = ("direct", "indirect", "mixed")
#: The stance labels.
STANCE_LABELS = ("favor", "against", "neutral")
#: The types of a speaker in the gold annotations.
SPEAKER_TYPES = ("PER", "ORG", "GPE", "DOC", "UNKNOWN")


def _span_order(instance: Any, attribute: attrs.Attribute, value: int) -> None:
    if value < instance.start:
        raise InputValueError(f"{type(instance).__name__}: end ({value}) < start ({instance.start})")


def _unit(instance: Any, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InputValueError(f"{attribute.name} must be in [0, 1], got {value}")


_offset = [v.instance_of(int), v.ge(0)]


@attrs.frozen(slots=True)
class Cue:
    """The reporting expression that introduces a quotation (وقال، بحسب، قائلا ...)."""

    text: str = attrs.field(validator=v.instance_of(str))
    start: int = attrs.field(validator=_offset)
    end: int = attrs.field(validator=[*_offset, _span_order])
    lemma: str = attrs.field(validator=v.instance_of(str))
    category: str = attrs.field(validator=v.instance_of(str))

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cue:
        return cls(**{k: d[k] for k in ("text", "start", "end", "lemma", "category")})


@attrs.frozen(slots=True)
class Speaker:
    """The mention that introduces a quotation and the best name for its source.

    ``text``/``start``/``end`` is the mention in the quote's own clause: a name or title, or,
    for a pro-drop verb (وقالت) or a participle (مضيفا), the word that carries the subject.
    ``name`` is the best name found for that source in the document, and ``resolved`` says
    whether it came from elsewhere in the document (an antecedent) rather than the mention.
    """

    text: str = attrs.field(validator=v.instance_of(str))
    start: int = attrs.field(validator=_offset)
    end: int = attrs.field(validator=[*_offset, _span_order])
    name: str = attrs.field(validator=v.instance_of(str))
    resolved: bool = attrs.field(default=False, validator=v.instance_of(bool))

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Speaker:
        return cls(**{k: d[k] for k in ("text", "start", "end", "name", "resolved")})


@attrs.frozen(slots=True)
class Stance:
    """The speaker's stance toward one subject, as expressed in one quotation."""

    subject: str = attrs.field(validator=v.instance_of(str))
    label: str = attrs.field(validator=v.in_(STANCE_LABELS))
    score: float = attrs.field(converter=float, validator=_unit)

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stance:
        return cls(d["subject"], d["label"], d["score"])


def _as_tuple(stances: Iterable[Stance]) -> tuple[Stance, ...]:
    return tuple(stances)


@attrs.frozen(slots=True)
class Quote:
    """One quotation: its content span, how it is reported, who said it, and stances."""

    text: str = attrs.field(validator=v.instance_of(str))
    start: int = attrs.field(validator=_offset)
    end: int = attrs.field(validator=[*_offset, _span_order])
    kind: str = attrs.field(validator=v.in_(KINDS))
    cue: Cue | None = attrs.field(default=None, validator=v.optional(v.instance_of(Cue)))
    speaker: Speaker | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Speaker))
    )
    stances: tuple[Stance, ...] = attrs.field(default=(), converter=_as_tuple)
    confidence: float = attrs.field(default=0.5, converter=float, validator=_unit)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict in the schema of DESIGN.md."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "cue": self.cue.to_dict() if self.cue else None,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "stances": [s.to_dict() for s in self.stances],
            "confidence": round(self.confidence, 4),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        return cls(
            text=d["text"],
            start=d["start"],
            end=d["end"],
            kind=d["kind"],
            cue=Cue.from_dict(d["cue"]) if d.get("cue") else None,
            speaker=Speaker.from_dict(d["speaker"]) if d.get("speaker") else None,
            stances=tuple(Stance.from_dict(s) for s in d.get("stances", ())),
            confidence=d.get("confidence", 0.5),
        )
