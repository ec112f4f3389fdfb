"""The ``quoteattr`` command line.

    quoteattr demo                                  # the embedded example, as a table
    quoteattr run FILE [FILE ...] [-]               # plain text or JSON Lines in, JSON Lines out
    quoteattr run --format table --subject حماس news.txt
    quoteattr evaluate benchmarks/gold/test.jsonl [--pipeline rules] [--errors] [--json]

User errors print one line on stderr and exit with status 2; documents that fail inside a
batch are reported with their id, the others are still processed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Iterator, TextIO

from . import __version__
from .api import DocResult, pipe
from .errors import QuoteAttrError


def _read_records(paths: list[str], input_format: str) -> Iterator[dict]:
    for path in paths:
        if path == "-":
            yield from _records_from(sys.stdin, "stdin", input_format)
            continue
        p = Path(path)
        if not p.is_file():
            raise QuoteAttrError(f"no such file: {path}")
        with open(p, encoding="utf-8", errors="strict") as fh:
            yield from _records_from(fh, p.name, input_format)


def _records_from(fh: TextIO, name: str, input_format: str) -> Iterator[dict]:
    fmt = input_format
    if fmt == "auto":
        fmt = "jsonl" if name.endswith((".jsonl", ".ndjson")) else "text"
    if fmt == "text":
        yield {"id": name, "text": fh.read()}
        return
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"id": f"{name}:{lineno}", "text": None, "_error": f"not JSON: {exc}"}
            continue
        if not isinstance(obj, dict) or "text" not in obj:
            yield {"id": f"{name}:{lineno}", "text": None, "_error": "a JSON line needs a 'text' field"}
            continue
        yield {"id": str(obj.get("id", f"{name}:{lineno}")), "text": obj["text"]}


def _table(result: DocResult, out: TextIO) -> None:
    out.write(f"# {result.id}\n")
    if not result.quotes:
        out.write("  (no quotations)\n")
    for q in result.quotes:
        speaker = q.speaker.name if q.speaker else "?"
        via = f" (via {q.speaker.text})" if q.speaker and q.speaker.resolved else ""
        cue = q.cue.text if q.cue else "-"
        out.write(f"  [{q.kind:8}] {speaker}{via} | {cue} | {q.start}:{q.end} | {q.text}\n")


def cmd_run(args: argparse.Namespace) -> int:
    bad_lines: dict[str, str] = {}

    def records() -> Iterator[dict]:
        for record in _read_records(args.inputs, args.input_format):
            if "_error" in record:
                bad_lines[record["id"]] = record.pop("_error")
            yield record

    failed = []
    out = sys.stdout
    for result in pipe(records(), subjects=args.subject or None, pipeline=args.pipeline,
                       n_process=args.n_process):
        if result.error is not None:
            failed.append(result)
            continue
        if args.format == "table":
            _table(result, out)
        else:
            for q in result.quotes:
                out.write(json.dumps({"doc_id": result.id, **q.to_dict()}, ensure_ascii=False) + "\n")
    for r in failed:
        why = bad_lines.get(r.id) or f"{r.error.type}: {r.error.message}"
        print(f"quoteattr: document {r.id} failed: {why}", file=sys.stderr)
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    text = resources.files("quoteattr").joinpath("examples", "news.txt").read_text(encoding="utf-8")
    print(text)
    for result in pipe([{"id": "example", "text": text}], pipeline=args.pipeline):
        _table(result, sys.stdout)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, format_summary
    from .evaluation.scorer import iter_error_lines

    report = evaluate(args.gold, pipeline=args.pipeline, corpus_dir=args.corpus_dir)
    if args.json:
        print(json.dumps(report if args.errors else {k: v for k, v in report.items() if k != "errors"},
                         ensure_ascii=False, indent=1))
        return 0
    print(format_summary(report, args.pipeline))
    if args.errors:
        for line in iter_error_lines(report):
            print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="quoteattr", description="Quotation attribution for Arabic text.")
    ap.add_argument("--version", action="version", version=f"quoteattr {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="attribute quotes in files (plain text or JSON Lines) or stdin")
    run.add_argument("inputs", nargs="+", help="files, or - for stdin")
    run.add_argument("--input-format", choices=("auto", "text", "jsonl"), default="auto",
                     help="auto: .jsonl/.ndjson files are JSON Lines with id and text, others plain text")
    run.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    run.add_argument("--subject", action="append", help="a subject to give stance toward (repeatable)")
    run.add_argument("--pipeline", default="default", help="default, rules, or a pipeline folder")
    run.add_argument("--n-process", type=int, default=1)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="run on the embedded example text and print a table")
    demo.add_argument("--pipeline", default="default")
    demo.set_defaults(func=cmd_demo)

    ev = sub.add_parser("evaluate", help="score a pipeline on a stand-off gold file")
    ev.add_argument("gold")
    ev.add_argument("--pipeline", default="rules")
    ev.add_argument("--corpus-dir", default=None)
    ev.add_argument("--errors", action="store_true", help="list missed, spurious and misattributed quotes")
    ev.add_argument("--json", action="store_true", help="print the whole report as JSON")
    ev.set_defaults(func=cmd_evaluate)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except QuoteAttrError as exc:
        print(f"quoteattr: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except UnicodeDecodeError as exc:
        print(f"quoteattr: input is not UTF-8 text: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path that cannot be read or written: a user error, one line
        where = f": {exc.filename}" if exc.filename else ""
        print(f"quoteattr: {' '.join(str(exc.strerror or exc).split())}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
