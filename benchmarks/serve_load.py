"""A bounded load test of ``quoteattr serve`` on the loopback interface.

    python benchmarks/serve_load.py [--pipeline rules] [--seconds 120] [--clients 4]
                                    [--workers 1 2] [--max-requests 50000] [--articles 200]

For each worker count, starts ``quoteattr serve --workers N`` itself (a subprocess on
127.0.0.1, a free port, this checkout), waits for ``/v1/health``, sends each worker a few
warm-up requests, then runs ``--clients`` threads, each with its own keep-alive connection,
posting corpus articles (``POST /v1/attribute``) round-robin for ``--seconds`` or until
``--max-requests`` in all, whichever comes first; then stops the server. Prints, per worker
count: requests, requests/s, p50/p95/p99 latency, errors (any answer but 200, any failed
request), and the server's resident memory (the sum over its processes, read from /proc,
the peak of one sample a second). Right before each server run, the same articles go
through ``attribute_quotes`` in this process, one after another, for the in-process rate
the server's is compared with (a shared machine's speed drifts between runs). The clients run on the same machine as the server and share
its cores; the load average and CPU pressure printed with each measurement show whether
anything else was running. Figures only: nothing here asserts a limit. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx

import quoteattr
from quoteattr.evaluation.corpus import Corpus


def sample(corpus: Corpus, n: int, max_chars: int) -> list[str]:
    """Every k-th non-empty article of the first two day files (as benchmarks/speed.py)."""
    texts = [a["content"] for a in corpus.iter_articles(corpus.days()[:2])
             if a["content"].strip() and len(a["content"]) <= max_chars]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def in_process_rate(texts: list[str], pipeline: str, seconds: float) -> tuple[float, int]:
    """Documents per second of attribute_quotes in this process, one thread, over the
    articles round-robin for about ``seconds`` (at least one full pass)."""
    quoteattr.attribute_quotes(texts[0], pipeline=pipeline)  # load, not timed
    done, start = 0, time.perf_counter()
    for text in itertools.cycle(texts):
        quoteattr.attribute_quotes(text, pipeline=pipeline)
        done += 1
        if done >= len(texts) and time.perf_counter() - start >= seconds:
            break
    return done / (time.perf_counter() - start), done


def busy() -> str:
    """The machine's 1-minute load average and CPU pressure (what else is running shows here)."""
    load = Path("/proc/loadavg").read_text().split()[0]
    try:
        some = Path("/proc/pressure/cpu").read_text().split()[1].split("=")[1]
        return f"load {load}, cpu pressure {some}%"
    except (OSError, IndexError):
        return f"load {load}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB."""
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Server:
    def __init__(self, pipeline: str, workers: int, max_chars: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("QUOTEATTR_TOKEN", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "quoteattr", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--pipeline", pipeline, "--workers", str(workers), "--max-chars", str(max_chars),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait(self, limit: float = 300) -> float:
        start = time.monotonic()
        while time.monotonic() - start < limit:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited: {self.proc.stdout.read() if self.proc.stdout else ''}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=5).status_code == 200:
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer within {limit:.0f} s")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                for p in reversed(descendants(self.proc.pid)):
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
                self.proc.wait(30)
        return self.proc.stdout.read() if self.proc.stdout else ""


def load(url: str, bodies: list[bytes], clients: int, seconds: float, max_requests: int,
         server_pid: int) -> dict:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]
    issued = itertools.count()  # next() is atomic under the GIL
    stop = threading.Event()
    peak = [0.0]

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=120, headers={"Content-Type": "application/json"}) as http:
            for i in itertools.count(k * len(bodies) // clients):
                if stop.is_set() or next(issued) >= max_requests:
                    return
                t0 = time.perf_counter()
                try:
                    r = http.post("/v1/attribute", content=bodies[i % len(bodies)])
                    r.read()
                    if r.status_code != 200:
                        errors[k].append(f"HTTP {r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    errors[k].append(f"{type(exc).__name__}: {exc}")
                latencies[k].append(time.perf_counter() - t0)

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(server_pid))
            stop.wait(1.0)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    watcher = threading.Thread(target=watch, daemon=True)
    start = time.perf_counter()
    watcher.start()
    for t in threads:
        t.start()
    deadline = start + seconds
    while any(t.is_alive() for t in threads) and time.perf_counter() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    peak[0] = max(peak[0], rss_mb(server_pid))
    lat = sorted(x for per in latencies for x in per)
    errs = [e for per in errors for e in per]

    def pct(p: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else float("nan")

    return {"requests": len(lat), "elapsed": elapsed, "rps": len(lat) / elapsed, "p50": pct(50), "p95": pct(95),
            "p99": pct(99), "mean": 1000 * statistics.fmean(lat) if lat else float("nan"), "errors": len(errs),
            "error_examples": errs[:3], "rss": peak[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pipeline", default="rules", help="default, rules, or a folder (default: rules)")
    ap.add_argument("--seconds", type=float, default=120.0, help="length of each run (default: 120)")
    ap.add_argument("--max-requests", type=int, default=50_000, help="most requests per run (default: 50,000)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent client threads (default: 4)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to run (default: 1 2)")
    ap.add_argument("--articles", type=int, default=200, help="corpus articles posted round-robin (default: 200)")
    ap.add_argument("--max-chars", type=int, default=100_000, help="longest article used, and the server's limit")
    ap.add_argument("--in-process-seconds", type=float, default=None,
                    help="how long to time attribute_quotes in this process (default: min(--seconds, 60))")
    ap.add_argument("--corpus-dir", default=None)
    args = ap.parse_args()

    texts = sample(Corpus(args.corpus_dir), args.articles, args.max_chars)
    bodies = [json.dumps({"text": t}, ensure_ascii=False).encode("utf-8") for t in texts]
    chars = sum(len(t) for t in texts)
    print(f"quoteattr {quoteattr.__version__}, pipeline {args.pipeline}: {len(texts)} corpus articles, "
          f"{chars:,} characters (mean {chars / len(texts):,.0f}); {args.clients} client threads; runs of "
          f"{args.seconds:.0f} s or {args.max_requests:,} requests; {os.cpu_count()} CPU cores shared by the "
          "clients and the server; loopback only", flush=True)
    seconds = args.in_process_seconds if args.in_process_seconds is not None else min(args.seconds, 60.0)

    rows = []
    for workers in args.workers:
        # The in-process rate right before each run: a shared machine's speed drifts.
        before = busy()
        rate, n = in_process_rate(texts, args.pipeline, seconds)
        print(f"  in-process attribute_quotes (this process, one thread): {rate:,.1f} docs/s over {n:,} documents "
              f"(before: {before}; after: {busy()})", flush=True)
        server = Server(args.pipeline, workers, args.max_chars)
        try:
            startup = server.wait()
            with httpx.Client(base_url=server.url, timeout=120) as http:  # every worker loads and warms up
                for body in bodies[: 4 * workers]:
                    http.post("/v1/attribute", content=body, headers={"Content-Type": "application/json"})
            idle = rss_mb(server.proc.pid)
            r = load(server.url, bodies, args.clients, args.seconds, args.max_requests, server.proc.pid)
        finally:
            log = server.stop()
        r.update(workers=workers, startup=startup, idle=idle, inproc=rate)
        rows.append(r)
        print(f"  workers={workers}: {r['requests']:,} requests in {r['elapsed']:.1f} s, {r['errors']} errors "
              f"({busy()} at the end)"
              + (f" (e.g. {r['error_examples']})" if r["errors"] else "")
              + (f"; server log: {log.strip()[-500:]}" if "Traceback" in log else ""), flush=True)

    print()
    print("| workers | requests | req/s | p50 ms | p95 ms | p99 ms | errors | server RSS MB (idle / peak) "
          "| in-process docs/s | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['workers']} | {r['requests']:,} | {r['rps']:,.1f} | {r['p50']:,.0f} | {r['p95']:,.0f} | "
              f"{r['p99']:,.0f} | {r['errors']} | {r['idle']:,.0f} / {r['rss']:,.0f} | {r['inproc']:,.1f} | "
              f"{r['rps'] / r['inproc']:.2f} |")
    print(f"\nratio: the server's requests/s over attribute_quotes' docs/s in one thread of this process "
          f"({args.pipeline}, same articles), measured for {seconds:.0f} s right before each run")

if __name__ == "__main__":
    main()
