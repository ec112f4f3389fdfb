"""The rule stance layer: one mechanism a test, on our own sentences."""

import pytest

from quoteattr import Stance, attribute_quotes
from quoteattr.errors import LexiconError
from quoteattr.normalize import normalize
from quoteattr.stance import find_subject_mentions, load_stance_lexicon
from quoteattr.stance.lexicon import EvaluativeEntry
from quoteattr.stance.rules import Evidence, calibrated_score


def stances(text, subjects=None, index=0):
    quotes = attribute_quotes(text, subjects, pipeline="rules")
    return {s.subject: s.label for s in quotes[index].stances}


def test_every_quote_gets_exactly_one_stance_per_subject_with_a_probability():
    text = "وقال الوزير إن بلاده تدعم الأونروا. وأضاف أن الاجتماع سيعقد غدا."
    quotes = attribute_quotes(text, ["الأونروا", "حماس"], pipeline="rules")
    assert len(quotes) == 2
    for q in quotes:
        assert [s.subject for s in q.stances] == ["الأونروا", "حماس"]
        assert all(isinstance(s, Stance) and 0.0 <= s.score <= 1.0 for s in q.stances)
    # the second quote mentions neither subject: neutral toward both
    assert {s.label for s in quotes[1].stances} == {"neutral"}


@pytest.mark.parametrize(
    "text, label",
    [
        ("وقال الوزير إن بلاده تدعم الأونروا بقوة.", "favor"),  # object word before the subject
        ("وقال الوزير إن الأونروا فشلت في إدارة الأزمة.", "against"),  # subject word after it
        ("وقال الوزير إن جرائم الأونروا لن تمر دون حساب.", "against"),  # construct: جرائم X
        ("وقال الوزير إن بلاده لن تدعم الأونروا.", "against"),  # negation flips دعم
        ("وقال الوزير إن حكومته ترفض دعم الأونروا.", "against"),  # shifter: رفض دعم X
        ("وقال الوزير إن الأونروا ستعقد اجتماعا يوم الأحد.", "neutral"),  # mentioned, not evaluated
    ],
)
def test_evaluative_words_by_role_negation_and_shifters(text, label):
    assert stances(text, ["الأونروا"]) == {"الأونروا": label}


def test_negation_exceptions_do_not_negate():
    # لا يزال "still" is not a negation: the support stays support
    assert stances("وقال الوزير إن بلاده لا تزال تدعم الأونروا.", ["الأونروا"]) == {"الأونروا": "favor"}


def test_fighting_an_evil_is_against_it_and_for_the_one_fighting():
    assert stances("وقال الوزير إن بلاده ماضية في مكافحة الإرهاب.", ["الإرهاب"]) == {"الإرهاب": "against"}
    # the agent of a shifter whose object is an evil is praised (يحارب matches the shifter حارب)
    assert stances("وقال الوزير إن الأردن يحارب الإرهاب بحزم.", ["الأردن"]) == {"الأردن": "favor"}


@pytest.mark.parametrize("form", ["لحماس", "وحماس", "بحماس", "فحماس"])
def test_subject_matches_its_clitic_forms(form):
    text = f"قال المتحدث إن الدعم {form} مستمر"
    mentions = find_subject_mentions(normalize(text), "حماس")
    assert len(mentions) == 1
    m = mentions[0]
    assert normalize(text)[m.start : m.end] == "حماس"  # the clitic is not part of the mention


@pytest.mark.parametrize("form", ["الأونروا", "الاونروا", "للأونروا", "بالاونروا", "والأونروا"])
def test_subject_with_article_matches_spelling_variants_and_lam_alif(form):
    mentions = find_subject_mentions(normalize(f"وقال إن {form} تعمل"), "الأونروا")
    assert [m.kind for m in mentions] == ["name"]


def test_a_word_that_only_contains_the_subject_is_not_a_mention():
    assert find_subject_mentions(normalize("قال إن الحماسة كبيرة"), "حماس") == []


def test_description_refers_back_to_the_name_it_introduced():
    text = "وانتقد الوزير حركة حماس، وقال إن الحركة تعرقل جهود السلام."
    assert stances(text, ["حماس"]) == {"حماس": "against"}


def test_description_does_not_refer_back_across_another_name_with_the_same_head():
    norm = normalize("التقى وفد حركة حماس وفدا من حركة فتح، وقال إن الحركة ستشارك.")
    kinds = [m.kind for m in find_subject_mentions(norm, "حماس")]
    assert kinds == ["name"]  # الحركة now means فتح


def test_nisba_adjective_is_a_mention_of_its_country():
    text = "وقالت الوزارة إن الجيش الإسرائيلي ارتكب انتهاكات جسيمة."
    assert stances(text, ["إسرائيل"]) == {"إسرائيل": "against"}


def test_cue_polarity_applies_to_the_object_of_the_cue_not_the_speaker():
    text = "وكان الوزير قد اتهم الأونروا بالتقصير في عملها."
    q = attribute_quotes(text, ["الأونروا", "الوزير"], pipeline="rules")[0]
    assert q.speaker.text == "الوزير" and q.text == "بالتقصير في عملها"
    got = {s.subject: s.label for s in q.stances}
    assert got["الأونروا"] == "against"
    assert got["الوزير"] != "against"  # the one accusing is not accused


