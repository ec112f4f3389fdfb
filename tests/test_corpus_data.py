"""The training corpus: the draft checker's rejections and the loader's Examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from quoteattr.evaluation.drafts import check_draft, problem_code

TEXT = ("وقال وزير الصحة خالد العمري إن الحملة ستبدأ غدا. وأضاف أن اللقاحات متوفرة في المراكز. "
        "وتحدث المدير في الحفل عن تاريخ المدينة.\nوأكدت الوزارة: «لن نتأخر».")


def codes(quotes: list[dict]) -> list[str]:
    _, errors = check_draft({"id": "x", "quotes": quotes}, TEXT)
    return [problem_code(e) for e in errors]


def quote(content: str, **fields) -> dict:
    return {"content": content, "kind": "indirect", "cue": "وقال", "speaker": "خالد العمري",
            "speaker_aliases": [], "speaker_type": "PER", "stance": [], **fields}


def test_a_good_draft_is_accepted_with_the_cue_and_speaker_located():
    line, errors = check_draft({"id": "x", "quotes": [
        quote("الحملة ستبدأ غدا"),
        quote("اللقاحات متوفرة في المراكز", cue="وأضاف"),
        quote("لن نتأخر", kind="direct", cue="وأكدت", speaker="الوزارة", speaker_type="ORG"),
    ]}, TEXT)
    assert errors == []
    q = line["quotes"][1]
    assert TEXT[q["start"]:q["end"]] == "اللقاحات متوفرة في المراكز"
    assert TEXT[q["cue_start"]:q["cue_start"] + 5] == "وأضاف"
    assert "text" not in line and all("content" not in q for q in line["quotes"])  # stand-off only


@pytest.mark.parametrize("bad, code", [
    (quote("الحملة ستبدأ غدا."), "full-stop"),
    (quote("إن الحملة ستبدأ غدا"), "complementiser"),
    (quote("الحملة ستبدأ بعد غد"), "content-not-found"),
    (quote("الحملة ستبدأ غدا", cue="وأكدت"), "cue-window"),  # the cue two sentences on
    (quote("الحملة ستبدأ غدا", speaker="زيد"), "speaker-not-found"),
    (quote("الحملة ستبدأ غدا", kind="quoted"), "kind"),
    (quote("«لن نتأخر»", kind="direct", cue="وأكدت", speaker="الوزارة", speaker_type="ORG"), "marks-included"),
    (quote("الحملة ستبدأ غدا", stance=[{"target": "المدينة", "label": "favor"}]), "target-scope"),
    (quote("الحملة ستبدأ غدا", stance=[{"target": "الحملة", "label": "positive"}]), "label"),
    (quote("الحملة ستبدأ غدا", speaker=None, speaker_type="PER"), "speaker-type"),
])
def test_the_checker_rejects_each_kind_of_mistake(bad, code):
    assert code in codes([bad])


def test_overlapping_quotations_are_rejected():
    assert "overlap" in codes([quote("الحملة ستبدأ غدا"), quote("ستبدأ غدا")])


def test_a_one_letter_abbreviation_does_not_end_the_sentence():
    text = "وقال د. خالد العمري إن الحملة ستبدأ غدا."
    _, errors = check_draft({"id": "x", "quotes": [quote("الحملة ستبدأ غدا")]}, text)
    assert errors == []


CORPUS = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus" / "annotations"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Three annotated articles of the committed corpus, in a folder of their own."""
    from quoteattr.evaluation.corpus import default_corpus_dir

    if not default_corpus_dir().is_dir():
        pytest.skip("the SaudiNewsNet corpus is not at hand")
    folder = tmp_path_factory.mktemp("annotations")
    lines = (CORPUS / "b01.jsonl").read_text(encoding="utf-8").splitlines()
    with_quotes = [line for line in lines if json.loads(line)["quotes"]][:3]
    (folder / "b01.jsonl").write_text("\n".join(with_quotes) + "\n", encoding="utf-8")
    return folder


def test_the_loader_yields_examples_with_tied_quote_cue_and_speaker_spans(sample):
    from quoteattr.training.corpus import GOLD, corpus_examples, load_corpus

    docs = load_corpus(sample)
    assert len(docs) == 3
    nlp = spacy.blank("ar")
    for doc, eg in zip(docs, corpus_examples(nlp, docs)):
        ref = eg.reference
        assert ref.text == doc["text"] == eg.predicted.text
        gold = ref.user_data[GOLD]
        assert [(g["start"], g["end"]) for g in gold] == [(q["start"], q["end"]) for q in doc["quotes"]]
        quotes = {s.id_: s for s in ref.spans["quotes"]}
        assert len(quotes) == len(gold)
        for span in ref.spans["cues"]:
            assert span.id_ in quotes and span.label_ == "CUE"
        for g, key in zip(gold, [f"q{i}" for i in range(len(gold))]):
            q = quotes[key]
            assert q.start_char <= g["start"] < g["end"] <= q.end_char  # widened to whole tokens
            if g["speaker_mention"]:
                s, e = g["speaker_mention"]
                assert doc["text"][s:e] in [g["speaker"], *g["speaker_aliases"]]


def test_the_loader_refuses_a_span_that_no_longer_matches_its_text(sample, tmp_path):
    from quoteattr.errors import CorpusError
    from quoteattr.training.corpus import load_corpus

    row = json.loads((sample / "b01.jsonl").read_text(encoding="utf-8").splitlines()[0])
    row["quotes"][0]["start"] += 1
    (tmp_path / "b01.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no longer matches"):
        load_corpus(tmp_path)


def test_an_empty_folder_is_a_clear_error(tmp_path):
    from quoteattr.errors import CorpusError
    from quoteattr.training.corpus import load_corpus

    with pytest.raises(CorpusError, match="no annotation files"):
        load_corpus(tmp_path)
