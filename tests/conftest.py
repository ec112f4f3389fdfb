import pytest

import quoteattr


@pytest.fixture(scope="session")
def attribute():
    """attribute_quotes on the rule pipeline, asserting the offset contract on every call."""

    def run(text, **kw):
        quotes = quoteattr.attribute_quotes(text, pipeline="rules", **kw)
        for q in quotes:
            assert text[q.start : q.end] == q.text
            if q.cue:
                assert text[q.cue.start : q.cue.end] == q.cue.text
            if q.speaker:
                assert text[q.speaker.start : q.speaker.end] == q.speaker.text
        return quotes

    return run
