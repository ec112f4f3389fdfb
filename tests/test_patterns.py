"""One test per pattern of the rule layer, on sentences written for these tests."""

import pytest


def only(quotes):
    assert len(quotes) == 1, [q.to_dict() for q in quotes]
    return quotes[0]


# -- quotation marks -------------------------------------------------------------------

@pytest.mark.parametrize("open_, close", [("«", "»"), ("“", "”"), ('"', '"'), ("‹", "›"), ("»", "«")])
def test_direct_quote_in_each_mark_style(attribute, open_, close):
    text = f"وقال المدرب: {open_}سنلعب بكل قوة في المباراة القادمة{close}."
    q = only(attribute(text))
    assert (q.kind, q.text, q.speaker.text) == ("direct", "سنلعب بكل قوة في المباراة القادمة", "المدرب")


def test_nested_marks_stay_inside_the_outer_quote(attribute):
    text = 'وقال الوزير: «لن نقبل بما يسمى "الحل المؤقت" أبدا».'
    q = only(attribute(text))
    assert q.text == 'لن نقبل بما يسمى "الحل المؤقت" أبدا'


def test_unclosed_mark_at_paragraph_end_closes_there(attribute):
    text = "وقال الرئيس: «سنبدأ التنفيذ فورا\nوفي سياق آخر افتتح المعرض."
    q = only(attribute(text))
    assert q.text == "سنبدأ التنفيذ فورا"


def test_quote_running_over_two_paragraphs(attribute):
    text = "وقالت الوزيرة: «البداية كانت صعبة جدا.\n«لكننا تجاوزنا العقبات كلها».\nوانتهى اللقاء."
    q = only(attribute(text))
    assert q.text.startswith("البداية كانت") and q.text.endswith("العقبات كلها")
    assert "\n" in q.text


def test_names_and_titles_in_marks_are_not_quotations(attribute):
    text = "وحضر الأمير مهرجان «ليالي الصيف» ثم زار نادي «الهلال» وشاهد برنامج «صدى الملاعب»."
    assert attribute(text) == []


def test_described_words_in_marks_are_a_quotation(attribute):
    q = only(attribute("ووصف المتحدث القرار بأنه «وهم»."))
    assert q.text == "وهم" and q.kind == "direct"
    assert q.speaker.text == "المتحدث القرار" or q.speaker.text.startswith("المتحدث")


# -- cues and content ------------------------------------------------------------------

def test_indirect_after_inna(attribute):
    q = only(attribute("وأكد وزير المالية أن الميزانية ستحقق فائضا هذا العام."))
    assert (q.kind, q.text, q.cue.text, q.cue.lemma) == ("indirect", "الميزانية ستحقق فائضا هذا العام", "وأكد", "أكد")
    assert q.cue.category == "assert"


def test_indirect_after_bi_anna_and_ila_anna(attribute):
    qs = attribute("وأفاد المصدر بأن الطائرة هبطت بسلام. وأشار المدير إلى أن العمل مستمر.")
    assert [q.text for q in qs] == ["الطائرة هبطت بسلام", "العمل مستمر"]
    assert [q.speaker.text for q in qs] == ["المصدر", "المدير"]


def test_indirect_after_ala_anna(attribute):
    q = only(attribute("وشدد الأمين العام على أن الحوار هو الطريق الوحيد."))
    assert q.text == "الحوار هو الطريق الوحيد"


def test_call_with_ila(attribute):
    q = only(attribute("ودعت المنظمة الدولية إلى وقف القتال فورا."))
    assert (q.text, q.cue.category, q.speaker.text) == ("وقف القتال فورا", "call", "المنظمة الدولية")


def test_demand_with_bi(attribute):
    q = only(attribute("وطالب السكان بإصلاح الطريق قبل الشتاء."))
    assert q.text == "بإصلاح الطريق قبل الشتاء" and q.cue.category == "demand"


def test_urge_with_ala(attribute):
    q = only(attribute("وحث المعلم طلابه على القراءة كل يوم."))
    assert q.text == "القراءة كل يوم"


@pytest.mark.parametrize(
    "text, content, category",
    [
        ("وشدد المدرب على أهمية اللعب الجماعي في المباراة.", "أهمية اللعب الجماعي في المباراة", "emphasise"),
        ("وأشارت الدراسة إلى ارتفاع نسبة القراءة بين الشباب.", "ارتفاع نسبة القراءة بين الشباب", "point-out"),
        ("وكشف المتحدث عن خطة جديدة لتطوير الموانئ.", "خطة جديدة لتطوير الموانئ", "reveal"),
        ("وحذر الأطباء من الإفراط في تناول السكر.", "الإفراط في تناول السكر", "warn"),
        ("واتهم المحامي الشركة بإخفاء الوثائق.", "بإخفاء الوثائق", "accuse"),
    ],
)
def test_noun_content_after_the_preposition_of_the_cue(attribute, text, content, category):
    q = only(attribute(text))
    assert (q.text, q.kind, q.cue.category) == (content, "indirect", category)


