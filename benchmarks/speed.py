"""Throughput and scaling of attribute_quotes, with baselines measured in the same run.

    python benchmarks/speed.py [--articles 300] [--corpus-dir DIR] [--other-python PATH]

Prints, for each pipeline, chars/s and docs/s over a fixed sample of corpus articles, beside
the bare ``spacy.blank("ar")`` tokenizer and a bare regex scan for quotation marks (as
ratios to them), and for the default pipeline beside its encoder alone: the Hugging Face
model's forward pass over the same texts cut into 128-piece windows (wordpieces made
beforehand, not timed), and spacy-transformers' ``transformer`` component (wordpieces,
strided windows, alignment); the first call in a fresh interpreter (import and one short
text) beside ``import spacy; spacy.blank("ar")``, median of 3 interleaved runs, and the same for
the rule pipeline in ``--other-python`` (say a venv with spacy, regex, attrs and quoteattr
installed ``--no-deps``, without torch); then time per character for one text repeated to
1k ... 1M characters (the default pipeline to 100k). Rows of the rule pipeline are the best of
3 runs, rows of the default pipeline (tens of seconds each) one run. About 3 minutes on a
2-core machine. Figures only: nothing here asserts a wall-clock limit.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import regex
import spacy

import quoteattr
from quoteattr.evaluation.corpus import Corpus

MARKS = regex.compile(r'[«»“”"‹›]')


def sample(corpus: Corpus, n: int) -> list[str]:
    """Every k-th non-empty article of the first day files: fixed, spread over newspapers."""
    texts = [a["content"] for a in corpus.iter_articles(corpus.days()[:2]) if a["content"].strip()]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def timed(fn, texts: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return best


FIRST_CALLS = {
    "import spacy; spacy.blank('ar')": "import spacy; spacy.blank('ar')",
    "first call, pipeline=rules": "import quoteattr; quoteattr.attribute_quotes('قال الوزير إن الخطة ناجحة.', pipeline='rules')",
    "first call, pipeline=default": "import quoteattr; quoteattr.attribute_quotes('قال الوزير إن الخطة ناجحة.')",
}


def first_calls(python: str = sys.executable, names: tuple[str, ...] = tuple(FIRST_CALLS),
                repeat: int = 3) -> dict[str, float]:
    """Seconds from a fresh ``python``'s start to the end of each snippet, median of
    ``repeat`` interleaved runs."""
    runs: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            t = time.perf_counter()
            subprocess.run([python, "-c", FIRST_CALLS[name]], check=True, capture_output=True)
            runs[name].append(time.perf_counter() - t)
    return {name: statistics.median(v) for name, v in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--corpus-dir")
    ap.add_argument("--other-python", help="also time the first calls of the rule pipeline in this interpreter")
    args = ap.parse_args()
    texts = sample(Corpus(args.corpus_dir), args.articles)
    chars = sum(map(len, texts))
    print(f"sample: {len(texts)} articles, {chars:,} characters (best of 3 runs)\n")
    blank = spacy.blank("ar")
    base = {
        "regex scan for marks": timed(lambda t: MARKS.findall(t), texts),
        'spacy.blank("ar") tokenizer': timed(blank.make_doc, texts),
    }
    rows = list(base.items())
    nlp = quoteattr.load("rules")
    # The cost of each layer: the same pipeline up to each component (in pipeline order; a
    # component needs the ones before it), the rest switched off.
    names = list(nlp.pipe_names)
    for k in range(1, len(names)):
        with nlp.select_pipes(disable=names[k:]):
            rows.append((f"rules: up to {names[k - 1]}", timed(nlp, texts)))
    for name in quoteattr.PIPELINES:
        quoteattr.load(name)
        rows.append((f"attribute_quotes pipeline={name}", timed(lambda t, name=name: quoteattr.attribute_quotes(t, pipeline=name),
                                                               texts, 3 if name == "rules" else 1)))
    subjects = ["السعودية", "إيران", "الهلال"]
    rows.append((f"  ... with subjects={len(subjects)}",
                 timed(lambda t: quoteattr.attribute_quotes(t, subjects, pipeline="rules"), texts)))
    # Batches: quoteattr.pipe (one DocResult per text, failures isolated) against spaCy's own
    # nlp.pipe over the same pipeline (no checks, no result objects).
    for name, repeat in (("rules", 3), ("default", 1)):
        spacy_nlp = quoteattr.load(name)
        rows.append((f"quoteattr.pipe pipeline={name}",
                     timed(lambda f: f(), [lambda name=name: list(quoteattr.pipe(texts, pipeline=name))], repeat)))
        rows.append((f"nlp.pipe(batch_size=64) pipeline={name}",
                     timed(lambda f: f(), [lambda n=spacy_nlp: [d._.quotes for d in n.pipe(texts, batch_size=64)]],
                           repeat)))
    default = quoteattr.load("default")
    rows.append(("default: rules part only (no transformer)",
                 timed(lambda t: default(t, disable=["transformer", "speaker_linker", "stance_classifier"]), texts)))
    trf = default.get_pipe("transformer")
    rows.append(("default: transformer component alone", timed(lambda t: trf(default.make_doc(t)), texts, 1)))
    forward = encoder_forward(trf, texts)
    rows.append(("default: bare encoder forward pass", timed(lambda f: f(), [forward], 1)))
    tok = base['spacy.blank("ar") tokenizer']
    rx = base["regex scan for marks"]
    print(f"{'what':40} {'chars/s':>12} {'docs/s':>9} {'x tokenizer':>12} {'x regex':>9}")
    for name, sec in rows:
        print(f"{name:40} {chars / sec:12,.0f} {len(texts) / sec:9,.1f} {sec / tok:12.2f} {sec / rx:9.1f}")

    secs = dict(rows)
    bare = secs["default: bare encoder forward pass"]
    print(f"\ndefault pipeline / bare encoder forward pass: "
          f"{secs['attribute_quotes pipeline=default'] / bare:.2f}")
    for name in ("rules", "default"):
        print(f"quoteattr.pipe throughput / nlp.pipe throughput, {name}: "
              f"{secs[f'nlp.pipe(batch_size=64) pipeline={name}'] / secs[f'quoteattr.pipe pipeline={name}']:.2f}")
    print(f"rules pipeline / tokenizer (time): {secs['attribute_quotes pipeline=rules'] / tok:.2f}")
    print(f"default pipeline / rules pipeline: "
          f"{secs['attribute_quotes pipeline=default'] / secs['attribute_quotes pipeline=rules']:.2f}")

    starts = first_calls()
    bare_start = starts["import spacy; spacy.blank('ar')"]
    print(f"\nfirst call in a fresh interpreter (median of 3)\n{'what':40} {'seconds':>9} {'x bare spaCy':>13}")
    for name, sec in starts.items():
        print(f"{name:40} {sec:9.2f} {sec / bare_start:13.2f}")
    if args.other_python:
        other = first_calls(args.other_python, ("import spacy; spacy.blank('ar')", "first call, pipeline=rules"))
        other_bare = other["import spacy; spacy.blank('ar')"]
        print(f"in {args.other_python}:")
        for name, sec in other.items():
            print(f"{name:40} {sec:9.2f} {sec / other_bare:13.2f}")

    unit = max(texts, key=len)
    for pipeline, sizes in (("rules", (1_000, 10_000, 100_000, 1_000_000)), ("default", (1_000, 10_000, 100_000))):
        print(f"\nscaling: one article repeated to a given length, {pipeline} pipeline")
        print(f"{'chars':>10} {'seconds':>9} {'us/char':>9}")
        for size in sizes:
            text = (unit + "\n") * (size // (len(unit) + 1) + 1)
            text = text[:size]
            sec = timed(lambda t, pipeline=pipeline: quoteattr.attribute_quotes(t, pipeline=pipeline), [text],
                        repeat=1 if size >= 100_000 else 3)
            print(f"{size:>10,} {sec:9.3f} {sec / size * 1e6:9.2f}")


def encoder_forward(trf, texts: list[str], window: int = 128):
    """A function running the bare Hugging Face encoder over ``texts`` cut into windows of
    ``window`` wordpieces, batched 8 windows at a time (the wordpieces are made here, untimed)."""
    import torch

    hf, tokenizer = trf.model.transformer, trf.model.tokenizer
    ids = []
    for t in texts:
        pieces = tokenizer(t, add_special_tokens=False)["input_ids"]
        for k in range(0, max(1, len(pieces)), window - 2):
            ids.append([tokenizer.cls_token_id, *pieces[k : k + window - 2], tokenizer.sep_token_id])
    batches = []
    for k in range(0, len(ids), 8):
        group = ids[k : k + 8]
        width = max(map(len, group))
        batches.append((torch.tensor([g + [0] * (width - len(g)) for g in group]),
                        torch.tensor([[1] * len(g) + [0] * (width - len(g)) for g in group])))

    def run() -> None:
        with torch.no_grad():
            for input_ids, mask in batches:
                hf(input_ids=input_ids, attention_mask=mask)

    return run


if __name__ == "__main__":
    main()
