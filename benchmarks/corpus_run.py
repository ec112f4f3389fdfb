"""The whole SaudiNewsNet folder through quoteattr: the CLI with 1 and 2 processes, and Dask.

    python benchmarks/corpus_run.py                 # all runs, then a Markdown table
    python benchmarks/corpus_run.py --runs cli2 --html benchmarks/out/corpus.html
    python benchmarks/corpus_run.py --limit 2000    # a quick look on part of the corpus

Runs (each in a fresh child process, measured from outside):

- ``cli1`` / ``cli2``: ``quoteattr run --n-process N`` on a JSON Lines export of the corpus;
- ``dask-cli``: the same CLI with ``--dask-scheduler`` on a LocalCluster of 2 worker
  processes (1 thread each) started by the child;
- ``dask-bag``: ``quoteattr.dask.attribute_bag`` on the same cluster, the articles read by
  the workers from the zip files (nothing goes through the client).

Peak memory is the largest sum over the whole process tree (the child and every process
it starts: pool workers, Dask scheduler, nannies and workers), sampled every 0.2 s: RSS
(counts pages shared by forked processes once per process) and PSS (shares them out).
The JSON Lines export is written to a temporary folder outside the project and deleted
afterwards (corpus licence: its text never enters the repository).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quoteattr.evaluation.corpus import Corpus  # noqa: E402

DASK_CLI = """
import sys
from distributed import LocalCluster
from quoteattr.cli import main
with LocalCluster(n_workers={workers}, threads_per_worker=1, processes=True,
                  dashboard_address=None) as cluster:
    sys.exit(main(["run", {src!r}, "-o", {out!r}, "--dask-scheduler", cluster.scheduler_address]))
"""

DASK_BAG = """
import sys, time
import dask.bag as db
from distributed import Client, LocalCluster
from quoteattr.dask import attribute_bag
from quoteattr.evaluation.corpus import Corpus

def articles(day):
    return [{{"id": a["id"], "text": a["content"]}} for a in Corpus({corpus!r}).iter_articles([day])]

with LocalCluster(n_workers={workers}, threads_per_worker=1, processes=True,
                  dashboard_address=None) as cluster, Client(cluster) as client:
    t = time.monotonic()
    days = Corpus({corpus!r}).days()
    bag = db.from_sequence(days, npartitions=len(days)).map(articles).flatten()
    if {limit}:
        bag = db.from_sequence(bag.take({limit}, npartitions=-1), npartitions=32)
    bag = bag.repartition(npartitions=64)
    counts = attribute_bag(bag).map(lambda r: (1, len(r.quotes), int(not r.ok))).fold(
        lambda a, b: tuple(x + y for x, y in zip(a, b)), initial=(0, 0, 0)).compute()
    s = time.monotonic() - t
    print(f"quoteattr: {{counts[0]:,}} documents, {{counts[1]:,}} quotes, {{counts[2]:,}} errors "
          f"in {{s:,.1f}} s ({{counts[0] / s:,.1f}} docs/s)", file=sys.stderr)
