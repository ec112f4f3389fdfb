"""Corpus scale: streaming pipe, the CLI's inputs/outputs/progress/summary, to_pandas, Dask."""

import csv
import io
import itertools
import json
import re
import subprocess
import sys
import warnings
from importlib import resources

import pytest

import quoteattr
from quoteattr.cli import main
from quoteattr.tabular import PANDAS_DTYPES, QUOTE_COLUMNS, quote_row

NEWS = resources.files("quoteattr").joinpath("examples", "news.txt").read_text(encoding="utf-8")
PARAGRAPHS = [p for p in NEWS.split("\n\n") if p.strip()]


def documents(n):
    """n realistic documents: rotating windows of the example's paragraphs."""
    return [{"id": f"doc-{i}", "text": "\n\n".join(PARAGRAPHS[i % len(PARAGRAPHS):][:3])} for i in range(n)]


def with_bad(docs):
    docs = list(docs)
    docs[3] = {"id": "none", "text": None}
    docs[7] = {"id": "number", "text": 42}
    docs.insert(11, {"id": "no-text"})
    return docs


# --- pipe ------------------------------------------------------------------------------

@pytest.mark.parametrize("n_process", [1, 2])
def test_pipe_reads_its_input_lazily(n_process):
    """Memory stays flat: pipe pulls only a bounded number of records ahead of its output."""
    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield {"id": str(i), "text": f"وقال المدير {i} إن العمل مستمر."}

    stream = quoteattr.pipe(endless(), pipeline="rules", batch_size=4, n_process=n_process)
    first = list(itertools.islice(stream, 6))
    stream.close()
    assert [r.id for r in first] == [str(i) for i in range(6)]
    assert all(len(r.quotes) == 1 for r in first)
    assert pulled <= 4 * (2 * n_process + 2)


def test_pipe_keeps_order_and_survives_bad_documents_with_two_processes():
    docs = with_bad(documents(60))
    seq = list(quoteattr.pipe(docs, pipeline="rules", batch_size=5))
    par = list(quoteattr.pipe(docs, pipeline="rules", batch_size=5, n_process=2))
    assert [r.to_dict() for r in par] == [r.to_dict() for r in seq]
    assert [r.id for r in par] == [d["id"] for d in docs]
    errors = {r.id: r.error.type for r in par if not r.ok}
    assert errors == {"none": "InputTypeError", "number": "InputTypeError", "no-text": "InputTypeError"}
    assert sum(len(r.quotes) for r in par) > 100


def test_pipe_with_two_processes_survives_a_record_that_cannot_be_sent_to_a_worker():
    import threading

    docs = documents(6)
    docs[2] = {"id": "lock", "text": threading.Lock()}  # cannot be pickled
    results = list(quoteattr.pipe(docs, pipeline="rules", batch_size=2, n_process=2))
    assert [r.id for r in results] == [d["id"] for d in docs]
    assert results[2].error.type == "InputTypeError"
    assert results[3].ok and results[3].to_dict() == next(
        iter(quoteattr.pipe([docs[3]], pipeline="rules"))).to_dict()


# --- CLI -------------------------------------------------------------------------------

def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def jsonl_out(text):
    return [json.loads(line) for line in text.splitlines()]


def test_cli_reads_folders_globs_and_stdin(tmp_path, capsys, monkeypatch):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text(PARAGRAPHS[1], encoding="utf-8")
    (tmp_path / "a" / "deep" / "two.txt").write_text(PARAGRAPHS[3], encoding="utf-8")
    (tmp_path / "a" / "notes.md").write_text("وقال الوزير إن هذا لا يقرأ.", encoding="utf-8")
    write_jsonl(tmp_path / "b.jsonl", documents(3))
    assert main(["run", "-q", str(tmp_path / "a")]) == 0
    ids = [q["doc_id"] for q in jsonl_out(capsys.readouterr().out)]
    assert set(ids) == {str(tmp_path / "a" / "deep" / "two.txt"), str(tmp_path / "a" / "one.txt")}

    assert main(["run", "-q", str(tmp_path / "**" / "*.txt"), str(tmp_path / "*.jsonl")]) == 0
    ids = [q["doc_id"] for q in jsonl_out(capsys.readouterr().out)]
    assert ids[0].endswith("two.txt") and "doc-2" in ids and not any(i.endswith(".md") for i in ids)

    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"key": "k1", "content": PARAGRAPHS[1]},
                                                             ensure_ascii=False) + "\n"))
    assert main(["run", "-q", "--input-format", "jsonl", "--text-field", "content",
                 "--id-field", "key", "-"]) == 0
    quotes = jsonl_out(capsys.readouterr().out)
    assert {q["doc_id"] for q in quotes} == {"k1"}
    assert any(q["speaker"]["name"] == "وزير الصحة خالد العمري" for q in quotes)


