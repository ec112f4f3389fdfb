"""Stress figures for the reliability promises: the same answer, bounded memory, nothing lost.

    python benchmarks/reliability.py threads [--articles 200] [--threads 8]
    python benchmarks/reliability.py peak                      # peak RSS by text size and pipeline
    python benchmarks/reliability.py stream [--rules 20000] [--default 3000] [--every 1000] [--baseline]
    python benchmarks/reliability.py fuzz [--articles 2000] [--bad 0.02]

- **threads**: corpus articles through ``attribute_quotes`` on the default pipeline, once
  sequentially and once from a pool of threads; prints how many outputs differ (must be 0).
- **peak**: each size (10 k, 100 k, 1 M, 2 M characters) of corpus prose and of ``«`` in a
  fresh process per pipeline; prints the peak RSS and the RSS of the loaded pipeline alone.
- **stream**: RSS while one process attributes a stream of corpus articles, sampled every
  ``--every`` articles, for the rules and the default pipeline, each in a fresh process; with
  ``--baseline`` each stream runs again with the heap never trimmed (``TRIM_EVERY`` off).
- **fuzz**: writes ``--articles`` corpus articles as files, corrupts ``--bad`` of them (bad
  encodings, binary, empty, truncated or hostile JSON Lines, a 3 MB file), runs
  ``quoteattr run --n-process 2`` over them and kills one worker mid-run, then checks: every
  good document written (the same output as a clean run on the good files alone), every bad
  one named, exit status 1, no process left behind.

Everything is printed; nothing is asserted here (machines are shared; the tests assert
behaviour, this measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def articles(n: int, seed: int = 7) -> list[tuple[str, str]]:
    from quoteattr.evaluation.corpus import Corpus

    corpus = Corpus()
    pool = [(a["id"], a["content"]) for a in corpus.iter_articles() if a["content"].strip()]
    random.Random(seed).shuffle(pool)
    return pool[:n]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cmd_threads(args: argparse.Namespace) -> None:
    import quoteattr

    texts = [t for _, t in articles(args.articles)]
    subjects = ["السعودية", "إيران", "الحكومة"]

    def run(text: str) -> str:
        return json.dumps([q.to_dict() for q in quoteattr.attribute_quotes(text, subjects)], ensure_ascii=False)

    quoteattr.load()
    t0 = time.perf_counter()
    sequential = [run(t) for t in texts]
    t1 = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        threaded = list(pool.map(run, texts))
    t2 = time.perf_counter()
    again = [run(t) for t in texts[:20]]
    differ = sum(a != b for a, b in zip(sequential, threaded))
    print(f"threads: {len(texts)} articles, default pipeline, subjects {subjects}")
    print(f"  sequential {t1 - t0:.1f} s, {args.threads} threads {t2 - t1:.1f} s")
    print(f"  outputs that differ between the threaded and the sequential run: {differ}")
    print(f"  a second sequential run of 20 differs in {sum(a != b for a, b in zip(sequential, again))}")


PEAK_CHILD = """
import resource, sys, quoteattr
kind, size, pipeline = sys.argv[1], int(sys.argv[2]), sys.argv[3]
quoteattr.load(pipeline)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if kind == "marks":
    text = "«" * size
else:
    from quoteattr.evaluation.corpus import Corpus
    parts, n = [], 0
    for a in Corpus().iter_articles(["2015-07-21", "2015-07-22"]):
        parts.append(a["content"]); n += len(a["content"]) + 1
        if n >= size:
            break
    text = "\\n".join(parts)[:size]