"""

SUMMARY = re.compile(r"quoteattr: ([\d,]+) documents, ([\d,]+) quotes, ([\d,]+) errors "
                     r"in ([\d,.]+) s \(([\d,.]+) docs/s\)")


def export(corpus: Corpus, path: Path, limit: int | None) -> tuple[int, int]:
    docs = chars = 0
    with open(path, "w", encoding="utf-8") as fh:
        for a in corpus.iter_articles():
            if limit and docs >= limit:
                break
            fh.write(json.dumps({"id": a["id"], "text": a["content"]}, ensure_ascii=False) + "\n")
            docs += 1
            chars += len(a["content"])
    return docs, chars


def measure(cmd: list[str], env: dict[str, str]) -> dict:
    """Run ``cmd``; its wall time, exit status, stderr and the peak memory of its tree."""
    peak = {"rss": 0, "pss": 0, "procs": 0}
    loads = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env=env)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        rss = pss = n = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            try:
                mem = p.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            rss, pss, n = rss + mem.rss, pss + mem.pss, n + 1
        peak = {"rss": max(peak["rss"], rss), "pss": max(peak["pss"], pss), "procs": max(peak["procs"], n)}
        loads.append(os.getloadavg()[0])
        time.sleep(0.2)
    proc.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reader.join()
    wall = time.monotonic() - start
    stderr = "".join(err)
    m = SUMMARY.search(stderr)
    if not m:
        raise SystemExit(f"no summary from {cmd}: rc={proc.returncode}\n{stderr[-3000:]}")
    docs, quotes, errors = (int(g.replace(",", "")) for g in m.groups()[:3])
    return {"rc": proc.returncode, "wall_s": wall, "run_s": float(m.group(4).replace(",", "")),
            "docs": docs, "quotes": quotes, "errors": errors, "peak_rss_mb": peak["rss"] / 2**20,
            "peak_pss_mb": peak["pss"] / 2**20, "processes": peak["procs"],
            # CPU seconds of the whole tree (every waited-for descendant), and the machine's
            # 1-minute load average during the run: other work on the machine shows up here.
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "mean_load": sum(loads) / max(len(loads), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", nargs="+", default=["cli1", "cli2", "dask-cli", "dask-bag"],
                    choices=["cli1", "cli2", "dask-cli", "dask-bag"])
    ap.add_argument("--corpus-dir", default=None)
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    ap.add_argument("--html", default=None, help="cli2 also writes this HTML page (first 20 docs)")
    ap.add_argument("--json", default=None, help="write the figures here as JSON")
    args = ap.parse_args()

    corpus = Corpus(args.corpus_dir)
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    rows = {}
    with tempfile.TemporaryDirectory(prefix="quoteattr-corpus-") as tmp:
        src, out = Path(tmp) / "corpus.jsonl", Path(tmp) / "quotes.jsonl"
        docs, chars = export(corpus, src, args.limit or None)
        print(f"corpus: {docs:,} articles, {chars:,} characters ({corpus.directory})", flush=True)
        for run in args.runs:
            py = [sys.executable]
            if run in ("cli1", "cli2"):
                cmd = py + ["-m", "quoteattr", "run", str(src), "-o", str(out),
                            "--n-process", run[-1]]
                if run == "cli2" and args.html:
                    cmd += ["--html", str(Path(args.html).resolve()), "--html-limit", "20"]
            elif run == "dask-cli":
                cmd = py + ["-c", DASK_CLI.format(workers=2, src=str(src), out=str(out))]
            else:
                cmd = py + ["-c", DASK_BAG.format(workers=2, corpus=str(corpus.directory),
                                                  limit=args.limit)]
            rows[run] = r = measure(cmd, env)
            print(f"{run}: {json.dumps(r)}", flush=True)

    print("\n| run | docs | quotes | errors | time (s) | docs/s | chars/s | peak RSS, tree (MB) "
          "| peak PSS, tree (MB) | processes | CPU s (tree) | load avg during | exit |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for run, r in rows.items():
        print(f"| {run} | {r['docs']:,} | {r['quotes']:,} | {r['errors']} | {r['run_s']:.1f} "
              f"(wall {r['wall_s']:.1f}) | {r['docs'] / r['run_s']:,.1f} | {chars / r['run_s']:,.0f} "
              f"| {r['peak_rss_mb']:,.0f} | {r['peak_pss_mb']:,.0f} | {r['processes']} "
              f"| {r['cpu_s']:.0f} | {r['mean_load']:.1f} | {r['rc']} |")
    if "cli1" in rows and "cli2" in rows:
        print(f"\n2-process / 1-process throughput: {rows['cli1']['run_s'] / rows['cli2']['run_s']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"docs": docs, "chars": chars, "runs": rows}, indent=1))


if __name__ == "__main__":
    main()
