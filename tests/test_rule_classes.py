"""The error classes of the rule layer (issue 13), each in sentences of our own."""

from __future__ import annotations

import pytest

from quoteattr import attribute_quotes


def rules(text: str):
    return attribute_quotes(text, pipeline="rules")


def one(text: str):
    quotes = rules(text)
    assert len(quotes) == 1, [q.text for q in quotes]
    return quotes[0]


@pytest.mark.parametrize(
    "text, content, speaker",
    [
        ("أعلنت وزارة الإسكان بلوغ عدد الوحدات السكنية ألف وحدة.", "بلوغ عدد الوحدات السكنية ألف وحدة", "وزارة الإسكان"),
        ("وأكدت الهيئة في بيان لها أمس استمرار الحملات في الأسواق.", "استمرار الحملات في الأسواق", "الهيئة"),
        ("وشدد الوزير التزام بلاده بالاتفاق.", "التزام بلاده بالاتفاق", "الوزير"),
    ],
)
def test_a_speech_verb_with_a_noun_phrase_complement_is_a_quotation(text, content, speaker):
    q = one(text)
    assert (q.kind, q.text, q.speaker.name) == ("indirect", content, speaker)


def test_a_participle_with_tanwin_and_a_noun_complement_is_a_quotation():
    quotes = rules("وقال المدير إن العمل مستمر، مؤكداً أهمية التعاون بين الإدارات.")
    assert [q.text for q in quotes] == ["العمل مستمر", "أهمية التعاون بين الإدارات"]
    assert quotes[1].cue.text == "مؤكداً" and quotes[1].speaker.name == "المدير"


def test_a_participle_used_as_an_adjective_is_not_a_cue():
    assert rules("وسجلت الوزارة ست حالات مؤكدة بالفيروس في المدينة.") == []


def test_a_noun_in_ta_marbuta_is_not_a_verb_with_a_pronoun():
    # إضافة ("in addition") reads like أضافه ("he added it") once ة is folded to ه.
    assert rules("ويضم المهرجان عروضا فنية، إضافة إلى معارض للكتب والصور.") == []


def test_between_is_not_a_speech_verb_in_the_middle_of_a_clause():
    assert rules("وتعقد الجولة بين الفريقين الأهلي والنصر في العاصمة.") == []


def test_subject_before_the_verb_then_a_second_verb_keeps_the_subject():
    quotes = rules("لكن فهد العتيبي مدرب الاتحاد أكد جاهزية لاعبيه وقال: «نحن مستعدون للمباراة».")
    assert [q.text for q in quotes] == ["جاهزية لاعبيه", "نحن مستعدون للمباراة"]
    assert all("فهد العتيبي" in q.speaker.name for q in quotes)
    assert quotes[1].speaker.resolved


def test_a_verb_first_subject_does_not_swallow_its_object():
    q = one("وندد وزير الخارجية بالهجوم، وقال إن بلاده لن تسكت عنه.")
    assert q.speaker.name == "وزير الخارجية"


def test_a_pro_drop_verb_continues_the_subject_of_the_previous_clause():
    q = one("وبعد لقائه بعادل فهمي، هاجم الوزير سامي داود القرار، ووصفه بأنه «متسرع».")
    assert q.text == "متسرع" and "سامي داود" in q.speaker.name


def test_the_name_ali_is_not_the_preposition_ala():
    q = one("وقال رئيس الجمعية علي النمر إن الموسم كان ناجحا.")
    assert q.speaker.name == "رئيس الجمعية علي النمر"


def test_a_relayed_statement_belongs_to_its_source_not_to_the_relay():
    q = one("نقلت الصحيفة عن مصدر حكومي قوله إن الخطة جاهزة.")
    assert q.speaker.name == "مصدر حكومي"


def test_the_speaker_of_a_relative_clause_is_the_noun_before_the_pronoun():
    q = one("وحضر اللقاء الطبيب المناوب الذي أكد أن حالة المريض مستقرة.")
    assert q.speaker.name == "الطبيب المناوب"


def test_a_partitive_keeps_its_noun():
    q = one("وقال عدد من السكان إن المياه انقطعت منذ يومين.")
    assert q.speaker.name == "عدد من السكان"


