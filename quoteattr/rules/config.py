"""The rule layer's windows, limits and confidences: named, in one frozen value.

Every number the rules use to bound a search or to score a quotation is a field here, so it
can be read (the trained linker reads the confidences as features), documented and changed in
one place. The pipeline components take overrides by name::

    nlp.add_pipe("quoteattr_quote_spans", config={"rules": {"intro_window": 30}})

An unknown name or a value of the wrong type is a :class:`~quoteattr.errors.InputValueError`.
"""

from __future__ import annotations

from typing import Any

import attrs
from attrs import validators as v

from ..errors import InputValueError

_count = [v.instance_of(int), v.ge(0)]
_unit = [v.instance_of(float), v.ge(0.0), v.le(1.0)]


@attrs.frozen(slots=True)
class RuleConfig:
    """Windows (in words unless said otherwise) and confidences of the rule layer."""

    # How far right of a cue the introducer of its content (إن، أن، :، «، إلى ...) may be.
    intro_window: int = attrs.field(default=22, validator=_count)
    # ... for a cue that is an everyday word too (بين، ذكر): only right after a short subject.
    strict_intro_window: int = attrs.field(default=8, validator=_count)
    # A marked span of fewer words after a cue is a name in marks, not words said.
    min_said_words: int = attrs.field(default=3, validator=_count)
    # ... and one of fewer words than this is never direct content (كما نقلت «رويترز»).
    min_quote_words: int = attrs.field(default=2, validator=_count)
    # The subject noun phrase after a cue (VSO): at most this many words ...
    subject_max_words: int = attrs.field(default=16, validator=_count)
    # ... read from at most this many words after the cue.
    subject_scan: int = attrs.field(default=64, validator=_count)
    # A title cut at في/على/عن reaches a person's name before the introducer within this many words.
    apposed_name_words: int = attrs.field(default=12, validator=_count)
    # A speaker's fuller name is looked for among this many mentions of its words on each side.
    name_window: int = attrs.field(default=24, validator=_count)
    # A cue with no introducer keeps its subject as an antecedent when it is this short.
    loose_subject_max_words: int = attrs.field(default=5, validator=_count)
    # The subject before the verb (SVO, الوزير قال): at most this many words ...
    subject_before_max_words: int = attrs.field(default=6, validator=_count)
    # ... within this many characters before the verb.
    subject_before_chars: int = attrs.field(default=200, validator=_count)
    # A content span holds at most this many other cues on each side (linear cost on
    # run-on sentences of reporting verbs).
    max_nested_cues: int = attrs.field(default=4, validator=_count)
    # A pro-drop verb looks back over at most this many explicit mentions.
    antecedent_window: int = attrs.field(default=30, validator=_count)
    # A paragraph opening with a marked span of at least this many words continues the
    # previous quotation ...
    continuation_min_words: int = attrs.field(default=5, validator=_count)
    # ... when it is at most this many characters and paragraph breaks after it.
    continuation_max_chars: int = attrs.field(default=2000, validator=_count)
    continuation_max_breaks: int = attrs.field(default=2, validator=_count)

    # Confidences: a quotation whose speaker is named after its cue ...
    explicit_confidence: float = attrs.field(default=0.9, validator=_unit)
    # ... carried by the verb (وأضاف، مضيفا) ...
    implicit_confidence: float = attrs.field(default=0.7, validator=_unit)
    # ... less this for a cue that is an everyday word too.
    strict_penalty: float = attrs.field(default=0.1, validator=_unit)
    # «...»، قال X: a quotation before its cue, with a named / an implicit speaker.
    trailing_explicit_confidence: float = attrs.field(default=0.85, validator=_unit)
    trailing_implicit_confidence: float = attrs.field(default=0.65, validator=_unit)
    # A speech verb with a noun-phrase complement (أعلنت الوزارة بلوغ ...، مؤكدا أهمية ...).
    nominal_confidence: float = attrs.field(default=0.6, validator=_unit)
    # ... which may follow an adjunct of at most this many words (في بيان لها أمس).
    adjunct_max_words: int = attrs.field(default=6, validator=_count)
    # وفقا لـ X / بحسب X.
    attributive_confidence: float = attrs.field(default=0.75, validator=_unit)
    # A paragraph that continues the previous quotation, with no cue of its own.
    continuation_confidence: float = attrs.field(default=0.6, validator=_unit)
    # Less this when a pro-drop speaker is resolved to an agreeing antecedent ...
    resolved_penalty: float = attrs.field(default=0.1, validator=_unit)
    # ... and this more when the nearest antecedent does not agree in gender or number.
    disagreeing_penalty: float = attrs.field(default=0.15, validator=_unit)
    # At most this when no antecedent is found (the speaker is dropped).
    unresolved_confidence: float = attrs.field(default=0.4, validator=_unit)
    # No confidence below this.
    min_confidence: float = attrs.field(default=0.05, validator=_unit)

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> RuleConfig:
        """The defaults with ``overrides`` (a dict of field names to values) applied."""
        if not overrides:
            return DEFAULT
        if not isinstance(overrides, dict):
            raise InputValueError(f"rule settings must be a dict of names to values, not {type(overrides).__name__}")
        names = {f.name for f in attrs.fields(cls)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise InputValueError(f"unknown rule setting(s) {unknown}: the settings are {sorted(names)}")
        try:
            return attrs.evolve(DEFAULT, **overrides)
        except (TypeError, ValueError) as exc:
            raise InputValueError(f"bad rule setting: {exc}") from None

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


DEFAULT = RuleConfig()
