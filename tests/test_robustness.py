"""Robustness: broken and hostile input, pathological sizes, errors, threads, safe loading.

The property tests generate Arabic-like text from the pieces real scraped news is made of
(letters, words, cues, every quotation mark we pair, diacritics, tatweel, both digit sets)
and the pieces broken text adds (bidi controls, emoji, control characters, NUL, lone
surrogates, HTML remnants, mojibake). All example sentences are written for these tests.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import shutil
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quoteattr
from quoteattr import api, checks
from quoteattr.cli import main as cli_main
from quoteattr.errors import (
    DocumentTooLongError,
    InputTypeError,
    InputValueError,
    ModelLoadError,
    QuoteAttrError,
)
from quoteattr.guard import MAX_CHUNK, GuardedTokenizer
from quoteattr.rules.config import DEFAULT as RULES
from quoteattr.safeload import MANIFEST

MAX_NESTED_CUES = RULES.max_nested_cues

# -- generated text ------------------------------------------------------------------------

LETTERS = list("ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآةىؤئ")
WORDS = ["الوزير", "الحكومة", "وزارة الصحة", "خالد العمري", "المدارس", "ستفتح", "غدا", "اللقاحات",
         "متوفرة", "الرئيس", "الشركة", "الأسعار", "حماس", "الأونروا", "السلام", "في", "من", "على"]
CUES = ["وقال", "قال", "قائلا", "بقوله", "بحسب", "وفقا ل", "إن", "أن", "بأن", "إلى", "ب", ":"]
MARKS = list("«»“”„‹›\"'")
DIACRITICS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "ـ"]
DIGITS = list("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳")
BIDI = ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200c", "\u200d", "\ufeff"]
EMOJI = ["😀", "👍🏽", "🇸🇦", "👨‍👩‍👧", "❤️", "𝕏"]
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\r", "\t", "\v", "\f", "\x85", "\u2028", "\u2029",
            "\ud800", "\udfff", "\udc80", "\ufffd"]
JUNK = ["<p>", "</p>", "<br/>", "&nbsp;", "&quot;", "&laquo;", "Ø§Ù„Ø", "Ã©", "http://x.y/?a=1&b=2",
        "Hello", "ÉCOLE", "Привет", "中文"]
SPACE = [" ", " ", " ", "  ", "\n", "\n\n", "، ", ". ", "؟ ", "! ", "\u00a0", "\u3000"]

VERBS = ["وقال", "قال", "وقالت", "وأضاف", "أكد", "وأكدت", "مضيفا", "قائلا", "بقوله", "ودعا", "وندد",
         "يقول", "قيل", "وأوضح", "وحذرت"]
ATTRIBUTIVE = ["بحسب", "وفقا ل", "وفقا لـ", "نقلا عن", "على لسان", "حسبما"]
OPENERS = ["إن", "أن", "بأن", "إنه", ":", ": «", "«", "“", ' "', "إلى", "على", "ب"]
CLOSERS = ["", "", "»", "”", '"', ".", "،", "\n", "!", "؟", "»."]
NOISE = st.one_of(
    st.sampled_from(MARKS), st.sampled_from(DIACRITICS), st.sampled_from(DIGITS),
    st.sampled_from(BIDI), st.sampled_from(EMOJI), st.sampled_from(CONTROLS), st.sampled_from(JUNK),
    st.text(max_size=3),  # anything at all, lone surrogates included
)
WORD = st.sampled_from(WORDS + LETTERS)
PHRASE = st.lists(WORD, min_size=1, max_size=5).map(" ".join)
CLAUSE = st.one_of(
    # cue, subject, opener, content, closer: "وقال الوزير إن المدارس ستفتح."
    st.tuples(st.sampled_from(VERBS), st.lists(WORD, max_size=4).map(" ".join),
              st.sampled_from(OPENERS), PHRASE, st.sampled_from(CLOSERS)).map(" ".join),
    # content first: "«المدارس ستفتح»، قال الوزير"
    st.tuples(st.sampled_from(["«", "“", '"']), PHRASE, st.sampled_from(["»،", "”،", '"،', "» ,"]),
              st.sampled_from(VERBS), PHRASE).map(" ".join),
    # according to: "المدارس ستفتح، بحسب الوزارة."
    st.tuples(PHRASE, st.sampled_from(["، ", " ", ""]), st.sampled_from(ATTRIBUTIVE), PHRASE,
              st.sampled_from(CLOSERS)).map("".join),
)
# A piece of a document, sometimes with noise pushed into the middle of it.
PIECE = st.one_of(CLAUSE, CLAUSE, PHRASE, NOISE, st.sampled_from(SPACE), st.sampled_from(CUES))
DAMAGED = st.tuples(PIECE, st.integers(0, 40), st.one_of(st.just(""), NOISE)).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
)
JOINER = st.sampled_from(["", " ", " ", " ", "\n", "، "])
DOCUMENTS = st.lists(st.tuples(DAMAGED, JOINER), min_size=1, max_size=30).map(
    lambda parts: "".join(p + j for p, j in parts)
)
# Appended after a blank line: a paragraph with no cue, no quotation mark and no name.
UNRELATED = st.sampled_from([
    "ذهب الطلاب إلى المدرسة صباحا.",
    "ارتفعت درجات الحرارة في المساء ٣٥ درجة",
    "Weather: sunny, 35 C",
    "😀 ١٢٣",
])
PROPERTY_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def assert_offsets(text: str, quotes: list) -> None:
    """The offset contract: every span indexes the caller's string exactly."""
    for q in quotes:
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start : q.end] == q.text
        if q.cue is not None:
            assert 0 <= q.cue.start <= q.cue.end <= len(text)
            assert text[q.cue.start : q.cue.end] == q.cue.text
        if q.speaker is not None:
            assert 0 <= q.speaker.start <= q.speaker.end <= len(text)
            assert text[q.speaker.start : q.speaker.end] == q.speaker.text