def test_a_preposition_before_anna_still_opens_an_indirect_clause(attribute):
    q = only(attribute("وأشار الوزير إلى أن العمل سيبدأ غدا."))
    assert q.text == "العمل سيبدأ غدا"


def test_appeal(attribute):
    q = only(attribute("وناشد الأهالي الجهات المعنية التدخل، وقالوا إن المياه مقطوعة منذ أسبوع."))
    assert q.text == "المياه مقطوعة منذ أسبوع"


def test_mixed_quote(attribute):
    q = only(attribute("وقال الناطق إن الادعاء «كاذب» ولا أساس له."))
    assert (q.kind, q.text) == ("mixed", "الادعاء «كاذب» ولا أساس له")


def test_whole_clause_in_marks_after_inna_is_direct(attribute):
    q = only(attribute("وقال المدير إن «المشروع سينتهي في موعده»."))
    assert (q.kind, q.text) == ("direct", "المشروع سينتهي في موعده")


def test_according_to_source_first(attribute):
    q = only(attribute("وبحسب الهيئة العامة للإحصاء، فإن معدل البطالة انخفض."))
    assert (q.text, q.speaker.text, q.cue.category) == ("معدل البطالة انخفض", "الهيئة العامة للإحصاء", "according-to")


def test_according_to_source_last_with_joined_lam(attribute):
    q = only(attribute("انخفض معدل البطالة إلى أدنى مستوى، وفقا لوزارة العمل."))
    assert (q.text, q.speaker.text) == ("انخفض معدل البطالة إلى أدنى مستوى", "وزارة العمل")


def test_naqlan_an(attribute):
    q = only(attribute("ارتفعت أسعار النفط اليوم، نقلا عن وكالة الأنباء."))
    assert q.speaker.text == "وكالة الأنباء"


def test_statement_of_a_document(attribute):
    q = only(attribute("وأوضح البيان أن الاجتماع سيعقد الأسبوع المقبل."))
    assert q.speaker.text == "البيان"


def test_cue_category_and_polarity_come_from_the_lexicon(attribute):
    q = only(attribute("وحذر الخبراء من أن الجفاف سيطول."))
    assert q.cue.lemma == "حذر" and q.cue.category == "warn"


def test_passive_cue(attribute):
    q = only(attribute("وقيل إن الاجتماع تأجل."))
    assert q.text == "الاجتماع تأجل" and q.speaker is None


def test_impersonal_yudhkar_is_not_a_quotation(attribute):
    assert attribute("يذكر أن الملعب افتتح قبل عشرين عاما.") == []


def test_non_speech_verbs_are_ignored(attribute):
    assert attribute("وزار الوزير المدرسة والتقى المعلمين وافتتح المكتبة الجديدة.") == []


# -- speakers --------------------------------------------------------------------------

def test_verb_subject_order_keeps_title_with_name(attribute):
    q = only(attribute("وقال وزير الخارجية الأمريكي أنتوني بلينكن في مؤتمر صحفي إن المحادثات مثمرة."))
    assert q.speaker.text == "وزير الخارجية الأمريكي أنتوني بلينكن"


def test_subject_verb_order(attribute):
    q = only(attribute("وكان الرئيس قد أعلن أن الانتخابات ستجري في موعدها."))
    assert q.speaker.text == "الرئيس"


def test_quote_first_speaker_after(attribute):
    q = only(attribute("«سنعود أقوى من قبل»، قال قائد الفريق بعد المباراة."))
    assert (q.text, q.speaker.text, q.cue.text) == ("سنعود أقوى من قبل", "قائد الفريق", "قال")


def test_addressee_is_not_the_speaker(attribute):
    q = only(attribute("وقال المحافظ للصحفيين إن الطريق سيفتح غدا."))
    assert q.speaker.text == "المحافظ"
    q = only(attribute("وقالت الشركة لوكالة الأنباء إن الأرباح تضاعفت."))
    assert q.speaker.text == "الشركة"


def test_coordinated_speakers(attribute):
    q = only(attribute("وقال كل من المدرب والقائد إن الفريق جاهز."))
    assert q.speaker.text == "المدرب والقائد"


def test_apposition_title_comma_name(attribute):
    q = only(attribute("وقال رئيس البلدية، سامي الخطيب، إن الحديقة ستفتح."))
    assert q.speaker.text == "رئيس البلدية، سامي الخطيب"


def test_participle_continuation_inherits_speaker(attribute):
    qs = attribute("وقال المهندس فهد السالم إن الجسر آمن، مضيفا أن الصيانة دورية.")
    assert [q.text for q in qs] == ["الجسر آمن", "الصيانة دورية"]
    assert qs[1].cue.text == "مضيفا" and qs[1].speaker.text == "مضيفا"
    assert qs[1].speaker.name == "المهندس فهد السالم" and qs[1].speaker.resolved


