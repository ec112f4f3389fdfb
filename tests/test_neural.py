"""The trained layer on a tiny encoder built here (nothing is downloaded): training moves
each component toward its gold, serialisation round-trips to the same predictions, the
package's training config runs through ``spacy train``, and masking keeps every offset."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytest.importorskip("spacy_transformers")

import spacy
from spacy.training import Example
from thinc.api import Config

import quoteattr
from quoteattr.neural import GOLD, HIDE_RULES
from quoteattr.neural.features import NONE, PREV, rule_choice, speaker_candidates
from quoteattr.safeload import MANIFEST, unsafe_reason
from quoteattr.training.data import MASK, annotate, mask_cues, write_docbin
from quoteattr.training.encoder import random_encoder
from quoteattr.training.train import CONFIG, tune_thresholds

# Our own sentences. In the first and third the rule layer finds no speaker (the name stands
# before a verb that is not a cue: التقى، انتقد); in the second the rule stance layer has no
# lexicon word for "تقدم مساعدات مهمة" and says neutral where a reader sees favor.
TEXTS = [
    "التقى وزير الخارجية خالد العمري بالسفير سامي داود، وقال إن العلاقات بين البلدين قوية.",
    "وقالت المتحدثة باسم الوكالة سارة النجار إن الأونروا تقدم مساعدات مهمة للاجئين.",
    "وانتقد النائب سامي الحربي الحكومة، وقال إن قرارها الأخير يضر بالمزارعين.",
    "«لن نتراجع عن دعم المدارس» قال رئيس البلدية عمر السالم في مؤتمر صحفي.",
]
WIDTH = 32


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    return random_encoder(tmp_path_factory.mktemp("encoder"), TEXTS * 30, vocab_size=400, hidden=WIDTH)


def build(encoder: Path, **cfg_overrides):
    overrides = {"paths.encoder": str(encoder), "components.speaker_linker.model.width": WIDTH,
                 "components.stance_classifier.model.width": WIDTH, **cfg_overrides}
    config = Config().from_disk(CONFIG, overrides=overrides)
    import quoteattr.neural  # noqa: F401

    return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)


def gold_doc(rules, text, speaker, stance=(), subjects=None):
    q = quoteattr.attribute_quotes(text, subjects, pipeline="rules")[0]
    gold = [{"start": q.start, "end": q.end, "speaker": speaker, "speaker_aliases": [],
             "stance": [{"target": t, "label": lab} for t, lab in stance]}]
    return annotate(rules, text, subjects, gold)


@pytest.fixture(scope="module")
def examples():
    rules = quoteattr.load("rules")
    docs = [
        # The rules take the subject of التقى; this gold says the one met spoke: the linker
        # has to learn to override the rule choice.
        gold_doc(rules, TEXTS[0], "سامي داود"),
        gold_doc(rules, TEXTS[1], "سارة النجار", [("الأونروا", "favor")], ["الأونروا"]),  # rules: neutral
        gold_doc(rules, TEXTS[2], "سامي الحربي", [("الحكومة", "against")], ["الحكومة"]),
    ]
    return [Example(d.copy(), d) for d in docs]


def _train(nlp, examples, steps=60):
    from thinc.api import Adam

    nlp.initialize(lambda: examples)
    optimizer = Adam(0.001)  # the config's schedule starts at 0 and needs spacy train's steps
    first = last = None
    for _ in range(steps):
        losses = nlp.update(examples, sgd=optimizer, drop=0.0)
        first = first or dict(losses)
        last = losses
    return first, last


@pytest.fixture(scope="module")
def trained(encoder, examples):
    nlp = build(encoder, **{"components.speaker_linker.threshold": 0.5, "components.stance_classifier.threshold": 0.5})
    first, last = _train(nlp, examples)
    return nlp, first, last


def test_training_lowers_each_components_loss(trained):
    _, first, last = trained
    for name in ("speaker_linker", "stance_classifier"):
        assert last[name] < 0.5 * first[name], (name, first[name], last[name])


def test_the_linker_learns_to_override_the_rule_speaker(trained):
    nlp, _, _ = trained
    rule = quoteattr.attribute_quotes(TEXTS[0], pipeline="rules")[0].speaker
    assert rule is not None and "سامي داود" not in rule.name  # the rules choose someone else
    q = nlp(TEXTS[0])._.quotes[0]
    assert q.speaker is not None and "سامي داود" in q.speaker.name
    assert TEXTS[0][q.speaker.start : q.speaker.end] == q.speaker.text  # offsets into the text


def test_the_stance_classifier_learns_to_override_the_rule_label(trained):
    nlp, _, _ = trained
    rule = quoteattr.attribute_quotes(TEXTS[1], ["الأونروا"], pipeline="rules")[0].stances[0]
    assert rule.label == "neutral"
    doc = nlp.make_doc(TEXTS[1])
    doc._.subjects = ("الأونروا",)
    st = nlp(doc)._.quotes[0].stances[0]
    assert (st.subject, st.label) == ("الأونروا", "favor") and 0.5 <= st.score <= 1.0


def test_thresholds_above_one_give_exactly_the_rule_output(encoder, examples):
    nlp = build(encoder, **{"components.speaker_linker.threshold": 1.01,
                            "components.stance_classifier.threshold": 1.01})
    _train(nlp, examples, steps=5)
    for text in TEXTS:
        assert [q.to_dict() for q in nlp(text)._.quotes] == \
            [q.to_dict() for q in quoteattr.attribute_quotes(text, pipeline="rules")]


def test_save_and_load_round_trip_to_the_same_predictions_without_pickles(trained, tmp_path):
    nlp, _, _ = trained
    digest = quoteattr.save(nlp, tmp_path / "pipeline")
    weights = tmp_path / "pipeline" / "transformer" / "model" / "model.safetensors"
    assert weights.is_file()
    for root, _, files in os.walk(tmp_path / "pipeline"):
        for f in files:
            assert unsafe_reason(Path(root) / f) is None, f
    assert "transformer/model/model.safetensors" in json.loads((tmp_path / "pipeline" / MANIFEST).read_text())["files"]
    loaded = quoteattr.load(tmp_path / "pipeline", sha256=digest)
    assert loaded.pipe_names == nlp.pipe_names
    new = ["وقال المدير العام أحمد الكعبي إن المشروع سيكتمل قريبا.", *TEXTS]
    for text in new:
        a = [q.to_dict() for q in nlp(text)._.quotes]
        b = [q.to_dict() for q in quoteattr.attribute_quotes(text, pipeline=tmp_path / "pipeline")]
        assert a == b
    # and through the public API with subjects
    got = quoteattr.attribute_quotes(TEXTS[1], ["الأونروا"], pipeline=tmp_path / "pipeline")
    assert got[0].stances[0].label == "favor"


def test_a_saved_pipeline_keeps_the_encoders_masked_language_model_head(examples, tmp_path):
    import logging

    import torch
    from transformers import AutoModelForMaskedLM

    from quoteattr.training.train import attach_mlm_head, save_trained

    enc = random_encoder(tmp_path / "mlm", TEXTS * 30, vocab_size=400, hidden=WIDTH, mlm_head=True)
    nlp = build(enc)
    nlp.initialize(lambda: examples)
    _, kept = save_trained(nlp, str(enc), tmp_path / "pipeline")  # as quoteattr train saves
    assert kept
    folder = tmp_path / "pipeline" / "transformer" / "model"
    # the epsilon the encoder was trained with, not the 0.0 a rebuilt configuration gets
    assert json.loads((folder / "config.json").read_text())["layer_norm_eps"] == 1e-12
    original = AutoModelForMaskedLM.from_pretrained(enc)
    kept = AutoModelForMaskedLM.from_pretrained(folder)
    for name, tensor in original.state_dict().items():
        assert torch.equal(tensor, kept.state_dict()[name]), name
    # the pipeline still loads (spacy-transformers reads the base model) and runs as before,
    # without a word about the head's tensors on the log
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logging.getLogger("transformers").addHandler(handler)
    try:
        loaded = quoteattr.load(tmp_path / "pipeline")
    finally:
        logging.getLogger("transformers").removeHandler(handler)
    assert not records, [r.getMessage() for r in records]
    for text in TEXTS:
        assert [q.to_dict() for q in loaded(text)._.quotes] == [q.to_dict() for q in nlp(text)._.quotes]
    # an encoder folder without a head: nothing to keep
    assert not attach_mlm_head(nlp, str(random_encoder(tmp_path / "base", TEXTS * 30, vocab_size=400, hidden=WIDTH)))


def test_the_saved_pipeline_has_a_fresh_vocabulary_and_keeps_the_chosen_thresholds(trained):
    from quoteattr.training.train import _without_corpus_strings

    nlp, _, _ = trained
    nlp.get_pipe("speaker_linker").cfg["threshold"] = 0.7
    try:
        nlp("وقال المهندس زيد البرغوثي إن الجسر جاهز.")
        fresh = _without_corpus_strings(nlp)
        assert fresh.config["components"]["speaker_linker"]["threshold"] == 0.7
        assert fresh.get_pipe("speaker_linker").threshold == pytest.approx(0.7)
        assert "البرغوثي" in nlp.vocab.strings and "البرغوثي" not in fresh.vocab.strings
        for text in TEXTS:
            assert [q.to_dict() for q in fresh(text)._.quotes] == [q.to_dict() for q in nlp(text)._.quotes]
    finally:
        nlp.get_pipe("speaker_linker").cfg["threshold"] = 0.5


def test_a_threshold_is_chosen_on_development_examples(trained, examples):
    nlp, _, _ = trained
    report = tune_thresholds(nlp, examples)
    assert set(report) == {"speaker_linker", "stance_classifier"}
    for name, r in report.items():
        assert nlp.get_pipe(name).cfg["threshold"] == r["threshold"]
    # trained to these very examples, overriding the rules beats never overriding
    linker = report["speaker_linker"]
    assert linker["dev_scores"][str(linker["threshold"])] > linker["dev_scores"]["1.01"], linker
    stance = report["stance_classifier"]
    key = f"{'neutral-only' if stance['rule_neutral_only'] else 'any'} {stance['threshold']}"
    assert stance["dev_scores"][key] > stance["dev_scores"]["neutral-only 1.01"], stance


def test_spacy_train_runs_the_package_config(encoder, examples, tmp_path):
    from spacy.cli.train import train

    write_docbin([eg.reference for eg in examples], tmp_path / "train.spacy")
    write_docbin([eg.reference for eg in examples[:2]], tmp_path / "dev.spacy")
    import quoteattr.neural  # noqa: F401

    train(CONFIG, tmp_path / "out", overrides={
        "paths.train": str(tmp_path / "train.spacy"), "paths.dev": str(tmp_path / "dev.spacy"),
        "paths.encoder": str(encoder), "components.speaker_linker.model.width": WIDTH,
        "components.stance_classifier.model.width": WIDTH, "training.max_steps": 4,
        "training.eval_frequency": 2,
    })
    meta = json.loads((tmp_path / "out" / "model-last" / "meta.json").read_text())
    assert {"speaker_acc", "stance_macro_f1"} <= set(meta["performance"])


def test_candidates_start_with_none_and_prev_and_flag_the_rule_choice():
    text = TEXTS[1] + " وأضافت أن الزيارة ناجحة."
    rules = quoteattr.load("rules")
    doc = rules(text)
    quotes = doc._.quotes
    cands = speaker_candidates(text, quotes, 1, doc._.entities, quotes[0].speaker)
    assert [c.kind for c in cands[:2]] == [NONE, PREV]
    chosen = cands[rule_choice(cands)]
    assert chosen.kind == "mention" and chosen.name == quotes[1].speaker.name
    hidden = speaker_candidates(text, quotes, 1, doc._.entities, quotes[0].speaker, hide_rule=True)
    assert rule_choice(hidden) == 0 and not any(c.features[0] for c in hidden)


def test_masking_a_cue_moves_every_offset_to_the_new_text():
    rules = quoteattr.load("rules")
    text = "قال الوزير خالد العمري إن المدارس ستفتح. وأكدت الوزيرة ليلى حداد أن الامتحانات ستؤجل."
    doc = rules(text)
    doc.user_data[GOLD] = [{"start": q.start, "end": q.end, "speaker": q.speaker.name} for q in doc._.quotes]
    masked = mask_cues(rules, doc)
    assert masked.user_data[HIDE_RULES] is True
    assert masked.text.count(MASK) == 2 and "وأكدت" not in masked.text
    for q, old in zip(masked._.quotes, doc._.quotes):
        assert masked.text[q.start : q.end] == q.text == old.text
        assert q.cue.text == MASK and masked.text[q.cue.start : q.cue.end] == MASK
        assert masked.text[q.speaker.start : q.speaker.end] == q.speaker.text
    for e in masked._.entities:
        assert masked.text[e.start : e.end] == e.text
    for g, q in zip(masked.user_data[GOLD], masked._.quotes):
        assert (g["start"], g["end"]) == (q.start, q.end)


def test_quoteattr_train_has_its_own_options(capsys):
    from quoteattr import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--encoder" in out and "--freeze-encoder" in out


def test_evaluate_compares_pipelines_side_by_side():
    from quoteattr.evaluation.scorer import format_comparison

    def report(f1, spk):
        return {"overlap": {"f1": f1}, "exact": {"f1": f1}, "speaker_accuracy": spk,
                "stance_macro_f1": 0.5, "chars_per_second": 1000}

    table = format_comparison(["rules", "default"], [report(0.8, 0.543), report(0.8, 0.531)]).splitlines()
    assert table[0].split() == ["metric", "rules", "default"]
    assert table[3].split()[-2:] == ["0.543", "0.531"] and table[3].startswith("speaker accuracy")