def spans(quotes: list) -> list[tuple]:
    return [(q.start, q.end, q.kind, q.cue and (q.cue.start, q.cue.end),
             q.speaker and (q.speaker.start, q.speaker.end)) for q in quotes]


@PROPERTY_SETTINGS
@given(DOCUMENTS)
def test_generated_text_never_raises_and_every_span_indexes_the_input(text):
    quotes = quoteattr.attribute_quotes(text, pipeline="rules")
    assert_offsets(text, quotes)
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)


@PROPERTY_SETTINGS
@given(DOCUMENTS)
def test_output_is_deterministic(text):
    first = [q.to_dict() for q in quoteattr.attribute_quotes(text, pipeline="rules")]
    again = [q.to_dict() for q in quoteattr.attribute_quotes(text, pipeline="rules")]
    assert first == again


@PROPERTY_SETTINGS
@given(DOCUMENTS, UNRELATED)
def test_spans_are_stable_when_unrelated_text_is_appended(text, tail):
    longer = text + "\n\n" + tail
    alone = quoteattr.attribute_quotes(text, pipeline="rules")
    within = quoteattr.attribute_quotes(longer, pipeline="rules")
    assert_offsets(longer, within)
    assert spans([q for q in within if q.start <= len(text)]) == spans(alone)


# -- pathological inputs: right answers, linear work (timings are in benchmarks/) -----------

REAL = "وقال الوزير خالد العمري: «الحملة تبدأ غدا في كل المدن»."


@pytest.mark.parametrize("junk", [
    "«" * 30_000,                      # a million unmatched « in miniature
    "« " * 15_000,
    "«»" * 15_000,
    '" ' * 15_000,
    "«" * 15_000 + "”" * 15_000,       # stray closers against a deep stack
    "قال: " + "«" * 10_000 + "نعم" + "»" * 10_000,
    "ـ" * 30_000,                      # tatweel only
    "\u200f" * 30_000,                 # bidi marks only
    "\x00" * 30_000,
])
def test_a_real_quote_survives_a_paragraph_of_junk_before_it(attribute, junk):
    text = junk + "\n" + REAL
    quotes = attribute(text)
    found = [q for q in quotes if q.text == "الحملة تبدأ غدا في كل المدن"]
    assert len(found) == 1
    assert found[0].speaker.text == "الوزير خالد العمري"
    assert found[0].start == len(junk) + 1 + REAL.index("الحملة")