def test_a_subject_before_a_comma_speaks():
    q = one("قاضي المحكمة محمد الجيراني، قال: إن الحكم نهائي.")
    assert q.speaker.name == "قاضي المحكمة محمد الجيراني" and q.text == "إن الحكم نهائي"


def test_amma_then_fa_gives_the_speaker_between_them():
    q = one("أما إبراهيم محمد فأشار إلى أن العيد جميل.")
    assert q.speaker.name == "إبراهيم محمد"


def test_a_verb_joined_by_fa_belongs_to_its_sentences_subject():
    q = one("وردد الرئيس حسن روحاني هذه الرسالة في خطاب ألقاه أمس فقال إن المنطقة تحتاج إلى السلام.")
    assert "حسن روحاني" in q.speaker.name


def test_a_participle_of_an_everyday_verb_is_a_cue_after_its_clause():
    quotes = rules("وكشف المتحدث الرسمي خالد العمري عن عجز مئة منشأة، مبينا أنه يشمل المنشآت الكبيرة.")
    assert [q.text for q in quotes][-1] == "يشمل المنشآت الكبيرة"
    assert "خالد العمري" in quotes[-1].speaker.name


def test_an_outlet_in_unpaired_marks_is_spoken_to_not_the_speaker():
    q = one("وأكد لـ”صدى المدينة” المحلل الاقتصادي الدكتور سامي الحربي أن الأسعار ستستقر.")
    assert q.speaker.name == "المحلل الاقتصادي الدكتور سامي الحربي" and q.text == "الأسعار ستستقر"


def test_a_concessive_anna_introduces_nothing():
    assert rules("تعد القراءة من الهوايات المفيدة بين الطلاب، وبالرغم من أن الوقت ضيق فإنهم يقرأون.") == []


def test_min_after_a_quantity_is_the_partitive_not_the_complaint():
    q = one("اشتكى عدد من السكان من انقطاع المياه عن الحي منذ يومين.")
    assert q.speaker.name == "عدد من السكان" and q.text.startswith("انقطاع المياه")


def test_the_occasion_ala_hamish_is_not_the_content():
    q = one("وقالت منى السالم، رئيسة الجمعية، في لقاء على هامش المعرض أمس، إن «الإقبال كان كبيرا هذا العام».")
    assert "منى السالم" in q.speaker.name and q.text == "الإقبال كان كبيرا هذا العام"


def test_a_verbal_noun_after_the_verb_is_its_manner():
    quotes = rules("وأكد الوزير خالد العمري أن الخطة ناجحة. وأردف بالقول: «بدأنا العمل منذ سنوات في هذا المجال».")
    assert quotes[-1].speaker.name == "الوزير خالد العمري"


def test_a_particle_after_the_verb_does_not_open_the_subject():
    quotes = rules("وقالت المديرة نورة الشهري إن التسجيل مفتوح. وتمنت لو أن الأسر تسجل أبناءها مبكرا.")
    assert quotes[-1].speaker.name == "المديرة نورة الشهري"


def test_a_title_cut_at_fi_runs_to_the_name_after_its_body():
    quotes = rules("وأشاد مدير الشرطة في منطقة الباحة العقيد سعد الغامدي بجهود الفرق، وقال: «العمل مستمر ليلا ونهارا».")
    assert "سعد الغامدي" in quotes[-1].speaker.name
    q = one("أوضح المتحدث الرسمي باسم الهيئة فهد الزهراني قيام الفرق بجولات ميدانية في الأسواق.")
    assert "فهد الزهراني" in q.speaker.name


def test_a_short_place_before_the_introducer_belongs_to_the_speaker():
    q = one("وأعلنت الشرطة في جدة أن فرقها أوقفت ثلاثة أشخاص.")
    assert q.speaker.name == "الشرطة في جدة"
    q = one("ويؤكد المشرفون على المخيمات أنهم يعملون بلا توقف.")
    assert q.speaker.name == "المشرفون على المخيمات" and q.text == "يعملون بلا توقف"


def test_a_group_named_by_the_first_verb_of_the_text_speaks_next():
    quotes = rules("أثنى مواطنون في المحافظة على سرعة الإنجاز. وقالوا لـ«الصحيفة» إن الطرق الجديدة خففت الزحام.")
    assert quotes[-1].speaker.name == "مواطنون في المحافظة"


