"""The named-entity layer: quoteattr.entities (find_entities, the gazetteers, the spaCy
component and the mining script). Every sentence here is written for the test."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import spacy

from quoteattr.entities import (
    Entity,
    build_gazetteer,
    component,  # noqa: F401  (registers the factory)
    find_entities,
    mine,
)
from quoteattr.entities import gazetteer as gazetteer_module
from quoteattr.errors import InputTypeError, LexiconError


def ents(text):
    """find_entities, checking the offset contract on every entity."""
    found = find_entities(text)
    for e in found:
        assert text[e.start : e.end] == e.text, e
    return found


def outer(text, label=None):
    return [(e.text, e.label) for e in ents(text) if not e.nested and (label is None or e.label == label)]


def one(text, surface):
    matches = [e for e in ents(text) if e.text == surface]
    assert len(matches) == 1, (surface, ents(text))
    return matches[0]


# -- people ---------------------------------------------------------------------------------

def test_office_title_with_complement_and_name():
    e = one("وقال وزير الصحة خالد العمري إن الحملة ستبدأ غدا", "وزير الصحة خالد العمري")
    assert (e.label, e.head, e.canonical) == ("PER", "وزير", "خالد العمري")


def test_name_title_takes_an_unknown_foreign_name_after_a_nisba():
    text = "وصرح المدرب الكرواتي زلاتكو داليتش بأن الفريق جاهز"
    e = one(text, "المدرب الكرواتي زلاتكو داليتش")
    assert (e.label, e.head, e.canonical) == ("PER", "المدرب", "زلاتكو داليتش")
    nisba = one(text, "الكرواتي")
    assert (nisba.label, nisba.canonical, nisba.nested) == ("NORP", "كرواتيا", True)


def test_a_name_spelled_with_hamza_alif_is_not_definite():
    # The article's alif carries no hamza: ألكساندر is a name, الكتاب is not.
    e = one("برئاسة وزير الطاقة الروسي ألكساندر نوفاك", "وزير الطاقة الروسي ألكساندر نوفاك")
    assert e.canonical == "ألكساندر نوفاك"
    assert outer("وقال وزير الطاقة الروسي الكتاب الجديد", "PER") == []


def test_modifier_after_title_and_comma_before_name():
    assert one("وقضت المحكمة بسجن الرئيس السابق محمد مرسي", "الرئيس السابق محمد مرسي").canonical == "محمد مرسي"
    e = one("وقال رئيس الوزراء البريطاني، ديفيد كاميرون، إن", "رئيس الوزراء البريطاني، ديفيد كاميرون")
    assert e.canonical == "ديفيد كاميرون"


def test_family_links_and_the_object_after_a_name():
    text = "واستقبل الأمير فيصل بن بندر الوفد، كما التقى الشيخ عبداللطيف آل الشيخ"
    assert outer(text, "PER") == [("الأمير فيصل بن بندر", "PER"), ("الشيخ عبداللطيف آل الشيخ", "PER")]


def test_bare_full_name_and_ali_versus_ala():
    assert outer("وأكد خالد العمري أن المشروع اكتمل") == [("خالد العمري", "PER")]
    # علي (the name, with ي) is a name; على (the preposition) is not.
    assert outer("وقال علي الحربي إن على الحكومة أن تتحرك") == [("علي الحربي", "PER")]


def test_surname_alone_refers_back_to_the_full_name():
    text = "قال الرئيس الأمريكي باراك أوباما إن بلاده مستعدة. وأضاف أوباما أن الاتفاق قريب"
    later = [e for e in ents(text) if e.text == "أوباما"]
    assert len(later) == 1 and later[0].label == "PER" and later[0].canonical == "باراك أوباما"


def test_title_followed_by_a_verb_is_not_a_person():
    assert outer("وقال رئيس أميركي خاطب القمة", "PER") == []
    assert outer("وأكد الوزير أن القرار نهائي", "PER") == []


# -- clitics, spelling, diacritics ------------------------------------------------------------

def test_clitics_are_outside_the_span():
    text = "ورحبت وحماس بالقرار، وقال متحدث لحماس إن الوفد وصل بالسعودية والأمم المتحدة"
    found = ents(text)
    assert [(e.text, e.start) for e in found] == [
        ("حماس", text.index("وحماس") + 1),
        ("حماس", text.index("لحماس") + 1),
        ("السعودية", text.index("بالسعودية") + 1),
        ("الأمم المتحدة", text.index("والأمم") + 1),
    ]
    # لـ + the article: the lam that is left is the article's.
    lil = one("ونقل الرسالة للأمم المتحدة", "لأمم المتحدة")
    assert lil.canonical == "الأمم المتحدة"


def test_hamza_variants_have_one_canonical_name():
    text = "وقالت الاونروا إن الأونروا ستواصل عملها في اسرائيل وإسرائيل"
    assert [(e.text, e.canonical) for e in ents(text)] == [
        ("الاونروا", "الأونروا"), ("الأونروا", "الأونروا"), ("اسرائيل", "إسرائيل"), ("إسرائيل", "إسرائيل"),
    ]


def test_offsets_index_a_diacritised_string_with_tatweel():
    text = "قَالَ الرَّئِيسُ الفَرَنْسِيُّ إِيمَانُويل مَاكْرُون إنَّ وَحَمَـــاسُ"
    per = one(text, "الرَّئِيسُ الفَرَنْسِيُّ إِيمَانُويل مَاكْرُون")
    assert per.canonical == "إِيمَانُويل مَاكْرُون"
    assert one(text, "الفَرَنْسِيُّ").canonical == "فرنسا"
    hamas = one(text, "حَمَـــاسُ")  # the final damma belongs to the name, the و to nobody
    assert hamas.end == len(text) and hamas.canonical == "حماس"


# -- organisations, groups, places ------------------------------------------------------------

def test_head_noun_and_its_complement():
    text = "أعلنت حركة حماس أن وزارة الشؤون الإسلامية وقعت عقدا مع شركة كبرى"
    hamas = one(text, "حركة حماس")
    assert (hamas.label, hamas.head, hamas.canonical) == ("ORG", "حركة", "حماس")
    ministry = one(text, "وزارة الشؤون الإسلامية")
    assert (ministry.head, ministry.canonical) == ("وزارة", None)
    assert not any("كبرى" in e.text for e in ents(text))  # an adjective, not a company name


def test_definite_head_needs_a_name_like_complement():
    text = "وقالت الحكومة الفلسطينية إن الحكومة رفضت"
    assert outer(text) == [("الحكومة الفلسطينية", "ORG")]
    assert one(text, "الفلسطينية").canonical == "فلسطين"


def test_institutions_named_after_people_but_not_chairs():
    assert outer("وافتتح مركز الملك سلمان للإغاثة فرعا جديدا") == [("مركز الملك سلمان للإغاثة", "ORG")]
    # برئاسة الأمير ... is "chaired by": the person is not part of an organisation's name.
    assert outer("واجتمع المجلس برئاسة الأمير فيصل بن بندر أمس") == [("الأمير فيصل بن بندر", "PER")]


def test_place_head_takes_a_name_and_a_nisba_only():
    text = "وزار الوفد مدينة مريوان الإيرانية ثم المدينة الغنية"
    assert outer(text) == [("مدينة مريوان الإيرانية", "GPE")]
    assert one(text, "الإيرانية").canonical == "إيران"


def test_accusative_word_after_a_title_is_not_a_name():
    assert outer("ووقع اللاعب عقدًا مع النادي") == []


def test_known_groups_and_coordination():
    found = outer("واتهم حزب الله وداعش والحوثيين وتنظيم الدولة")
    assert found == [("حزب الله", "ORG"), ("داعش", "ORG"), ("الحوثيين", "ORG"), ("تنظيم الدولة", "ORG")]
    assert one("واتهم حزب الله الجميع", "حزب الله").head == "حزب"
    assert one("وتبنى تنظيم الدولة الهجوم", "تنظيم الدولة").canonical == "داعش"


def test_club_names_need_a_sport_context():
    assert ents("ظهر الهلال في السماء ليلة أمس") == []
    assert outer("فاز الهلال على النصر في مباراة الدوري") == [("الهلال", "ORG"), ("النصر", "ORG")]


def test_headed_names_only_after_their_head():
    assert outer("أعلنت حركة فتح أن فتح الباب ممكن") == [("حركة فتح", "ORG")]


def test_nisba_is_a_mention_of_its_country():
    text = "وقال الجيش الأمريكي إن مسؤولين أمريكيين وصلوا إلى أمريكا"
    assert [(e.text, e.label, e.canonical) for e in ents(text)] == [
        ("الجيش الأمريكي", "ORG", None),
        ("الأمريكي", "NORP", "الولايات المتحدة"),
        ("أمريكيين", "NORP", "الولايات المتحدة"),
        ("أمريكا", "GPE", "الولايات المتحدة"),
    ]


def test_quoted_name_after_a_head():
    assert outer("ذكرت صحيفة «الرياضي» أن") == [("صحيفة «الرياضي»", "ORG")]
    assert outer("ذكرت صحيفة «آس» الإسبانية أن") == [("صحيفة «آس» الإسبانية", "ORG")]


# -- API --------------------------------------------------------------------------------------

def test_entity_value_and_errors():
    e = ents("ورحبت حماس بالقرار")[0]
    assert e.to_dict() == {"text": "حماس", "start": 6, "end": 10, "label": "ORG", "head": None,
                           "canonical": "حماس", "nested": False}
    with pytest.raises(AttributeError):
        e.label = "PER"
    with pytest.raises(ValueError):
        Entity("x", 0, 1, "PERSON")
    with pytest.raises(InputTypeError):
        find_entities(None)
    assert find_entities("") == [] and find_entities("لا شيء هنا") == []


def test_a_malformed_data_file_is_a_lexicon_error(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(Path(gazetteer_module.__file__).parent / "data", data)
    with open(data / "places.tsv", "a", encoding="utf-8") as fh:
        fh.write("مدينة\tCITY\t-\t-\n")
    with pytest.raises(LexiconError, match=r"places.tsv:\d+: label 'CITY'"):
        build_gazetteer(data_dir=data)
    (data / "places.tsv").write_text("# a comment\nname\tlabel\taliases\tnisba\nمدينة\tGPE\n",
                                     encoding="utf-8")
    with pytest.raises(LexiconError, match="places.tsv:3: expected 4 columns, got 2"):
        build_gazetteer(data_dir=data)


# -- spaCy --------------------------------------------------------------------------------------

def test_spacy_component_sets_spans_and_extension():
    nlp = spacy.blank("ar")
    nlp.add_pipe("quoteattr_entities")
    text = "وقالت وزارة الخارجية الأمريكية إن وحماس رفضت"
    doc = nlp(text)
    assert [e.text for e in doc._.entities] == ["وزارة الخارجية الأمريكية", "الأمريكية", "حماس"]
    spans = doc.spans["entities"]
    assert [(s.text, s.label_) for s in spans] == [
        ("وزارة الخارجية الأمريكية", "ORG"), ("الأمريكية", "NORP"), ("وحماس", "ORG"),
    ]  # whole tokens: spacy.blank("ar") keeps وحماس as one token; doc._.entities is exact


def test_spacy_component_spans_key_is_configurable():
    nlp = spacy.blank("ar")
    nlp.add_pipe("quoteattr_entities", config={"spans_key": "ne"})
    doc = nlp("وصل الوفد إلى الرياض")
    assert [s.text for s in doc.spans["ne"]] == ["الرياض"] and "entities" not in doc.spans


# -- mining -------------------------------------------------------------------------------------

def test_mining_reads_the_corpus_and_skips_the_excluded_articles(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = [
        {"content": "وقال الشيخ زهران الكبيسي إن الموسم بدأ. " * 3},
        {"content": "وقال الشيخ فرحان الدعيجي إن الموسم انتهى. " * 3},
    ]
    with zipfile.ZipFile(corpus / "2020-01-01.zip", "w") as zf:
        zf.writestr("2020-01-01.json", json.dumps(articles, ensure_ascii=False))
    gold = tmp_path / "test.jsonl"
    gold.write_text(json.dumps({"id": "2020-01-01#1", "quotes": []}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    assert mine.main(["--corpus", str(corpus), "--exclude", str(gold), "--out", str(out)]) == 0
    names = (out / "names.tsv").read_text(encoding="utf-8")
    assert "زهران\tgiven\t3" in names and "الكبيسي\tfamily" in names
    assert "فرحان" not in names and "الدعيجي" not in names  # the excluded article
    assert "CC BY-NC-SA 4.0" in names and "1 gold articles excluded" in names


def test_words_in_marks_after_a_head_are_a_name_only_when_they_look_like_one():
    from quoteattr.entities import find_entities

    said = "وقال الوزير إن الوزارة «لن تتهاون» مع أي تقصير."
    assert not any("«" in e.text or "تتهاون" in e.text for e in find_entities(said))
    assert not any("تتهاون" in e.text for e in find_entities("وقال إن وزارة «لن تتهاون» مع المخالفين."))
    named = find_entities("ونشرت صحيفة «الأيام» الخبر.")
    assert any(e.label == "ORG" and "الأيام" in e.text for e in named)