def test_run_on_reported_speech_output_stays_linear(attribute):
    text = "الوزير يقول إن " * 4_000  # 60k chars, every cue opens content, none ends a clause
    quotes = attribute(text)
    assert len(quotes) > 1_000
    # Without the nesting bound every quote ran to the end: 60k × 4k characters of output.
    assert sum(len(q.text) for q in quotes) <= (MAX_NESTED_CUES + 2) * len(text)


def test_only_attributive_cues_output_stays_linear(attribute):
    text = "بحسب الوزارة " * 5_000
    quotes = attribute(text)
    assert sum(len(q.text) for q in quotes) <= (MAX_NESTED_CUES + 2) * len(text)


def test_one_long_paragraph_gives_the_same_quotes_as_its_sentences(attribute):
    sentence = "وقالت وزارة الصحة إن اللقاحات متوفرة في كل المراكز. "
    text = sentence * 500  # ~27k characters, no newline (the 1 MB case is in benchmarks/)
    quotes = attribute(text)
    assert len(quotes) == 500
    assert {q.text for q in quotes} == {"اللقاحات متوفرة في كل المراكز"}


def test_guarded_tokenizer_keeps_text_exact_and_splits_long_chunks():
    nlp = quoteattr.load("rules")
    assert isinstance(nlp.tokenizer, GuardedTokenizer)
    text = "قال «" + "ن«»" * 200 + "» ثم " + "x" * (MAX_CHUNK + 5) + " \ud800 النهاية\n"
    doc = nlp.make_doc(text)
    assert doc.text == text.replace("\ud800", "\ufffd")
    assert max(len(t.text) for t in doc) <= MAX_CHUNK + 5
    assert "«" in [t.text for t in doc]  # marks inside a long chunk are tokens of their own
    ordinary = "وقال الوزير: «الخطة جاهزة»."
    assert [t.text for t in nlp.make_doc(ordinary)] == [t.text for t in nlp.tokenizer.inner(ordinary)]


def test_lone_surrogates_are_processed_and_texts_come_from_the_callers_string(attribute):
    text = "وقال الوزير خالد\udc80العمري إن الخطة \ud800جاهزة."
    quotes = attribute(text)
    assert [q.text for q in quotes] == ["الخطة \ud800جاهزة"]
    assert quotes[0].speaker.text == quotes[0].speaker.name == "الوزير خالد\udc80العمري"


def test_documents_up_to_the_limit_are_accepted_by_spacy_too():
    # spaCy has its own max_length (E088); it must never fire below quoteattr's limit.
    assert quoteattr.load("rules").max_length >= quoteattr.MAX_LENGTH


def test_too_long_document_is_a_clear_error_and_pipe_goes_on(monkeypatch):
    monkeypatch.setattr(checks, "MAX_LENGTH", 1_000)
    with pytest.raises(DocumentTooLongError, match="1,001 characters.*limit of 1,000.*split it"):
        quoteattr.attribute_quotes("ن" * 1_001, pipeline="rules")
    assert quoteattr.attribute_quotes("ن" * 1_000, pipeline="rules") == []
    results = list(quoteattr.pipe(["ن" * 1_001, REAL, b"bytes", None, "\ud800«"], pipeline="rules"))
    assert [r.ok for r in results] == [False, True, False, False, True]
    assert results[0].error.type == "DocumentTooLongError"
    assert "decode it first" in results[2].error.message
    assert "'text' field" in results[3].error.message


# -- errors: every entry point, the library's own exceptions, messages that say what to do --

def _saved(tmp_path: Path, name: str = "pipeline") -> Path:
    folder = tmp_path / name
    quoteattr.save(quoteattr.load("rules"), folder)
    return folder


