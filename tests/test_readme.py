"""Every example of the README runs as printed and prints what the README says it prints.

Python blocks are saved as scripts and run in a fresh interpreter (as a user would save and
run them: a missing ``if __name__ == "__main__":`` guard fails here as it would there). A
block's trailing ``# ...`` lines are its expected output, compared word by word (pandas'
column padding of Arabic text is not part of the promise). The command-line examples run in
a folder holding the files they name, written here with our own sentences.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
PYTHON = [code for lang, code in BLOCK.findall(README) if lang == "python"]
BASH = [code for lang, code in BLOCK.findall(README) if lang == "bash"]

SENTENCES = [
    "وقال وزير الصحة خالد العمري إن الحملة ستبدأ غدا.",
    "وأكدت الوزارة أن المدارس ستفتح أبوابها الأحد المقبل.",
    "وقال المتحدث: «لن نقبل بأي تأخير في المشروع».",
]


def expected_output(code: str) -> list[list[str]]:
    """The trailing comment lines of a block, as lists of words."""
    lines = code.rstrip("\n").split("\n")
    out: list[str] = []
    while lines and lines[-1].startswith("#"):
        out.insert(0, lines.pop()[1:].strip())
    return [line.split() for line in out]


def run_python(code: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    script = cwd / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def _label(code: str) -> str:
    first = next(line for line in code.splitlines() if line and not line.startswith(("import", "from")))
    return first[:40]


def test_the_readme_has_its_examples():
    assert len(PYTHON) >= 8
    assert all(expected_output(code) for code in PYTHON if "write_text" not in code)


@pytest.mark.parametrize("code", PYTHON, ids=[_label(c) for c in PYTHON])
def test_python_example_runs_and_prints_what_the_readme_says(code, tmp_path):
    if "dask" in code:
        pytest.importorskip("distributed")
    if "to_pandas" in code:
        pytest.importorskip("pandas")
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    got = [line.split() for line in done.stdout.rstrip("\n").split("\n")] if done.stdout.strip() else []
    assert got == expected_output(code)
    if "show.html" in code:
        page = (tmp_path / "show.html").read_text(encoding="utf-8")
        assert 'dir="rtl"' in page and "الخطة جاهزة" in page


UNGUARDED = textwrap.dedent("""
    import quoteattr

    records = [{"id": "a1", "text": "وقالت الوزارة إن المدارس ستفتح."}] * 4
    for result in quoteattr.pipe(records, n_process=2):
        print(result.id)
""")


def test_pipe_without_the_main_guard_raises_a_clear_error(tmp_path):
    done = run_python(UNGUARDED, tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("quoteattr.errors.PipelineError: ") and 'if __name__ == "__main__":' in last
    assert "a1" not in done.stdout


def _cli_examples() -> list[str]:
    """The `quoteattr run` / `evaluate` lines of the README's bash blocks."""
    lines = []
    for code in BASH:
        for line in code.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith(("quoteattr run", "cat ")):
                lines.append(line)
            elif line.startswith("quoteattr evaluate benchmarks/gold/test.jsonl --errors"):
                lines.append(line)
    return lines


CLI = _cli_examples()


def _inputs(folder: Path) -> None:
    """The files the README's command lines name."""
    for name in ("article.txt", "a.txt", "b.txt"):
        (folder / name).write_text("\n".join(SENTENCES), encoding="utf-8")
    with open(folder / "docs.jsonl", "w", encoding="utf-8") as fh:
        for i, text in enumerate(SENTENCES):
            fh.write(json.dumps({"id": f"doc{i}", "text": text}, ensure_ascii=False) + "\n")
    (folder / "articles" / "2015").mkdir(parents=True)
    for i, text in enumerate(SENTENCES):
        (folder / "articles" / "2015" / f"{i}.txt").write_text(text, encoding="utf-8")
    (folder / "wire" / "2015-01").mkdir(parents=True)
    (folder / "wire" / "2015-01" / "day.jsonl").write_text((folder / "docs.jsonl").read_text("utf-8"), "utf-8")
    (folder / "benchmarks").symlink_to(ROOT / "benchmarks")


def test_the_readme_has_its_command_lines():
    assert len(CLI) >= 7


@pytest.mark.parametrize("line", CLI)
def test_command_line_example_runs(line, tmp_path):
    if "parquet" in line:
        pytest.importorskip("pyarrow")
    corpus = os.environ.get("QUOTEATTR_CORPUS_DIR") or str(ROOT.parent / "shared" / "corpora" / "saudinewsnet")
    if "evaluate" in line and not Path(corpus).is_dir():
        pytest.skip("the evaluation needs the SaudiNewsNet corpus")
    _inputs(tmp_path)
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONIOENCODING": "utf-8"}
    env["QUOTEATTR_CORPUS_DIR"] = corpus
    done = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = shlex.split(line)
    if "-o" in out:
        written = tmp_path / out[out.index("-o") + 1]
        assert written.stat().st_size > 0
        if written.suffix == ".jsonl":
            assert {json.loads(x)["doc_id"] for x in written.read_text("utf-8").splitlines()}
    elif "evaluate" in line:
        assert "overlap" in done.stdout
    else:
        assert "الحملة ستبدأ غدا" in done.stdout
    if "--html" in out:
        assert "الحملة ستبدأ غدا" in (tmp_path / out[out.index("--html") + 1]).read_text("utf-8")