def test_cli_csv_and_parquet_hold_the_same_quotes_as_jsonl(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in.jsonl"
    write_jsonl(src, documents(8))
    assert main(["run", "-q", str(src)]) == 0
    expected = [{"doc_id": q["doc_id"], **quote_row(q["doc_id"], quoteattr.Quote.from_dict(q))}
                for q in jsonl_out(capsys.readouterr().out)]
    assert len(expected) > 15

    assert main(["run", "-q", str(src), "-o", str(tmp_path / "out.csv")]) == 0
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == QUOTE_COLUMNS
    assert [r["text"] for r in rows] == [e["text"] for e in expected]
    assert [int(r["start"]) for r in rows] == [e["start"] for e in expected]
    assert [r["speaker_name"] for r in rows] == [e["speaker_name"] or "" for e in expected]
    assert [json.loads(r["stances"]) for r in rows] == [e["stances"] for e in expected]

    assert main(["run", "-q", str(src), "--format", "parquet", "-o", str(tmp_path / "q.out")]) == 0
    assert pa.read_table(tmp_path / "q.out").to_pylist() == expected


def test_cli_summary_failures_and_exit_status(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    docs = with_bad(documents(20))
    write_jsonl(src, docs)
    assert main(["run", str(src), "--n-process", "2", "--batch-size", "3"]) == 1
    out, err = capsys.readouterr()
    with_quotes = [r.id for r in quoteattr.pipe(docs) if r.quotes]
    assert len(with_quotes) >= 14 and [q["doc_id"] for q in jsonl_out(out)] == [
        r.id for r in quoteattr.pipe(docs) for _ in r.quotes]
    assert "\r" not in err  # stderr is not a terminal: no progress bar
    lines = err.splitlines()
    assert sum("failed" in line for line in lines) == 3
    assert any("document no-text failed" in line and "'text' field" in line for line in lines)
    assert any("document number failed: InputTypeError" in line for line in lines)
    # the summary first, then one line per failed document
    assert lines[0].startswith("quoteattr: 21 documents, ") and " 3 errors in " in lines[0]
    assert "docs/s" in lines[0]
    assert all("failed" in line for line in lines[1:])


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_cli_progress_bar_on_a_terminal(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, documents(30))
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert main(["run", str(src), "-o", str(tmp_path / "out.jsonl")]) == 0
    shown = term.getvalue()
    last_bar = shown.split("\r")[-1].splitlines()[0]
    assert "100%" in last_bar and "30/30" in last_bar and re.search(r"\d+ quotes, 0 errors", last_bar)
    assert shown.rstrip().splitlines()[-1].startswith("quoteattr: 30 documents")
    term.truncate(0)
    term.seek(0)
    assert main(["run", "-q", str(src), "-o", str(tmp_path / "out.jsonl")]) == 0
    assert term.getvalue() == ""


@pytest.mark.parametrize("argv, message", [
    (["run", "NOPE*.txt"], "no files match"),
    (["run", "--format", "parquet", "README.md"], "needs a file"),
    (["run", "{empty}"], "no .txt/.jsonl/.ndjson files in the folder"),
])
def test_cli_user_errors_are_one_line_with_status_2(argv, message, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    argv = [a.replace("{empty}", str(tmp_path / "empty")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_cli_as_a_pipe_writes_only_jsonl_to_stdout():
    line = json.dumps({"id": "x", "text": PARAGRAPHS[0]}, ensure_ascii=False)
    out = subprocess.run([sys.executable, "-m", "quoteattr", "run", "--input-format", "jsonl", "-"],
                         input=line + "\n", capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    assert [q["doc_id"] for q in jsonl_out(out.stdout)] == ["x", "x"]
    assert "\r" not in out.stderr and out.stderr.startswith("quoteattr: 1 document, 2 quotes, 0 errors")


# --- to_pandas -------------------------------------------------------------------------

def test_to_pandas_one_row_per_quote_and_an_error_row_per_failure():
    pytest.importorskip("pandas")
    docs = with_bad(documents(10))
    results = list(quoteattr.pipe(docs, pipeline="rules"))
    with pytest.warns(UserWarning, match="3 document"):
        df = quoteattr.to_pandas(results)
    assert {c: str(t) for c, t in df.dtypes.items()} == {c: str(t) for c, t in
                                                         df.astype(PANDAS_DTYPES).dtypes.items()}
    ok = df[df.error_type.isna()]
    assert len(ok) == sum(len(r.quotes) for r in results)
    texts = {d["id"]: d.get("text") for d in docs}
    for row in ok.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text
    errors = df[df.error_type.notna()]
    assert list(errors.doc_id) == ["none", "number", "no-text"] and errors.text.isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quotes = quoteattr.attribute_quotes(PARAGRAPHS[1], pipeline="rules")
        single = quoteattr.to_pandas(quotes)
    assert len(quotes) >= 2 and list(single.text) == [q.text for q in quotes]
    assert set(single.speaker_name) == {"وزير الصحة خالد العمري"} and single.doc_id.isna().all()
    with pytest.raises(quoteattr.InputTypeError):
        quoteattr.to_pandas(["not a result"])


# --- Dask ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c, distributed.Client(c) as client:
        yield c, client


def test_dask_bag_on_a_two_process_cluster_equals_sequential(cluster):
    import dask.bag as db

    from quoteattr.dask import attribute_bag

    _, client = cluster
    docs = with_bad(documents(40))
    seq = [r.to_dict() for r in quoteattr.pipe(docs, pipeline="rules")]
    bag = db.from_sequence(docs, npartitions=6)
    got = attribute_bag(bag, pipeline="rules").compute(scheduler=client)
    assert [r.to_dict() for r in got] == seq
    loaded = client.run(lambda: sorted(__import__("quoteattr").api._cache))
    assert len(loaded) == 2 and all(v == ["rules"] for v in loaded.values())
    strings = attribute_bag(db.from_sequence([PARAGRAPHS[1]] * 3, npartitions=2), pipeline="rules")
    assert [r.id for r in strings.compute(scheduler=client)] == ["0:0", "0:1", "1:0"]


def test_dask_dataframe_on_a_two_process_cluster_equals_to_pandas(cluster):
    import dask.dataframe as dd
    import pandas as pd

    from quoteattr.dask import attribute_dataframe

    _, client = cluster
    docs = documents(30)
    docs[5]["text"] = None
    pdf = pd.DataFrame({"key": [d["id"] for d in docs], "body": [d["text"] for d in docs]})
    ddf = dd.from_pandas(pdf, npartitions=4)
    got = attribute_dataframe(ddf, text_column="body", id_column="key", pipeline="rules").compute(
        scheduler=client)
    with pytest.warns(UserWarning):
        expected = quoteattr.to_pandas(quoteattr.pipe(docs, pipeline="rules"))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    assert got[got.doc_id == "doc-5"].error_type.tolist() == ["InputTypeError"]
    with pytest.raises(quoteattr.InputValueError, match="not a column"):
        attribute_dataframe(ddf, text_column="text")


def test_cli_on_a_dask_scheduler_equals_local_run(cluster, tmp_path, capsys):
    c, _ = cluster
    src = tmp_path / "in.jsonl"
    write_jsonl(src, with_bad(documents(25)))
    assert main(["run", "-q", str(src), "--pipeline", "rules"]) == 1
    local = capsys.readouterr()
    assert main(["run", "-q", str(src), "--pipeline", "rules", "--batch-size", "4",
                 "--dask-scheduler", c.scheduler_address]) == 1
    remote = capsys.readouterr()
    assert remote.out == local.out and len(remote.out.splitlines()) > 40
    assert remote.err == local.err and remote.err.count("failed") == 3