def test_pro_drop_resolves_by_gender(attribute):
    text = ("وقال المدير أحمد الزهراني إن الخطة جاهزة. وقالت الطبيبة منى العتيبي إن المرضى بخير. "
            "وأضاف أن التمويل متوفر. وأضافت أن الأدوية وصلت.")
    qs = attribute(text)
    assert [q.speaker.name for q in qs] == [
        "المدير أحمد الزهراني", "الطبيبة منى العتيبي", "المدير أحمد الزهراني", "الطبيبة منى العتيبي"
    ]
    assert [q.speaker.resolved for q in qs] == [False, False, True, True]
    assert qs[2].speaker.text == "وأضاف"


def test_pro_drop_plural(attribute):
    text = "وقال اللاعبون إن المعسكر مفيد. وقالت الإدارة إن الرواتب صرفت. وأكدوا أنهم جاهزون."
    qs = attribute(text)
    assert qs[-1].speaker.name == "اللاعبون"


def test_verbal_noun_biqawlihi(attribute):
    qs = attribute("وعلق الكاتب سعد الفهد على الخبر بقوله إن الثقافة لا تموت.")
    q = qs[-1]
    assert q.text == "الثقافة لا تموت" and q.cue.text == "بقوله"
    assert q.speaker.name == "الكاتب سعد الفهد"


def test_short_name_gets_the_full_name(attribute):
    text = "وقال الوزير خالد العمري إن المشروع بدأ. وأكد العمري أن التكلفة معقولة."
    qs = attribute(text)
    assert qs[1].speaker.text == "العمري" and qs[1].speaker.name == "الوزير خالد العمري"
    assert qs[1].speaker.resolved


def test_pro_drop_without_antecedent_has_no_speaker(attribute):
    q = only(attribute("وقال إن الوقت قد حان."))
    assert q.speaker is None


# -- normalisation never moves offsets ---------------------------------------------------

def test_diacritics_and_tatweel_keep_original_offsets(attribute):
    text = "وقَالَ الوزيـــرُ إنَّ الاقتصادَ يتعافى."
    q = only(attribute(text))
    assert q.cue.text == "وقَالَ"
    assert q.speaker.text == "الوزيـــرُ"
    assert q.text == "الاقتصادَ يتعافى"


def test_hamza_variants_match(attribute):
    q = only(attribute("واكد الوزير ان الخطة ناجحة."))  # أكد/أن written without hamza
    assert q.cue.lemma == "أكد" and q.text == "الخطة ناجحة"


def test_according_to_his_words_resolves_to_the_latest_speaker(attribute):
    qs = attribute("وقالت الوزيرة سارة العتيبي إن العمل مستمر. والمشروع سيكتمل قريبا بحسب قولها.")
    assert len(qs) == 2
    assert (qs[1].speaker.text, qs[1].speaker.name, qs[1].speaker.resolved) == (
        "قولها", "الوزيرة سارة العتيبي", True)


@pytest.mark.parametrize("text, speaker", [
    ("وأكد لـ «الوطن» مدير التعليم خالد السالم، أن المدارس جاهزة.", "مدير التعليم خالد السالم"),
    ("وقال لـ «الشرق الأوسط» رئيس البلدية إن المشروع سينتهي قريبا.", "رئيس البلدية"),
    ("وقال لها الطبيب إن الحالة مستقرة.", "الطبيب"),
    ("وقال للصحيفة مدير المكتب إن العمل مستمر.", "مدير المكتب"),
])
def test_the_one_spoken_to_before_the_subject_is_not_the_speaker(attribute, text, speaker):
    q = only(attribute(text))
    assert (q.speaker.text, q.speaker.resolved) == (speaker, False)


@pytest.mark.parametrize("text", [
    "وقال لوكالة الأنباء الفرنسية، إن المدينة هادئة.",
    "وقال للمرضى إن العلاج متوفر.",
])
def test_the_one_spoken_to_alone_leaves_the_verb_its_subject(attribute, text):
    q = only(attribute(text))
    assert q.speaker is None or q.speaker.text == "وقال"


def test_a_participle_after_the_verb_is_the_manner_not_the_speaker(attribute):
    qs = attribute("التقى الوزير خالد العمري بالسفير. وأضاف قائلا «إن العمل مستمر».")
    q = qs[-1]
    assert (q.speaker.text, q.speaker.name, q.speaker.resolved) == ("وأضاف", "الوزير خالد العمري", True)


def test_a_source_after_lil_is_named_by_its_fuller_mention(attribute):
    qs = attribute("وأكد الوزير سعد الشامي أن العمل مستمر. ووفقا للشامي، فإن المشروع سينتهي قريبا.")
    assert len(qs) == 2
    assert (qs[1].speaker.text, qs[1].speaker.name) == ("لشامي", "الوزير سعد الشامي")


def test_a_title_cut_at_a_preposition_runs_to_the_name_before_the_introducer(attribute):
    q = only(attribute("وقال مدير التعليم في منطقة جازان الدكتور سعد العلي، إن المدارس جاهزة."))
    assert q.speaker.text == "مدير التعليم في منطقة جازان الدكتور سعد العلي"
    # ... but not to the name of someone met on the occasion
    q = only(attribute("وقال الوزير في لقاء مع الرئيس سامر الخطيب إن العلاقات قوية."))
    assert q.speaker.text == "الوزير"