import time
t = time.perf_counter()
quotes = quoteattr.attribute_quotes(text, pipeline=pipeline)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{base:.0f} {peak:.0f} {time.perf_counter() - t:.1f} {len(quotes)}")
"""


def cmd_peak(args: argparse.Namespace) -> None:
    print("| pipeline | text | characters | loaded MB | peak MB | peak - loaded, bytes/char | seconds | quotes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for pipeline in args.pipelines:
        for kind in ("prose", "marks"):
            for size in args.sizes:
                out = subprocess.run([sys.executable, "-c", PEAK_CHILD, kind, str(size), pipeline],
                                     capture_output=True, text=True, timeout=3600)
                if out.returncode != 0:
                    print(f"| {pipeline} | {kind} | {size:,} | failed: {out.stderr.strip()[-200:]} |")
                    continue
                base, peak, secs, n = out.stdout.split()
                per = (float(peak) - float(base)) * 2**20 / size
                print(f"| {pipeline} | {kind} | {size:,} | {base} | {peak} | {per:,.0f} | {secs} | {n} |", flush=True)


def cmd_stream(args: argparse.Namespace) -> None:
    for pipeline, n in (("rules", args.rules), ("default", args.default)):
        if n <= 0:
            continue
        for trim in ([True, False] if args.baseline else [True]):
            # a fresh process for each run, so that one run's heap is not the next one's
            subprocess.run([sys.executable, __file__, "stream-one", pipeline, str(n), str(args.every),
                            "trim" if trim else "no-trim"], check=True)


def cmd_stream_one(args: argparse.Namespace) -> None:
    import quoteattr
    import quoteattr.api

    if args.trim == "no-trim":
        quoteattr.api.TRIM_EVERY = 10**12  # the baseline: the heap is never trimmed
    label = f"every {quoteattr.api.TRIM_EVERY} documents" if args.trim == "trim" else "never (baseline)"
    trim, spent = quoteattr.api.trim_heap, [0.0, 0]

    def timed_trim() -> bool:
        t = time.perf_counter()
        try:
            return trim()
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += 1

    quoteattr.api.trim_heap = timed_trim
    quoteattr.load(args.pipeline)
    print(f"stream, pipeline {args.pipeline}, heap trimmed {label}: RSS after load {rss_mb():.0f} MB",
          flush=True)
    t0 = time.perf_counter()
    for k, (_, text) in enumerate(articles(args.n, seed=11), 1):
        quoteattr.attribute_quotes(text, pipeline=args.pipeline)
        if k % args.every == 0:
            nlp = quoteattr.load(args.pipeline)
            print(f"  {k:>6,} articles: RSS {rss_mb():,.0f} MB, vocabulary {len(nlp.vocab):,} words, "
                  f"{time.perf_counter() - t0:,.0f} s ({spent[0]:.1f} s in {spent[1]} trims)", flush=True)


def _corrupt(folder: Path, names: list[str], rng: random.Random) -> dict[str, str]:
    """Replace ``names`` with bad inputs; return name -> what was done."""
    kinds = ["latin-1", "binary", "empty", "truncated-jsonl", "hostile-jsonl", "big"]
    done = {}
    for k, name in enumerate(names):
        kind = kinds[k % len(kinds)]
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.unlink()
        if kind == "latin-1":
            path.write_bytes(text.encode("utf-8")[:200] + b"\xe9\xff\xfe")
        elif kind == "binary":
            path.write_bytes(os.urandom(4096))
        elif kind == "empty":
            path.write_bytes(b"")
        elif kind == "truncated-jsonl":
            path = path.with_suffix(".jsonl")
            path.write_text(json.dumps({"id": name, "text": text}, ensure_ascii=False)[: len(text) // 2], encoding="utf-8")
        elif kind == "hostile-jsonl":
            path = path.with_suffix(".jsonl")
            path.write_text('{"id": "n", "text": ' + "9" * 6000 + "}\n" + "[" * 100_000 + "\n", encoding="utf-8")
        else:
            path.write_text(("كلمة " * 700_000)[:3_000_000], encoding="utf-8")  # a 3 MB file
        done[path.name] = kind
    return done


def _run(inputs: Path, out: Path, kill_after: float | None) -> tuple[int, str, bool]:
    cmd = [sys.executable, "-m", "quoteattr", "run", "--n-process", "2", "-q", "-o", str(out), str(inputs)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    killed = False
    children: list[int] = []
    if kill_after is not None:
        time.sleep(kill_after)
        children = _children(proc.pid)
        # the pool's workers, not multiprocessing's resource tracker
        workers = sorted(p for p in children if b"resource_tracker" not in _cmdline(p))
        if workers:
            os.kill(workers[-1], signal.SIGKILL)
            killed = True
    _, err = proc.communicate()
    for _ in range(50):  # the tracker and the workers exit just after the parent
        left = [p for p in children if _alive(p)]
        if not left:
            break
        time.sleep(0.1)
    return proc.returncode, err, killed and not left


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _children(pid: int) -> list[int]:
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                stat = Path(f"/proc/{p}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(p))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmd_fuzz(args: argparse.Namespace) -> None:
    rng = random.Random(3)
    work = Path(tempfile.mkdtemp(prefix="quoteattr-fuzz-"))
    try:
        inputs, good = work / "inputs", work / "good"
        inputs.mkdir()
        for k, (_, text) in enumerate(articles(args.articles, seed=5)):
            (inputs / f"{k:05d}.txt").write_text(text, encoding="utf-8")
        names = sorted(p.name for p in inputs.iterdir())
        bad = _corrupt(inputs, rng.sample(names, max(6, int(len(names) * args.bad))), rng)
        shutil.copytree(inputs, good)
        for name in bad:
            (good / name).unlink()
        t0 = time.perf_counter()
        code, err, clean_kill = _run(inputs, work / "out.jsonl", kill_after=args.kill_after)
        t1 = time.perf_counter()
        ref_code, ref_err, _ = _run(good, work / "ref.jsonl", kill_after=None)
        t2 = time.perf_counter()

        def lines(path: Path, root: Path) -> list[str]:
            return sorted(line.replace(str(root), "<dir>") for line in path.read_text(encoding="utf-8").splitlines())

        same = lines(work / "out.jsonl", inputs) == lines(work / "ref.jsonl", good)
        named = [name for name in bad if name not in err]
        print(f"fuzz: {len(names)} files, {len(bad)} corrupted ({', '.join(sorted(set(bad.values())))}), "
              "quoteattr run --n-process 2, one worker killed mid-run")
        print(f"  run with the bad files and the kill: exit {code}, {t1 - t0:.0f} s; worker killed and no "
              f"process left: {clean_kill}")
        print(f"  the run noticed the death and restarted its workers: {'worker process died' in err}")
        print(f"  clean run on the good files alone: exit {ref_code}, {t2 - t1:.0f} s")
        print(f"  output identical to the clean run: {same}")
        print(f"  bad files not named in the messages: {named or 'none'}")
        print("  messages: " + " | ".join(line for line in err.splitlines() if "failed" in line)[:1500])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("threads")
    p.add_argument("--articles", type=int, default=200)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(func=cmd_threads)
    p = sub.add_parser("peak")
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 2_000_000])
    p.add_argument("--pipelines", nargs="+", default=["rules", "default"])
    p.set_defaults(func=cmd_peak)
    p = sub.add_parser("stream")
    p.add_argument("--rules", type=int, default=20_000)
    p.add_argument("--default", type=int, default=3_000)
    p.add_argument("--every", type=int, default=1000)
    p.add_argument("--baseline", action="store_true", help="run each stream again with the heap never trimmed")
    p.set_defaults(func=cmd_stream)
    p = sub.add_parser("stream-one", help=argparse.SUPPRESS)
    p.add_argument("pipeline")
    p.add_argument("n", type=int)
    p.add_argument("every", type=int)
    p.add_argument("trim", choices=["trim", "no-trim"])
    p.set_defaults(func=cmd_stream_one)
    p = sub.add_parser("fuzz")
    p.add_argument("--articles", type=int, default=2000)
    p.add_argument("--bad", type=float, default=0.02)
    p.add_argument("--kill-after", type=float, default=40.0, help="seconds before a worker is killed")
    p.set_defaults(func=cmd_fuzz)
    args = ap.parse_args()
    args.func(args)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
