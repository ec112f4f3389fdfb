"""Same answer every time, bounded memory, nothing lost (issue 14), each with a reproducer."""

from __future__ import annotations

import io
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import quoteattr
from quoteattr import api
from quoteattr.cli import main as cli_main
from quoteattr.errors import ModelLoadError, PipelineError

SENTENCES = [
    "وقال وزير الصحة خالد العمري إن الحملة ستبدأ غدا في جميع المدن.",
    "وأكدت الوزارة في بيان أن اللقاحات متوفرة، مشيرة إلى أن الإقبال كبير.",
    "«لن نتراجع عن دعم المدارس» قال رئيس البلدية عمر السالم في مؤتمر صحفي.",
    "وانتقد النائب سامي الحربي الحكومة، وقال إن قرارها الأخير يضر بالمزارعين.",
]


def as_json(quotes) -> str:
    return json.dumps([q.to_dict() for q in quotes], ensure_ascii=False, sort_keys=True)


def corpus_texts(n: int) -> list[str]:
    from quoteattr.evaluation.corpus import Corpus, default_corpus_dir

    if not default_corpus_dir().is_dir():
        pytest.skip("the SaudiNewsNet corpus is not at hand")
    out = []
    for a in Corpus().iter_articles(["2015-07-22"]):
        if 1500 < len(a["content"]) < 4000:
            out.append(a["content"])
        if len(out) == n:
            return out
    return out


def test_threads_give_the_default_pipeline_the_same_answers_as_a_sequential_run():
    texts = corpus_texts(12) * 2
    sequential = [as_json(quoteattr.attribute_quotes(t, ["السعودية", "إيران"])) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda t: as_json(quoteattr.attribute_quotes(t, ["السعودية", "إيران"])), texts))
    assert threaded == sequential


def test_a_long_text_is_read_by_the_transformer_in_segments_with_exact_offsets(monkeypatch):
    text = "\n".join(SENTENCES * 3)
    whole = quoteattr.attribute_quotes(text)
    monkeypatch.setattr(api, "SEGMENT_CHARS", 150)  # several segments, cut at line breaks
    pieces = quoteattr.attribute_quotes(text)
    assert [q.text for q in pieces] == [q.text for q in whole]
    for q in pieces:
        assert text[q.start:q.end] == q.text
        assert text[q.cue.start:q.cue.end] == q.cue.text
        assert text[q.speaker.start:q.speaker.end] == q.speaker.text


def test_segments_cover_the_text_and_respect_the_size():
    text = "كلمة " * 50 + "\n" + "«" * 300 + "\nآخر"
    parts = list(api.segments(text, 64))
    assert "".join(text[s:e] for s, e in parts) == text
    assert all(e - s <= 64 for s, e in parts)


def test_the_cached_pipeline_is_replaced_when_its_vocabulary_grows(monkeypatch):
    before = quoteattr.load("rules")
    want = as_json(quoteattr.attribute_quotes(SENTENCES[0], pipeline="rules"))
    monkeypatch.setattr(api, "VOCAB_LIMIT", 10)
    got = as_json(quoteattr.attribute_quotes(SENTENCES[0] + " كلمات جديدة تماما هنا", pipeline="rules"))
    after = quoteattr.load("rules")
    assert after is not before and len(after.vocab) < len(before.vocab)
    assert as_json(quoteattr.attribute_quotes(SENTENCES[0], pipeline="rules")) == want
    assert got  # the call that triggered it still answered


def test_the_heap_is_trimmed_every_trim_every_documents_without_changing_answers(monkeypatch):
    want = [as_json(quoteattr.attribute_quotes(s, pipeline="rules")) for s in SENTENCES]
    calls = []
    monkeypatch.setattr(api, "TRIM_EVERY", 3)
    monkeypatch.setattr(api, "trim_heap", lambda: calls.append(1) or True)
    monkeypatch.setattr(api, "_documents", itertools.count())
    got = [as_json(quoteattr.attribute_quotes(s, pipeline="rules")) for s in SENTENCES * 3]
    assert len(calls) == 4  # after documents 3, 6, 9 and 12
    assert got == want * 3


def test_trim_heap_runs_where_the_c_library_has_it_and_is_a_no_op_elsewhere(monkeypatch):
    assert api.trim_heap() is (api._MALLOC_TRIM is not None)
    if sys.platform.startswith("linux") and os.path.exists("/lib/x86_64-linux-gnu/libc.so.6"):
        assert api._MALLOC_TRIM is not None  # glibc
    monkeypatch.setattr(api, "_MALLOC_TRIM", None)
    assert api.trim_heap() is False


def test_a_record_without_an_id_gets_its_position():
    results = list(quoteattr.pipe([{"id": None, "text": SENTENCES[0]}, {"text": SENTENCES[1]},
                                   {"id": "x", "text": SENTENCES[2]}], pipeline="rules"))
    assert [r.id for r in results] == ["0", "1", "x"]


def test_presentation_forms_are_read_as_the_letters_they_show():
    shaped = "ﻭﻗﺎﻝ ﺍﻟﻮﺯﻳﺮ ﺇﻥ ﺍﻟﺨﻄﺔ ﺟﺎﻫﺰﺓ."
    plain = "وقال الوزير إن الخطة جاهزة."
    got, want = quoteattr.attribute_quotes(shaped, pipeline="rules"), quoteattr.attribute_quotes(plain, pipeline="rules")
    assert [(q.start, q.end, q.kind) for q in got] == [(q.start, q.end, q.kind) for q in want]
    assert got[0].text == shaped[got[0].start:got[0].end] == "ﺍﻟﺨﻄﺔ ﺟﺎﻫﺰﺓ"
    assert got[0].cue.lemma == "قال"