def test_a_bare_imperfect_after_a_comma_does_not_name_a_speaker():
    quotes = rules("واستنكر المحافظ سالم القحطاني الاعتداء الذي وقع أمس، يؤكد خطورة الموقف، "
                   "لافتا إلى أن التحقيق مستمر.")
    assert quotes[-1].speaker.name == "المحافظ سالم القحطاني"


def test_a_singular_participle_does_not_take_a_plural_group():
    quotes = rules("رحب مستثمرون سعوديون في مصر بنتائج المؤتمر، متوقعين نمو التجارة. وأشار رجل الأعمال فيصل "
                   "الدوسري إلى أن التبادل التجاري متواضع. وأعرب عن تطلعه لتجاوز العقبات، لافتا إلى أن اللجنة "
                   "نجحت في عملها.")
    assert quotes[-1].speaker.name == "رجل الأعمال فيصل الدوسري"


def test_the_preposition_bayna_between_two_times_is_not_a_cue():
    assert rules("ويمنع العمل في الشمس ما بين الساعة 12 ظهرا إلى الساعة 3 بعد الظهر.") == []
    q = one("كما بين المدير أن الدوام يبدأ مبكرا.")
    assert q.speaker.name == "المدير"


def test_a_conjunction_of_time_before_the_verb_is_not_its_subject():
    q = one("وأثار رئيس النادي سامي الدوسري الجدل، عندما أكد أن اللاعب لم يوقع أي عقد.")
    assert q.speaker is not None and "عندما" not in q.speaker.name


def test_an_everyday_cue_that_opens_its_clause_reads_past_a_long_subject():
    q = one("من جانبه، كشف المشرف العام على العلاقات العامة والإعلام في وزارة الصحة سعد القرني، أن فرق "
            "الرقابة رصدت مخالفات كثيرة.")
    assert "سعد القرني" in q.speaker.name and q.text == "فرق الرقابة رصدت مخالفات كثيرة"


def test_a_construct_after_a_title_is_not_the_content_of_a_call():
    # the ل of لجنة is the noun's own letter, not the لـ of "دعا لـ"
    q = one("دعا رئيس لجنة الشؤون الخارجية في المجلس الوطني سعيد المحدثين إلى وقف تدفق الأموال.")
    assert q.text == "وقف تدفق الأموال"
    assert q.speaker.name.endswith("سعيد المحدثين")


def test_a_place_after_a_preposition_is_not_the_content_of_a_call():
    q = one("دعا المبعوث الخاص في ليبيا حسان الراشد إلى الإفراج عن المحتجزين.")
    assert q.text == "الإفراج عن المحتجزين"
    assert q.speaker.name.startswith("المبعوث")


def test_an_unknown_first_name_after_a_feminine_title_stays_with_the_speaker():
    q = one("وطالبت النائبة عالية نصيف بأن تكون هناك رقابة على القوائم.")
    assert q.speaker.name == "النائبة عالية نصيف"
    q = one("ودعا الوزير المواطنين إلى الهدوء.")
    assert q.speaker.name == "الوزير"


def test_an_everyday_cue_after_an_auxiliary_reads_past_a_long_subject():
    q = one("كما أعلن المسؤول الإعلامي لغرفة العمليات التابعة للجيش في المنطقة الشرقية ناصر العبيدي، "
            "إن القوات أحرزت تقدما كبيرا.")
    assert q.text == "القوات أحرزت تقدما كبيرا" and q.speaker.name.endswith("ناصر العبيدي")


def test_the_ala_of_a_title_with_an_adjective_is_not_the_introducer():
    q = one("أكد المشرف العام على إدارة الإعلام والمتحدث الرسمي لجامعة الشمال الدكتور سمير النجدي أنه تم "
            "إغلاق البرامج.")
    assert q.text == "تم إغلاق البرامج" and q.speaker.name.endswith("سمير النجدي")


def test_a_rank_with_awwal_is_not_the_time_word():
    q = one("وقال آمر كتيبة لواء أول مشاة العقيد حامد بالخير، إنه يتوجب دعم الدولة.")
    assert q.speaker.name.endswith("حامد بالخير")
    q = one("وقال الوزير أول أمس إن الوضع صعب.")
    assert q.speaker.name == "الوزير"


