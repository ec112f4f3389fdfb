import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quoteattr
from quoteattr import Cue, Quote, Speaker, Stance


def test_attribute_quotes_default_pipeline_returns_quotes_in_text_order():
    text = "وقال الوزير إن الخطة جاهزة. وأضافت الوزارة أن التنفيذ بدأ."
    qs = quoteattr.attribute_quotes(text)
    assert [q.start for q in qs] == sorted(q.start for q in qs)
    assert len(qs) == 2


def test_empty_and_quote_free_text_give_empty_list():
    assert quoteattr.attribute_quotes("") == []
    assert quoteattr.attribute_quotes("   \n ") == []
    assert quoteattr.attribute_quotes("ذهب الطلاب إلى المدرسة صباحا.") == []


@pytest.mark.parametrize("bad", [None, 12, b"bytes", ["list"]])
def test_non_str_text_raises_library_type_error(bad):
    with pytest.raises(quoteattr.InputTypeError) as err:
        quoteattr.attribute_quotes(bad)
    assert isinstance(err.value, TypeError) and isinstance(err.value, quoteattr.QuoteAttrError)


def test_bad_subjects_and_pipeline_raise_clear_errors():
    with pytest.raises(quoteattr.InputTypeError, match="single str"):
        quoteattr.attribute_quotes("نص", subjects="حماس")
    with pytest.raises(quoteattr.InputValueError, match="empty"):
        quoteattr.attribute_quotes("نص", subjects=[" "])
    with pytest.raises(quoteattr.InputValueError, match="unknown pipeline"):
        quoteattr.attribute_quotes("نص", pipeline="nonexistent")


def test_too_long_document_raises(monkeypatch):
    monkeypatch.setattr(quoteattr.checks, "MAX_LENGTH", 100)
    with pytest.raises(quoteattr.DocumentTooLongError, match="limit"):
        quoteattr.attribute_quotes("ا" * 101)


def test_subjects_give_one_stance_each_in_the_order_given():
    q = quoteattr.attribute_quotes("وقال الوزير إن حماس مسؤولة.", subjects=["مصر", "حماس"])[0]
    assert [s.subject for s in q.stances] == ["مصر", "حماس"]


def test_to_dict_matches_the_design_schema_and_round_trips():
    q = quoteattr.attribute_quotes("وقال الوزير إن الخطة جاهزة.")[0]
    d = q.to_dict()
    assert set(d) == {"text", "start", "end", "kind", "cue", "speaker", "stances", "confidence"}
    assert set(d["cue"]) == {"text", "start", "end", "lemma", "category"}
    assert set(d["speaker"]) == {"text", "start", "end", "name", "resolved"}
    assert Quote.from_dict(json.loads(json.dumps(d, ensure_ascii=False))) == q


def test_value_classes_are_frozen_and_validated():
    q = Quote("نص", 0, 2, "direct")
    with pytest.raises(AttributeError):
        q.text = "x"
    with pytest.raises(ValueError):
        Quote("نص", 5, 2, "direct")
    with pytest.raises(ValueError):
        Quote("نص", 0, 2, "other")
    with pytest.raises(ValueError):
        Stance("حماس", "positive", 0.5)
    s = Stance("حماس", "favor", 0.7)
    assert Stance.from_dict(s.to_dict()) == s
    assert Speaker.from_dict(Speaker("أ", 0, 1, "أ").to_dict()).resolved is False
    assert Cue.from_dict(Cue("قال", 0, 3, "قال", "assert").to_dict()).lemma == "قال"


def test_load_returns_a_cached_spacy_pipeline_with_doc_extensions():
    nlp = quoteattr.load("rules")
    assert nlp is quoteattr.load("rules")
    assert nlp.pipe_names == [
        "quoteattr_quote_marks", "quoteattr_speech_cues", "quoteattr_entities", "quoteattr_quote_spans",
        "quoteattr_speakers", "quoteattr_stance",
    ]
    doc = nlp("وقال المدير: «العمل مستمر».")
    assert [q.text for q in doc._.quotes] == ["العمل مستمر"]
    assert [c.text for c in doc._.speech_cues] == ["وقال"]
    assert [doc.text[s:e] for s, e in doc._.marked_spans] == ["العمل مستمر"]
    assert [s.label_ for s in doc.spans["quotes"]] == ["direct"]


def test_pipe_yields_one_result_per_input_in_order_with_errors():
    records = ["وقال الوزير إن الخطة جاهزة.", {"id": "b", "text": None}, {"id": "c", "text": "لا شيء هنا"}, 7]
    results = list(quoteattr.pipe(records, batch_size=2))
    assert [r.id for r in results] == ["0", "b", "c", "3"]
    assert results[0].ok and len(results[0].quotes) == 1
    assert results[1].error.type == "InputTypeError"
    assert results[2].ok and results[2].quotes == ()
    assert not results[3].ok