def test_a_speaker_speaking_of_itself_defends_itself():
    text = "وقالت الأونروا إنها ستواصل تقديم خدماتها للاجئين."
    assert stances(text, ["الأونروا"]) == {"الأونروا": "favor"}


def test_without_subjects_stances_go_to_the_entities_the_quote_mentions():
    text = "وقال الوزير إن الجيش الإسرائيلي ارتكب انتهاكات جسيمة بحق المدنيين."
    got = stances(text)
    assert got.get("إسرائيل") == "against"  # the nisba, by its country's name


def test_quote_free_or_subject_free_text_is_unchanged():
    assert attribute_quotes("ذهب الطلاب إلى المدرسة.", ["حماس"], pipeline="rules") == []
    q = attribute_quotes("وقال الوزير إن الخطة جاهزة.", [], pipeline="rules")[0]
    assert q.stances == ()


def test_stronger_evidence_gets_a_higher_calibrated_score():
    weak, strong = Evidence(0.6, True), Evidence(3.0, True)
    assert 0.0 < calibrated_score(weak) < calibrated_score(strong) < 1.0


def test_the_evaluative_lexicon_is_data_with_enough_entries():
    lex = load_stance_lexicon()
    assert len(lex) >= 400
    assert {e.polarity for e in lex.entries} == {-1, 1}
    assert lex.lookup(normalize("والإرهابيين")).entry == "إرهابي"  # clitic + plural stripped
    assert lex.lookup(normalize("ندعم")).entry == "دعم"  # imperfect, 1st person plural
    assert lex.lookup(normalize("أيدي")) is None  # "hands" is not أيد "supported"


def test_bad_lexicon_values_are_rejected(monkeypatch):
    with pytest.raises(ValueError):
        EvaluativeEntry("دعم", "verb", 2, 1, "object")
    with pytest.raises(ValueError):
        EvaluativeEntry("دعم", "verb", 1, 1, "everywhere")
    # a broken row of the data file names the file and the line
    from quoteattr.stance import lexicon as stance_lexicon

    rows = {"evaluative.tsv": [(12, ["دعم", "verb", "positive", "1", "object", "يدعم", "support"])]}
    monkeypatch.setattr(stance_lexicon, "read_tsv_rows", lambda package, name: iter(rows[name]))
    with pytest.raises(LexiconError, match="evaluative.tsv:12"):
        stance_lexicon._evaluative_rows("evaluative.tsv", 7)
    rows["evaluative.tsv"] = [(3, ["دعم", "verb", "1"])]
    with pytest.raises(LexiconError, match="evaluative.tsv:3: expected 7 columns"):
        stance_lexicon._evaluative_rows("evaluative.tsv", 7)


def test_stances_round_trip_through_to_dict():
    from quoteattr import Quote

    q = attribute_quotes("وقال الوزير إن بلاده تدعم الأونروا.", ["الأونروا"], pipeline="rules")[0]
    d = q.to_dict()
    assert d["stances"][0]["subject"] == "الأونروا" and d["stances"][0]["label"] == "favor"
    assert Quote.from_dict(d) == q


def test_the_pronoun_of_inna_stands_for_the_subject_named_just_before():
    text = "وأشاد الوزير بالأونروا، وقال إنها تقوم بعمل مهم ومتميز."
    assert stances(text, ["الأونروا"]) == {"الأونروا": "favor"}
    text = "وانتقد الوزير الميليشيات، وقال إنهم يعرقلون جهود السلام."
    assert stances(text, ["الميليشيات"]) == {"الميليشيات": "against"}


def test_the_pronoun_goes_to_the_speaker_when_the_speaker_is_nearer():
    # إنها is the ministry speaking of itself, not the agency met in the sentence before
    text = "التقى الوزير بممثلي الأونروا. وقالت الوزارة إنها فشلت في إقناع الشركاء."
    assert stances(text, ["الأونروا"]) == {"الأونروا": "neutral"}


@pytest.mark.parametrize("bad", ["ـــ", "\u064e\u064f", " \u200f "])
def test_a_subject_with_no_letters_is_the_library_error(bad):
    from quoteattr import InputValueError

    with pytest.raises(InputValueError, match="empty or blank"):
        attribute_quotes("وقال الوزير إن الخطة جاهزة.", [bad], pipeline="rules")


def test_subjects_with_regex_characters_are_taken_literally():
    q = attribute_quotes("وقال الوزير إن الخطة جاهزة.", ["(", ".*"], pipeline="rules")[0]
    assert [(s.subject, s.label) for s in q.stances] == [("(", "neutral"), (".*", "neutral")]


def test_the_spacy_component_checks_doc_subjects_like_the_api():
    import quoteattr
    from quoteattr import InputTypeError

    nlp = quoteattr.load("rules")
    doc = nlp.make_doc("وقال الوزير إن بلاده تدعم الأونروا.")
    doc._.subjects = ("الأونروا",)
    assert [(s.subject, s.label) for s in nlp(doc)._.quotes[0].stances] == [("الأونروا", "favor")]
    doc = nlp.make_doc("وقال الوزير إن بلاده تدعم الأونروا.")
    doc._.subjects = "الأونروا"  # a bare str, not a list of subjects
    with pytest.raises(InputTypeError, match="single str"):
        nlp(doc)
