"""The rule stance layer: is the speaker for or against a subject, in each quotation?

- :mod:`quoteattr.stance.lexicon`: evaluative words and phrases, negators, shifters (data).
- :mod:`quoteattr.stance.subjects`: where a subject is mentioned (clitics, nisba, references).
- :mod:`quoteattr.stance.rules`: the evidence and the decision, with a calibrated score.

The spaCy component is ``quoteattr_stance`` (:mod:`quoteattr.pipeline.components`); the public
way in is ``attribute_quotes(text, subjects=[...])``.
"""

from .lexicon import StanceLexicon, load_stance_lexicon
from .rules import assign_stances
from .subjects import SubjectMention, find_subject_mentions

__all__ = ["StanceLexicon", "SubjectMention", "assign_stances", "find_subject_mentions", "load_stance_lexicon"]