BATCH_TEXTS = [
    "وقال الوزير إن بلاده تدعم المزارعين في الجنوب.",
    "وأكدت المتحدثة باسم الوزارة أن الخطة ستبدأ الشهر المقبل، وأضافت أن التمويل جاهز.",
    "ذهب الطلاب إلى المدرسة صباحا.",
    "وانتقد رئيس الحزب الحكومة، وقال: «إنها تخلت عن وعودها للناس».",
    "وذكر بيان للشركة أن الأرباح ارتفعت. وقال مديرها إن السوق تتحسن.",
]


@pytest.mark.parametrize("pipeline", ["rules", "default"])
def test_pipe_runs_a_batch_together_and_gives_what_each_text_gives_alone(pipeline):
    subjects = ["الحكومة", "المزارعين"]
    alone = [[q.to_dict() for q in quoteattr.attribute_quotes(t, subjects, pipeline=pipeline)] for t in BATCH_TEXTS]
    batched = [[q.to_dict() for q in r.quotes] for r in quoteattr.pipe(BATCH_TEXTS, subjects=subjects,
                                                                      pipeline=pipeline, batch_size=5)]
    assert batched == alone
    assert sum(map(len, alone)) >= 4


def test_a_document_that_breaks_the_batch_is_reported_and_the_others_come_back(monkeypatch):
    nlp = quoteattr.load("rules")
    cues = nlp.get_pipe("quoteattr_speech_cues")
    original = type(cues).__call__

    def call(self, doc):
        if "انهيار" in doc.text:
            raise RuntimeError("a component failed")
        return original(self, doc)

    monkeypatch.setattr(type(cues), "__call__", call)
    texts = BATCH_TEXTS[:2] + ["وقال الخبير إن انهيار السوق قريب."] + BATCH_TEXTS[3:]
    results = list(quoteattr.pipe(texts, pipeline="rules", batch_size=8))
    assert [r.id for r in results] == ["0", "1", "2", "3", "4"]
    assert results[2].error.type == "RuntimeError" and "component failed" in results[2].error.message
    assert all(r.ok for i, r in enumerate(results) if i != 2)
    assert [len(r.quotes) for r in results if r.ok] == [
        len(quoteattr.attribute_quotes(t, pipeline="rules")) for i, t in enumerate(texts) if i != 2]


def test_pipe_with_two_processes_equals_sequential():
    texts = [f"وقال المدير رقم {i} إن العمل مستمر." for i in range(12)]
    seq = [r.to_dict() for r in quoteattr.pipe(texts, batch_size=3)]
    par = [r.to_dict() for r in quoteattr.pipe(texts, batch_size=3, n_process=2)]
    assert seq == par


ARABIC = st.sampled_from(list("ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآةى ،.:\n«»\"“”ًٌٍَُِّْـ0123456789٠١٢"))
WORDS = st.sampled_from(["وقال", "إن", "أن", "الوزير", "«", "»", "وأضافت", "قائلا", "بحسب", "وفقا", "ل",
                         "مضيفا", "، ", ". ", "\n", '"', "بقوله", "الحكومة", "ستدعم", ":", "ودعا", "إلى"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ARABIC, WORDS), max_size=60).map(" ".join))
def test_every_span_indexes_the_input_exactly(text):
    qs = quoteattr.attribute_quotes(text, pipeline="rules")
    for q in qs:
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start : q.end] == q.text
        if q.cue:
            assert text[q.cue.start : q.cue.end] == q.cue.text
        if q.speaker:
            assert text[q.speaker.start : q.speaker.end] == q.speaker.text


def test_docs_keep_their_quotes_through_serialisation_and_spacy_multiprocessing():
    from spacy.tokens import Doc

    nlp = quoteattr.load("rules")
    texts = ["وقال الوزير إن بلاده تدعم الأونروا.", "وأكدت حركة حماس أن الحركة ترفض الاتهامات."] * 2
    doc = nlp(texts[1])
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert back._.quotes == doc._.quotes and back._.entities == doc._.entities
    assert back._.speech_cues == doc._.speech_cues
    # spaCy's own nlp.pipe ships docs between processes as msgpack
    assert [d._.quotes for d in nlp.pipe(texts, n_process=2)] == [d._.quotes for d in nlp.pipe(texts)]


def test_evaluate_rejects_a_non_path_with_the_library_error():
    from quoteattr.evaluation import evaluate

    with pytest.raises(quoteattr.InputTypeError, match="gold_path"):
        evaluate(5)


def test_the_rule_pipeline_imports_no_transformer_and_the_default_still_loads_after_it():
    import subprocess
    import sys

    script = (
        "import sys, quoteattr\n"
        "r = quoteattr.attribute_quotes('قال الوزير إن الخطة ناجحة.', pipeline='rules')\n"
        "assert r and r[0].speaker.name == 'الوزير', r\n"
        "print(sorted(m for m in ('spacy_transformers', 'transformers') if m in sys.modules))\n"
        "d = quoteattr.attribute_quotes('قال الوزير إن الخطة ناجحة.')\n"
        "print(d[0].speaker.name, 'spacy_transformers' in sys.modules)\n"
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    first, second = res.stdout.splitlines()[-2:]
    assert first == "[]"
    assert second == "الوزير True"
