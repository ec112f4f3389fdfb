"""The ``quoteattr`` command line.

    quoteattr demo                                  # the embedded example, as a table
    quoteattr run FILE|DIR|GLOB ... [-]             # plain text or JSON Lines in, JSON Lines out
    quoteattr run --n-process 2 -o quotes.parquet --html show.html articles/
    quoteattr run --dask-scheduler tcp://10.0.0.5:8786 -o quotes.csv 'wire/*.jsonl'
    quoteattr run --format table --subject حماس news.txt
    quoteattr evaluate benchmarks/gold/test.jsonl [--pipeline rules --pipeline default] [--errors] [--json]
    quoteattr train OUT --encoder ENCODER_FOLDER [--silver N] [--max-steps N]
    quoteattr serve [--host 127.0.0.1] [--port 8000] [--pipeline rules] [--workers N]  # the serve extra

User errors print one line on stderr and exit with status 2; documents that fail inside a
batch are reported with their id, the others are still processed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import csv
import glob
import io
import json
import sys
import textwrap
import time
from collections import deque
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from . import __version__
from .api import DocResult, pipe
from .errors import QuoteAttrError
from .types import Quote

_TEXT_SUFFIXES = (".txt",)
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_GLOB_CHARS = set("*?[")


def _expand_inputs(inputs: list[str], input_format: str) -> list[str]:
    """Files, directories (every .txt/.jsonl/.ndjson below, sorted), globs and ``-``."""
    wanted = {"auto": _TEXT_SUFFIXES + _JSONL_SUFFIXES, "text": _TEXT_SUFFIXES,
              "jsonl": _JSONL_SUFFIXES}[input_format]
    paths: list[str] = []
    for item in inputs:
        p = Path(item)
        if item == "-" or p.is_file():
            paths.append(item)
        elif p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in wanted)
            if not found:
                raise QuoteAttrError(f"no {'/'.join(wanted)} files in the folder {item}")
            paths.extend(found)
        elif _GLOB_CHARS & set(item):
            found = sorted(f for f in glob.glob(item, recursive=True) if Path(f).is_file())
            if not found:
                raise QuoteAttrError(f"no files match {item}")
            paths.extend(found)
        else:
            raise QuoteAttrError(f"no such file: {item}")
    return paths


def _read_records(paths: list[str], input_format: str, text_field: str = "text",
                  id_field: str = "id") -> Iterator[dict]:
    """The documents of every input, in order; an input that cannot be read (not UTF-8, not
    JSON, a folder that vanished) becomes a record with ``_error``, named by its path (and
    line), and the inputs after it are still read."""
    for path in paths:
        if path == "-":
            stdin = getattr(sys.stdin, "buffer", None)  # a replaced stdin may be text only
            if stdin is None:
                stdin = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
            yield from _records_from(stdin, "stdin", input_format, text_field, id_field)
            continue
        try:
            fh = open(path, "rb")
        except OSError as exc:
            yield {"id": path, "text": None, "_error": f"cannot be read: {exc.strerror or exc}"}
            continue
        with fh:
            yield from _records_from(fh, path, input_format, text_field, id_field)


def _format_of(name: str, input_format: str) -> str:
    if input_format != "auto":
        return input_format
    return "jsonl" if name.lower().endswith(_JSONL_SUFFIXES) else "text"


def _decode(data: bytes, where: str) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, why)`` for bytes that are not UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte {exc.start:,} of {where} is {data[exc.start:exc.start + 1]!r})"


def _records_from(fh: BinaryIO, name: str, input_format: str, text_field: str = "text",
                  id_field: str = "id") -> Iterator[dict]:
    if _format_of(name, input_format) == "text":
        data = fh.read()
        text, why = _decode(data, "the file") if data else (None, "the file is empty")
        yield {"id": name, "text": text} if why is None else {"id": name, "text": None, "_error": why}
        return
    lines = 0
    for lineno, raw in enumerate(fh, 1):
        lines += 1
        where = f"{name}:{lineno}"
        line, why = _decode(raw, "the line")
        if line is None:
            yield {"id": where, "text": None, "_error": why}
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"id": where, "text": None, "_error": f"not JSON: {exc}"}
            continue
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting too deep
            yield {"id": where, "text": None, "_error": f"not usable JSON: {type(exc).__name__}: {exc}"[:300]}
            continue
        doc_id = obj.get(id_field) if isinstance(obj, dict) else None
        doc_id = where if doc_id is None else str(doc_id)
        if not isinstance(obj, dict) or text_field not in obj:
            yield {"id": doc_id, "text": None, "_error": f"a JSON line needs a {text_field!r} field"}
            continue
        yield {"id": doc_id, "text": obj[text_field]}
    if lines == 0 and name != "stdin":
        yield {"id": name, "text": None, "_error": "the file is empty"}


def _count_documents(paths: list[str], input_format: str) -> int | None:
    """How many documents the inputs hold (for the progress bar), None when unknown."""
    total = 0
    for path in paths:
        if path == "-":
            return None
        if _format_of(path, input_format) == "text":
            total += 1
            continue
        try:
            with open(path, "rb") as fh:
                total += sum(1 for line in fh if line.strip())
        except OSError:
            total += 1
    return total


TABLE_WIDTH = 100


def _table(result: DocResult, out: TextIO) -> None:
    out.write(f"# {result.id}\n")
    if not result.quotes:
        out.write("  (no quotations)\n")
    for q in result.quotes:
        speaker = q.speaker.name if q.speaker else "?"
        via = f" (via {q.speaker.text})" if q.speaker and q.speaker.resolved else ""
        cue = q.cue.text if q.cue else "-"
        out.write(f"  [{q.kind:8}] {speaker}{via} | {cue} | {q.start}:{q.end}\n")
        # A long quotation is wrapped, each line indented under its heading.
        for line in textwrap.wrap(" ".join(q.text.split()), TABLE_WIDTH - 13) or [""]:
            out.write(f"             {line}\n")
        if q.stances:
            stances = "، ".join(f"{s.subject} {s.label} {s.score:.2f}" for s in q.stances)
            out.write(f"             stance: {stances}\n")


class _Writer:
    """Writes the quotations of each result: JSON Lines, CSV, Parquet or a table."""

    def __init__(self, fmt: str, output: str) -> None:
        self.fmt = fmt
        self._rows: list[dict] = []
        self._parquet: Any = None
        self.out: TextIO = sys.stdout
        if fmt == "parquet":
            if output == "-":
                raise QuoteAttrError("Parquet output needs a file: add --output OUT.parquet")
            try:
                import pyarrow.parquet as pq
            except ImportError:
                raise QuoteAttrError('Parquet output needs pyarrow: pip install "quoteattr[parquet]"') from None
            from .tabular import arrow_schema

            self._schema = arrow_schema()
            self._parquet = pq.ParquetWriter(output, self._schema)
            return
        self.out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8", newline="")
        if fmt == "csv":
            from .tabular import QUOTE_COLUMNS

            self._csv = csv.DictWriter(self.out, fieldnames=QUOTE_COLUMNS)
            self._csv.writeheader()

    def write(self, result: DocResult) -> None:
        if self.fmt == "table":
            _table(result, self.out)
        elif self.fmt == "jsonl":
            for q in result.quotes:
                self.out.write(json.dumps({"doc_id": result.id, **q.to_dict()}, ensure_ascii=False) + "\n")
        else:
            from .tabular import quote_row

            rows = [quote_row(result.id, q) for q in result.quotes]
            if self.fmt == "csv":
                for row in rows:
                    row["stances"] = json.dumps(row["stances"], ensure_ascii=False)
                    self._csv.writerow(row)
            else:
                self._rows.extend(rows)
                if len(self._rows) >= 10_000:
                    self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        self._parquet.write_table(pa.Table.from_pylist(self._rows, schema=self._schema))
        self._rows = []

    def close(self) -> None:
        if self._parquet is not None:
            if self._rows:
                self._flush()
            self._parquet.close()
        elif self.out is not sys.stdout:
            self.out.close()
        else:
            self.out.flush()


class _Progress:
    """The progress bar of ``quoteattr run`` on a terminal (tqdm): documents, rate, time left,
    quotes and errors. It starts with the first result, so the rate leaves out the time the
    pipeline takes to load."""

    def __init__(self, stream: TextIO, total: int | None, enabled: bool) -> None:
        self.stream, self.total, self.enabled = stream, total, enabled
        self.start = time.monotonic()
        self.bar: Any = None

    def update(self, docs: int, quotes: int, errors: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit="doc", file=self.stream, dynamic_ncols=True,
                            mininterval=0.2, smoothing=0.1)
        self.bar.update(docs - self.bar.n)
        self.bar.set_postfix_str(f"{_plural(quotes, 'quote')}, {_plural(errors, 'error')}", refresh=False)

    def close(self, docs: int, quotes: int, errors: int) -> None:
        if self.bar is not None:
            self.bar.update(docs - self.bar.n)
            self.bar.close()  # ends its line, also when interrupted
            self.bar = None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def cmd_run(args: argparse.Namespace) -> int:
    paths = _expand_inputs(args.inputs, args.input_format)
    fmt = args.format or _format_for_output(args.output)
    writer = _Writer(fmt, args.output)
    bad_lines: dict[str, str] = {}
    # Texts of the documents in flight, in input order, for the HTML page: results come
    # back in the same order, so this holds only the documents not yet returned.
    texts: deque = deque()

    def records() -> Iterator[dict]:
        for record in _read_records(paths, args.input_format, args.text_field, args.id_field):
            if "_error" in record:
                bad_lines[record["id"]] = record.pop("_error")
            if args.html:
                texts.append(record["text"])
            yield record

    if args.dask_scheduler:
        from .dask import pipe as dask_pipe

        results = dask_pipe(records(), scheduler=args.dask_scheduler, subjects=args.subject or None,
                            pipeline=args.pipeline, batch_size=args.batch_size)
    else:
        results = pipe(records(), subjects=args.subject or None, pipeline=args.pipeline,
                       n_process=args.n_process, batch_size=args.batch_size)
    tty = sys.stderr.isatty() and not args.quiet
    progress = _Progress(sys.stderr, _count_documents(paths, args.input_format) if tty else None, tty)
    failed: list[DocResult] = []
    shown: list[tuple[str, str, tuple[Quote, ...]]] = []
    docs = quotes = 0
    try:
        for result in results:
            docs += 1
            quotes += len(result.quotes)
            text = texts.popleft() if args.html else ""
            if result.error is not None:
                failed.append(result)
            else:
                writer.write(result)
                if args.html and len(shown) < args.html_limit:
                    shown.append((result.id, text, result.quotes))
            progress.update(docs, quotes, len(failed))
    finally:
        progress.close(docs, quotes, len(failed))
        writer.close()
    elapsed = time.monotonic() - progress.start
    if args.html:
        from .visualize import render_documents

        Path(args.html).write_text(render_documents(shown, title=f"quoteattr: {len(shown)} of {docs:,} documents"),
                                   encoding="utf-8")
    if not args.quiet:
        print(f"quoteattr: {_plural(docs, 'document')}, {_plural(quotes, 'quote')}, "
              f"{_plural(len(failed), 'error')} in {elapsed:,.1f} s ({docs / max(elapsed, 1e-9):,.1f} docs/s)",
              file=sys.stderr)
    for r in failed:
        assert r.error is not None
        why = bad_lines.get(r.id) or f"{r.error.type}: {r.error.message}"
        print(f"quoteattr: document {r.id} failed: {why}", file=sys.stderr)
    return 1 if failed else 0


def _format_for_output(output: str) -> str:
    suffix = Path(output).suffix.lower()
    return {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(suffix, "jsonl")


def cmd_demo(args: argparse.Namespace) -> int:
    text = (resources.files("quoteattr") / "examples" / "news.txt").read_text(encoding="utf-8")
    print(text)
    for result in pipe([{"id": "example", "text": text}], pipeline=args.pipeline):
        _table(result, sys.stdout)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, format_summary
    from .evaluation.scorer import format_comparison, iter_error_lines

    pipelines = args.pipeline or ["default"]
    reports = [evaluate(args.gold, pipeline=p, corpus_dir=args.corpus_dir) for p in pipelines]
    if args.json:
        strip = (lambda r: r) if args.errors else (lambda r: {k: v for k, v in r.items() if k != "errors"})
        out = strip(reports[0]) if len(reports) == 1 else [strip(r) for r in reports]
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for name, report in zip(pipelines, reports):
        print(format_summary(report, name))
        if args.errors:
            for line in iter_error_lines(report):
                print(line)
    if len(reports) > 1:
        print()
        print(format_comparison(pipelines, reports))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .training.train import main as train_main

    return train_main(args.train_args)


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    try:
        from . import serve
    except ImportError as exc:
        raise QuoteAttrError(f'quoteattr serve needs the serve extra ({exc.name or exc} is missing): '
                             'pip install "quoteattr[serve]"') from None
    from .api import _check_pipeline

    token = args.token if args.token is not None else (os.environ.get(serve.TOKEN_ENV) or None)
    serve.check_exposure(args.host, token)  # before the pipeline loads: a refusal is at once
    limits = {k: getattr(args, k) for k in ("max_chars", "max_batch", "max_bytes") if getattr(args, k) is not None}
    config = serve.ServeConfig(pipeline=_check_pipeline(args.pipeline), token=token, workers=args.workers,
                               cors_origins=tuple(args.cors_origin or ()), **limits)
    serve.run(config, host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _port(value: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {n}")
    return n


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1 (the message names the option)."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="quoteattr", description="Quotation attribution for Arabic text.")
    ap.add_argument("--version", action="version", version=f"quoteattr {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="attribute quotes in files, folders, globs (plain text or JSON Lines) or stdin")
    run.add_argument("inputs", nargs="+",
                     help="files, folders (every .txt/.jsonl/.ndjson below), globs, or - for stdin")
    run.add_argument("--input-format", choices=("auto", "text", "jsonl"), default="auto",
                     help="auto: .jsonl/.ndjson files are JSON Lines with id and text, others plain text")
    run.add_argument("--text-field", default="text", help="the text field of JSON Lines input (default: text)")
    run.add_argument("--id-field", default="id", help="the id field of JSON Lines input (default: id)")
    run.add_argument("--format", choices=("jsonl", "csv", "parquet", "table"), default=None,
                     help="output format (default: from the --output suffix, else jsonl); parquet needs pyarrow")
    run.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    run.add_argument("--html", metavar="OUT.html", help="also write a right-to-left HTML page of the results")
    run.add_argument("--html-limit", type=_positive, default=100, metavar="N",
                     help="documents shown in the HTML page, the first N (default: 100)")
    run.add_argument("--subject", action="append", help="a subject to give stance toward (repeatable)")
    run.add_argument("--pipeline", default="default", help="default, rules, or a pipeline folder")
    run.add_argument("--n-process", type=_positive, default=1, help="worker processes (default: 1)")
    run.add_argument("--batch-size", type=_positive, default=64, help="documents per batch (default: 64)")
    run.add_argument("--dask-scheduler", metavar="ADDRESS",
                     help="run on a Dask cluster (tcp://host:8786); needs the dask extra")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="run on the embedded example text and print a table")
    demo.add_argument("--pipeline", default="default")
    demo.set_defaults(func=cmd_demo)

    ev = sub.add_parser(
        "evaluate", help="score a pipeline on a stand-off gold file",
        description="Score pipelines on a stand-off gold file (ids and offsets into the "
                    "SaudiNewsNet corpus, e.g. benchmarks/gold/test.jsonl): quotation P/R/F1 with "
                    "overlap and exact spans, speaker accuracy, stance macro-F1, speed. The article "
                    "texts are read from the corpus folder: --corpus-dir, else $QUOTEATTR_CORPUS_DIR, "
                    "else ../shared/corpora/saudinewsnet.")
    ev.add_argument("gold", help="a stand-off gold file (JSON Lines)")
    ev.add_argument("--pipeline", action="append",
                    help="default, rules, or a pipeline folder; repeat it to compare pipelines in one run "
                         "(default: default)")
    ev.add_argument("--corpus-dir", default=None, metavar="DIR",
                    help="the SaudiNewsNet folder with the daily .zip files")
    ev.add_argument("--errors", action="store_true", help="list missed, spurious and misattributed quotes")
    ev.add_argument("--json", action="store_true", help="print the whole report as JSON")
    ev.set_defaults(func=cmd_evaluate)

    sv = sub.add_parser(
        "serve", help="an HTTP API and a web page on this machine (needs the serve extra)",
        description="Serve the JSON API (POST /v1/attribute, POST /v1/attribute/batch, GET /v1/health, "
                    "GET /v1/info; docs at /docs) and a web page at /. Listens on 127.0.0.1 unless told "
                    "otherwise; any other address needs a token (--token or $QUOTEATTR_TOKEN), which "
                    "every API call must then send as 'Authorization: Bearer <token>'. Needs "
                    'pip install "quoteattr[serve]".')
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sv.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    sv.add_argument("--pipeline", default="default", help="default, rules, or a pipeline folder (default: default)")
    sv.add_argument("--workers", type=_positive, default=1,
                    help="worker processes, each loading the pipeline once (default: 1)")
    sv.add_argument("--token", default=None,
                    help="bearer token every API call must send (default: $QUOTEATTR_TOKEN; prefer the "
                         "variable: a command line is visible to other users of the machine)")
    sv.add_argument("--max-chars", type=_positive, metavar="N",
                    help="longest document in characters (default: 100,000)")
    sv.add_argument("--max-batch", type=_positive, metavar="N",
                    help="most documents in one batch request (default: 64)")
    sv.add_argument("--max-bytes", type=_positive, metavar="N",
                    help="largest request body in bytes (default: 8 MiB)")
    sv.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                    help="an origin allowed to call the API from a browser, e.g. https://newsroom.example "
                         "(repeatable; default: none, CORS off)")
    sv.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                    help="uvicorn's log level (default: info)")
    sv.set_defaults(func=cmd_serve)

    tr = sub.add_parser("train", add_help=False,
                        help="train the transformer layer (quoteattr train --help for its options)")
    tr.add_argument("train_args", nargs=argparse.REMAINDER)
    tr.set_defaults(func=cmd_train)
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:  # its own parser: every option after "train" is its own
        args = argparse.Namespace(func=cmd_train, train_args=argv[1:])
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except QuoteAttrError as exc:
        print(f"quoteattr: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("quoteattr: interrupted", file=sys.stderr)
        return 130
    except UnicodeDecodeError as exc:
        print(f"quoteattr: input is not UTF-8 text: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path that cannot be read or written: a user error, one line
        where = f": {exc.filename}" if exc.filename else ""
        print(f"quoteattr: {' '.join(str(exc.strerror or exc).split())}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
