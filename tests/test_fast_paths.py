"""The shortcuts taken for speed give exactly what the plain computations give."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

import quoteattr
from quoteattr.lexicon import greedy_scan
from quoteattr.normalize import normalize_with_map
from quoteattr.spans import doc_text, token_spans


def test_doc_text_is_the_text_of_the_doc_on_every_tokenizer_path():
    nlp = quoteattr.load("rules")
    texts = [
        "قال الوزير إن «العمل مستمر».",
        "x" * 5000 + " وقال المدير إن الدوام مستمر.",  # the long-chunk path of the guard
        "نص فيه \ud800 بديل منفرد.",  # a lone surrogate becomes U+FFFD
        "",
    ]
    for text in texts:
        doc = nlp.make_doc(text)
        assert doc_text(doc) == doc.text
    # a Doc the guard did not make falls back to Doc.text
    hand = Doc(spacy.blank("ar").vocab, words=["قال", "الوزير"], spaces=[True, False])
    assert doc_text(hand) == "قال الوزير"


def test_token_spans_widen_to_whole_tokens():
    doc = spacy.blank("ar")("قال الوزير وحماس اليوم")
    (span,) = token_spans(doc, [(12, 16, "ORG")])  # حماس inside the token وحماس
    assert (span.text, span.label_) == ("وحماس", "ORG")
    assert token_spans(doc, []) == []


def test_greedy_scan_over_candidates_equals_the_full_scan():
    words = "أ ب ج د ه و ز".split()

    class Hit:
        def __init__(self, i: int, last: int) -> None:
            self.i, self.last = i, last

    def match_at(i: int):
        return Hit(i, min(i + 1, len(words) - 1)) if words[i] in ("ب", "ج", "ه") else None

    full = [h.i for h in greedy_scan(len(words), match_at)]
    fast = [h.i for h in greedy_scan(len(words), match_at, [1, 2, 4])]
    assert full == fast == [1, 4]


def test_normalising_the_same_text_twice_gives_equal_results():
    text = "أكَّد المديرُ أنّ الـعمل مستمرٌ"
    first = normalize_with_map(text)
    again = normalize_with_map(text)
    assert first == again
    norm, origin = first
    assert len(origin) == len(norm) + 1 and origin[-1] == len(text)
    assert norm == "اكد المدير ان العمل مستمر"