ERROR_CASES = [
    # (call, exception type, words the message must contain)
    (lambda: quoteattr.attribute_quotes(None), InputTypeError, "'text' field"),
    (lambda: quoteattr.attribute_quotes(b"\xd9\x82"), InputTypeError, "decode it first"),
    (lambda: quoteattr.attribute_quotes(3.5), InputTypeError, "as a str"),
    (lambda: quoteattr.attribute_quotes("نص", subjects="حماس"), InputTypeError, "use [subject]"),
    (lambda: quoteattr.attribute_quotes("نص", subjects=b"x"), InputTypeError, "use [subject]"),
    (lambda: quoteattr.attribute_quotes("نص", subjects=5), InputTypeError, "list of str"),
    (lambda: quoteattr.attribute_quotes("نص", subjects=["حماس", 7]), InputTypeError, "must be a str"),
    (lambda: quoteattr.attribute_quotes("نص", subjects=[" "]), InputValueError, "remove it"),
    (lambda: quoteattr.attribute_quotes("نص", subjects=["ن" * 101]), InputValueError, "a name"),
    (lambda: quoteattr.attribute_quotes("نص", subjects=[f"s{i}" for i in range(101)]), InputValueError,
     "fewer subjects"),
    (lambda: quoteattr.attribute_quotes("نص", pipeline=3), InputTypeError, "quoteattr.save()"),
    (lambda: quoteattr.attribute_quotes("نص", pipeline="transformer"), InputValueError, "unknown pipeline"),
    (lambda: quoteattr.attribute_quotes("نص", pipeline=""), InputValueError, "unknown pipeline"),
    (lambda: quoteattr.attribute_quotes("نص", pipeline="a\0b"), InputValueError, "unknown pipeline"),
    (lambda: quoteattr.load("rules", sha256="ab" * 32), InputValueError, "saved pipeline folder"),
    (lambda: quoteattr.load("rules", sha256="xyz"), InputValueError, "64 hex digits"),
    (lambda: quoteattr.load("rules", sha256=123), InputTypeError, "64 hex digits"),
    (lambda: quoteattr.pipe("وقال الوزير إن الخطة جاهزة"), InputTypeError, "wrap it in a list"),
    (lambda: quoteattr.pipe({"id": 1, "text": "نص"}), InputTypeError, "wrap it in a list"),
    (lambda: quoteattr.pipe(42), InputTypeError, "iterable"),
    (lambda: quoteattr.pipe(["نص"], batch_size=0), InputValueError, "positive int"),
    (lambda: quoteattr.pipe(["نص"], batch_size=True), InputValueError, "positive int"),
    (lambda: quoteattr.pipe(["نص"], n_process="2"), InputValueError, "positive int"),
    (lambda: quoteattr.pipe(["نص"], subjects="حماس"), InputTypeError, "use [subject]"),
    (lambda: quoteattr.pipe(["نص"], pipeline="nope"), InputValueError, "unknown pipeline"),
    (lambda: quoteattr.save("not a pipeline", "x"), InputTypeError, "spaCy Language"),
    (lambda: quoteattr.save(quoteattr.load("rules"), 7), InputTypeError, "os.PathLike"),
]


@pytest.mark.parametrize("call, exc_type, words", ERROR_CASES)
def test_public_entry_points_raise_the_librarys_errors_with_advice(call, exc_type, words):
    with pytest.raises(exc_type) as err:
        call()  # pipe() raises when called, not at its first item
    assert isinstance(err.value, QuoteAttrError)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_save_refuses_a_folder_that_is_not_empty_and_overwrites_only_its_own(tmp_path):
    nlp = quoteattr.load("rules")
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("x")
    with pytest.raises(InputValueError, match="not empty.*new folder"):
        quoteattr.save(nlp, other)
    with pytest.raises(InputValueError, match="only an earlier quoteattr save"):
        quoteattr.save(nlp, other, overwrite=True)
    assert (other / "todo.txt").exists()
    folder = _saved(tmp_path)
    first = quoteattr.save(nlp, folder, overwrite=True)
    assert first == hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()
    with pytest.raises(InputValueError, match="is a file"):
        quoteattr.save(nlp, other / "todo.txt")


CLI_USER_ERRORS = [
    (["run", "no-such-file.txt"], "no such file"),
    (["run", "--pipeline", "no-such-pipeline", "{txt}"], "unknown pipeline"),
    (["run", "--pipeline", "{plain}", "{txt}"], "quoteattr-manifest.json is missing"),
    (["run", "--subject", " ", "{txt}"], "subject is empty"),
    (["evaluate", "{missing}", "--corpus-dir", "{tmp}"], "No such file or directory"),
]