def test_a_ligature_maps_back_to_whole_characters():
    from quoteattr.normalize import normalize_with_map, to_original

    norm, origin = normalize_with_map("ﻻ بد")  # ﻻ is لا
    assert norm == "لا بد"
    assert to_original(origin, 0, 1) == (0, 1)  # ل alone still covers the whole ligature


def test_spacys_own_multiprocess_pipe_fails_at_once_on_a_torch_pipeline():
    nlp = quoteattr.load("default")
    nlp(SENTENCES[0])
    with pytest.raises(PipelineError, match="quoteattr.pipe"):
        list(nlp.pipe(SENTENCES, n_process=2))
    assert len(list(nlp.pipe(SENTENCES))) == len(SENTENCES)  # one process is fine


def _die_on(marker):
    real = api._attribute_chunk
    parent = os.getpid()

    def chunk(items, pipeline, subjects=None):
        if any(text == marker for _, text in items):
            if os.getpid() == parent:
                raise AssertionError("the poisoned batch ran in the parent process")
            os._exit(1)  # as if the worker were killed
        return real(items, pipeline, subjects)

    # Sent to forked workers by reference: it must be found where pickle looks for it.
    chunk.__module__, chunk.__qualname__ = "quoteattr.api", "_attribute_chunk"
    return chunk


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers inherit the patch on Linux")
def test_a_document_that_kills_its_worker_is_named_and_nothing_else_is_lost(monkeypatch):
    monkeypatch.setattr(api, "_attribute_chunk", _die_on("DIE"))
    records = [{"id": f"d{i}", "text": SENTENCES[i % 4]} for i in range(30)]
    records.insert(17, {"id": "poison", "text": "DIE"})
    results = list(quoteattr.pipe(records, pipeline="rules", n_process=2, batch_size=4))
    assert [r.id for r in results] == [r["id"] for r in records]
    bad = [r for r in results if not r.ok]
    assert [(r.id, r.error.type) for r in bad] == [("poison", "WorkerDied")]
    assert all(r.quotes for r in results if r.ok)


WORKER_SCRIPT = textwrap.dedent("""
    import sys, quoteattr
    texts = ["وقال الوزير إن الخطة جاهزة."] * 100000
    if __name__ == "__main__":
        for r in quoteattr.pipe(texts, pipeline="rules", n_process=2, batch_size=2):
            pass
""")


@pytest.mark.skipif(sys.platform != "linux", reason="process ancestry is checked with /proc")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(WORKER_SCRIPT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)])
    kids: list[int] = []
    for _ in range(100):  # wait for the workers to start
        time.sleep(0.2)
        kids = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent_of(int(p)) == proc.pid]
        if len(kids) >= 2:
            break
    assert len(kids) >= 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(100):
        alive = [k for k in kids if _alive(k)]
        if not alive:
            break
        time.sleep(0.2)
    assert alive == []


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_bad_inputs_are_named_and_every_good_document_is_written(tmp_path, capsys):
    good = tmp_path / "a.jsonl"
    good.write_text("\n".join([
        json.dumps({"id": "g1", "text": SENTENCES[0]}, ensure_ascii=False),
        '{"id": "big", "text": ' + "9" * 5000 + "}",
        "[" * 100_000,
        json.dumps({"id": None, "text": SENTENCES[1]}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe not utf-8")
    (tmp_path / "c.txt").write_text(SENTENCES[3], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = cli_main(["run", "--pipeline", "rules", "-q", "-o", str(out),
                     str(good), str(tmp_path / "b.txt"), str(tmp_path / "c.txt")])
    err = capsys.readouterr().err
    assert code == 1
    ids = {json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert ids == {"g1", f"{good}:4", str(tmp_path / "c.txt")}
    assert f"{good}:2" in err and "digits" in err
    assert f"{good}:3" in err and "RecursionError" in err
    assert f"{tmp_path / 'b.txt'}" in err and "not UTF-8" in err


def _saved_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pipeline"
    quoteattr.save(quoteattr.load("rules"), folder)
    return folder


def _rewrite_manifest(folder: Path) -> None:
    from quoteattr.safeload import MANIFEST, _listed_files, _sha256

    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"] = {rel: {"size": (folder / rel).stat().st_size, "sha256": _sha256(folder / rel)}
                         for rel in _listed_files(folder)}
    (folder / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize("payload", ["legacy-torch", "protocol-0", "protocol-0-in-msgpack"])
def test_every_kind_of_pickle_in_a_saved_folder_is_refused_before_loading(tmp_path, payload):
    import pickle

    import srsly
    import torch

    folder = _saved_copy(tmp_path)
    if payload == "legacy-torch":
        buf = io.BytesIO()
        torch.save({"w": torch.zeros(2)}, buf, _use_new_zipfile_serialization=False)
        data = srsly.msgpack_dumps({"state": buf.getvalue()})
    elif payload == "protocol-0":
        data = pickle.dumps(os.getcwd, protocol=0)
    else:
        data = srsly.msgpack_dumps({"state": b"\x00\x01" + pickle.dumps(os.getcwd, protocol=0)})
    (folder / "quoteattr_stance" / "extra").parent.mkdir(exist_ok=True)
    (folder / "quoteattr_stance" / "extra").write_bytes(data)
    _rewrite_manifest(folder)
    with pytest.raises(ModelLoadError, match="pickle"):
        quoteattr.load(folder)


def test_torch_older_than_2_6_is_refused_for_loading_weights(monkeypatch):
    import torch

    monkeypatch.setattr(torch, "__version__", "2.5.1+cpu")
    with pytest.raises(ModelLoadError, match="older than 2.6"):
        api._build("default")