def test_a_cue_that_describes_the_occasion_does_not_take_the_quotation():
    quotes = rules("وقالت الباحثة سلمى العتيبي إن النتائج مبشرة. وأضافت في حديث نقلته وكالة الأنباء المحلية: "
                   "«سنواصل التجارب حتى نهاية العام».")
    assert quotes[-1].text == "سنواصل التجارب حتى نهاية العام"
    assert quotes[-1].cue.text == "وأضافت" and quotes[-1].speaker.name == "الباحثة سلمى العتيبي"


def test_a_prayer_and_an_impersonal_passive_are_not_quotations():
    quotes = rules("وقال المحافظ إن العمل مستمر، داعيا الله أن يحفظ البلاد من كل مكروه.")
    assert [q.text for q in quotes] == ["العمل مستمر"]
    assert rules("يشار إلى أن الوزارة بدأت العمل في المشروع الجديد.") == []


def test_a_sound_plural_subject_takes_only_its_adjectives_before_the_object():
    quotes = rules("انتقد محللون عرب واقتصاديون تصريحات الوزير الأخيرة، مؤكدين أنها لا تعكس الواقع.")
    assert quotes[-1].speaker.name == "محللون عرب واقتصاديون"


def test_a_short_marked_answer_that_ends_its_sentence_is_a_quotation():
    q = one("وقال المركز «نحن محايدون». ثم انتهى المؤتمر.")
    assert (q.kind, q.text, q.speaker.name) == ("direct", "نحن محايدون", "المركز")
    q = one("وسئل عن ذلك، فأجاب المتحدث: «نعم».")
    assert q.text == "نعم"
    # a name in marks after an outlet word is still not words said
    assert rules("وذلك حسبما أكد مصدر مقرب منه لوكالة «الأنباء اليوم».") == []


def test_an_indefinite_noun_after_the_name_is_the_object_of_a_description():
    quotes = rules("من جانبه، وصف نائب رئيس الوفد الأستاذ خالد الأحمد مشاركة المنتخب بالمميزة، وقال: "
                   "الحمد لله على التوفيق والنجاح الكبير.")
    assert quotes[0].speaker.name == "نائب رئيس الوفد الأستاذ خالد الأحمد"
    assert quotes[1].speaker.name == "نائب رئيس الوفد الأستاذ خالد الأحمد"


def test_a_described_source_keeps_its_place_after_an_adjective():
    quotes = rules("وانتقدت مصادر عسكرية في الجيش اليمني قرار المجلس، مشيرة إلى أنه متسرع.")
    assert quotes[-1].speaker.name == "مصادر عسكرية في الجيش اليمني"


def test_defend_and_repeat_are_cues():
    q = one("ودافع البيت الأبيض أمس عن حق الدولة في الرد.")
    assert (q.text, q.speaker.name) == ("حق الدولة في الرد", "البيت الأبيض")
    assert rules("وقال المتحدث إن الحل سياسي. وكرر المتحدث أن الحوار هو الطريق الوحيد.")[-1].cue.text == "وكرر"
    assert rules("كان الدافع وراء الجريمة ماليا.") == []


def test_qala_takes_no_preposition_content():
    q = one("وقال الوزير عبر حسابه على تويتر إن الوضع مستقر.")
    assert (q.text, q.speaker.name) == ("الوضع مستقر", "الوزير")


def test_guillemets_written_the_same_way_on_both_sides_pair():
    quotes = rules("وقال المدير في تصريحات لـ« الصحيفة « إن العمل مستمر. وأضاف: «الخطة ناجحة جدا« .\n"
                   "وفي سياق آخر، افتتح المحافظ معرضا للكتاب.")
    assert [q.text for q in quotes] == ["العمل مستمر", "الخطة ناجحة جدا"]


def test_a_leading_according_to_keeps_its_content_when_a_cue_follows_inside_it():
    quotes = rules("وبحسب أقارب الضحية فإن السيدة مطلقة منذ عامين، ونقلت جثتها إلى الطبيب الذي أكد في تقريره "
                   "أن الوفاة طبيعية.")
    assert quotes[0].cue.text == "وبحسب" and quotes[0].speaker.name == "أقارب الضحية"
    assert quotes[0].text.startswith("السيدة مطلقة منذ عامين")