@pytest.mark.parametrize("option", ["--n-process", "--batch-size", "--html-limit"])
def test_cli_counts_below_one_are_refused_before_any_work(tmp_path, capsys, option):
    txt = tmp_path / "a.txt"
    txt.write_text(REAL, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        cli_main(["run", option, "0", str(txt)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: must be at least 1, got 0" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, words", CLI_USER_ERRORS)
def test_cli_user_errors_are_one_line_with_status_2(tmp_path, capsys, argv, words):
    txt = tmp_path / "a.txt"
    txt.write_text(REAL, encoding="utf-8")
    latin1 = tmp_path / "b.txt"
    latin1.write_bytes("قال".encode("utf-8") + b"\xff\xfe")
    plain = tmp_path / "plain"
    quoteattr.load("rules").to_disk(plain)  # a spaCy folder without a manifest
    missing = tmp_path / "gold" / "missing.jsonl"
    argv = [a.format(txt=txt, latin1=latin1, plain=plain, missing=missing, tmp=tmp_path) for a in argv]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("quoteattr: ")
    assert words in err
    assert "Traceback" not in err


# -- threads ---------------------------------------------------------------------------------

THREAD_TEXTS = [
    f"وقال الوزير رقم {i} إن الخطة {'«جاهزة تماما»' if i % 2 else 'جاهزة'}. وأضافت الوزارة أن العمل بدأ."
    + " «" * (i % 7) + "\n" + "ن" * (i * 37 % 300)
    for i in range(48)
]


def test_attribute_quotes_from_many_threads_equals_sequential():
    expected = [[q.to_dict() for q in quoteattr.attribute_quotes(t, pipeline="rules")] for t in THREAD_TEXTS]
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    results: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            start.wait()
            for j in range(len(THREAD_TEXTS)):
                i = (j * 5 + k) % len(THREAD_TEXTS)
                got = [q.to_dict() for q in quoteattr.attribute_quotes(THREAD_TEXTS[i], pipeline="rules")]
                if got != expected[i]:
                    results[i] = got
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors
    assert not results, f"{len(results)} texts gave other quotes in threads"


def test_a_pipeline_is_built_once_per_process_even_when_threads_race(tmp_path, monkeypatch):
    folder = _saved(tmp_path)
    builds = []
    real_build = api._build

    def slow_build(name, sha256=None):
        builds.append(name)
        return real_build(name, sha256)

    monkeypatch.setattr(api, "_build", slow_build)
    start = threading.Barrier(6)
    got = []

    def work() -> None:
        start.wait()
        got.append(quoteattr.load(str(folder) + os.sep))  # another spelling, the same folder

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1
    assert all(nlp is got[0] for nlp in got)
    assert quoteattr.load(folder) is got[0]


# -- safe loading ------------------------------------------------------------------------------

def _manifest_digest(folder: Path) -> str:
    return hashlib.sha256((folder / MANIFEST).read_bytes()).hexdigest()


def _relist(folder: Path) -> None:
    """What an attacker who can write the folder does: rewrite the manifest to match."""
    manifest = json.loads((folder / MANIFEST).read_text())
    files = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel != MANIFEST:
            files[rel] = {"size": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
    manifest["files"] = files
    (folder / MANIFEST).write_text(json.dumps(manifest))


def test_a_saved_pipeline_loads_and_gives_the_same_quotes(tmp_path):
    folder = tmp_path / "pipeline"
    digest = quoteattr.save(quoteattr.load("rules"), folder)
    assert digest == _manifest_digest(folder)
    nlp = quoteattr.load(folder, sha256=digest.upper())
    assert isinstance(nlp.tokenizer, GuardedTokenizer)
    assert nlp.pipe_names == quoteattr.load("rules").pipe_names
    assert spans(quoteattr.attribute_quotes(REAL, pipeline=folder)) == spans(
        quoteattr.attribute_quotes(REAL, pipeline="rules"))


def _truncate(folder: Path) -> str:
    p = folder / "tokenizer"
    p.write_bytes(p.read_bytes()[:100])
    return "tokenizer is truncated (100 of"


def _flip_a_byte(folder: Path) -> str:
    p = folder / "vocab" / "strings.json"
    data = bytearray(p.read_bytes())
    data[10] ^= 1
    p.write_bytes(bytes(data))
    return "strings.json does not match its SHA-256"


def _grow(folder: Path) -> str:
    with open(folder / "meta.json", "a") as fh:
        fh.write(" ")
    return "meta.json has grown"


def _delete(folder: Path) -> str:
    (folder / "config.cfg").unlink()
    return "config.cfg is missing"


def _add_file(folder: Path) -> str:
    (folder / "extra.py").write_text("print('hello')\n")
    return "extra.py is not listed in quoteattr-manifest.json"


def _no_manifest(folder: Path) -> str:
    (folder / MANIFEST).unlink()
    return "quoteattr-manifest.json is missing"


def _corrupt_manifest(folder: Path) -> str:
    (folder / MANIFEST).write_text('{"format": "quoteattr-manifest/1", "files": [')
    return "quoteattr-manifest.json is not a valid quoteattr manifest"


def _escape_manifest(folder: Path) -> str:
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["../outside"] = {"size": 1, "sha256": "0" * 64}
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return "a path outside the folder"


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def _pickle_listed(folder: Path) -> str:
    (folder / "weights.bin").write_bytes(pickle.dumps(_Boom(), protocol=4))
    _relist(folder)
    return "weights.bin is refused because it is a pickle"


def _pickle_suffix(folder: Path) -> str:
    (folder / "model.joblib").write_bytes(b"not even a pickle")
    _relist(folder)
    return "model.joblib is refused because its name ends in '.joblib'"


def _torch_in_msgpack(folder: Path) -> str:
    # What torch.save writes (a zip with data.pkl), embedded in a component's msgpack file
    # the way thinc's PyTorchShim and spacy-transformers store weights.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"w": 1}))
    import srsly

    (folder / "trf").mkdir()
    (folder / "trf" / "model").write_bytes(srsly.msgpack_dumps({"config": {}, "state": buf.getvalue()}))
    _relist(folder)
    return "model is refused because it holds a torch.save archive (member 'archive/data.pkl')"


def _symlink(folder: Path) -> str:
    target = folder.parent / "elsewhere.json"
    target.write_text("{}")
    (folder / "meta.json").unlink()
    (folder / "meta.json").symlink_to(target)
    return "meta.json is a symbolic link"


def _sourced(folder: Path) -> str:
    cfg = folder / "config.cfg"
    cfg.write_text(cfg.read_text().replace(
        'factory = "quoteattr_quote_marks"', 'source = "/somewhere/else"'))
    _relist(folder)
    return "is sourced from '/somewhere/else'"


TAMPERING = [_truncate, _flip_a_byte, _grow, _delete, _add_file, _no_manifest, _corrupt_manifest,
             _escape_manifest, _pickle_listed, _pickle_suffix, _torch_in_msgpack, _symlink, _sourced]


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.__name__.strip("_") for t in TAMPERING])
def test_a_damaged_or_unsafe_pipeline_folder_is_refused_naming_the_file(tmp_path, tamper):
    folder = _saved(tmp_path)
    words = tamper(folder)
    with pytest.raises(ModelLoadError) as err:
        quoteattr.load(folder)
    assert words in str(err.value)
    assert str(folder) in str(err.value)  # the file is named with its folder
    assert str(folder.resolve()) not in api._cache


def test_a_rewritten_manifest_is_caught_by_the_pinned_digest(tmp_path):
    folder = tmp_path / "pipeline"
    digest = quoteattr.save(quoteattr.load("rules"), folder)
    _flip_a_byte(folder)
    _relist(folder)  # consistent again: only the digest from a trusted channel can tell
    with pytest.raises(ModelLoadError, match="does not have the SHA-256 you gave"):
        quoteattr.load(folder, sha256=digest)


def test_save_refuses_a_component_that_writes_a_pickle(tmp_path):
    import spacy
    from spacy.language import Language

    class Pickler:
        def __call__(self, doc):
            return doc

        def to_disk(self, path, exclude=()):
            Path(path).mkdir(parents=True, exist_ok=True)
            (Path(path) / "state.pkl").write_bytes(pickle.dumps({"a": 1}))

        def from_disk(self, path, exclude=()):
            return self

    if "quoteattr_test_pickler" not in Language.factories:
        Language.factory("quoteattr_test_pickler", func=lambda nlp, name: Pickler())
    nlp = spacy.blank("ar")
    nlp.add_pipe("quoteattr_test_pickler")
    with pytest.raises(InputValueError, match="state.pkl.*refuses pickled files"):
        quoteattr.save(nlp, tmp_path / "p")
    shutil.rmtree(tmp_path / "p")
