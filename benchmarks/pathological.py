"""Cost of attribute_quotes on pathological inputs, per character, at 10k, 100k and 1M characters.

    python benchmarks/pathological.py [--sizes 10000,100000,1000000] [--only NAME,...] [--repeats 3]

Every input is built here from short units written for this benchmark (no corpus text). For
each one the script prints CPU microseconds per character (``time.process_time``, best of 3
below 1M characters, one run at 1M: the machine is shared, and CPU time is what other
processes disturb least) at each size, the ratio of the largest
size's cost per character to the smallest's (about 1 when the cost grows linearly; 100 at
1M/10k would be quadratic), and the ratio to the baseline measured in the same run: ordinary
news-like prose of the same length. The bare ``spacy.blank("ar")`` tokenizer on that prose is
printed as a second reference. Figures only: nothing here asserts a wall-clock limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spacy  # noqa: E402

import quoteattr  # noqa: E402

PROSE = (
    "وقال وزير الزراعة سامي الخطيب إن الموسم سيكون جيدا هذا العام. "
    "وأضاف أن الأمطار كانت أغزر من المعتاد، مشيرا إلى أن الوزارة ستوزع البذور مجانا. "
    "من جهتها، أكدت نقابة المزارعين في بيان أن «الأسعار ما زالت مرتفعة». "
    "وبحسب تقرير للوزارة، فإن المساحات المزروعة زادت بنسبة ١٢٪ عن العام الماضي.\n"
)


def repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def half_open_half_close(n: int) -> str:
    return "«" * (n // 2) + "”" * (n - n // 2)


def deeply_nested(n: int) -> str:
    depth = n // 4
    return "قال الوزير: " + "«" * depth + "ن" * (n - 2 * depth - 12) + "»" * depth


def deeply_nested_spaced(n: int) -> str:
    depth = n // 8
    inner = "نعم " * max(1, (n - 4 * depth - 12) // 4)
    return ("قال الوزير: " + "« " * depth + inner + "» " * depth)[:n]


def one_paragraph(n: int) -> str:
    return repeat(PROSE.replace("\n", " "))(n)


INPUTS: dict[str, tuple[str, Callable[[int], str]]] = {
    "baseline: news-like prose": ("paragraphs of ordinary sentences", repeat(PROSE)),
    "unmatched « (no spaces)": ("«««« ...", repeat("«")),
    "unmatched « (spaced)": ("« « « ...", repeat("« ")),
    "alternating «»": ("«»«»«» ...", repeat("«»")),
    "alternating straight quotes": ('" " " ...', repeat('" ')),
    "« then stray ”": ("n/2 × « then n/2 × ”", half_open_half_close),
    "deeply nested «…» (no spaces)": ("n/4 × « + letters + n/4 × »", deeply_nested),
    "deeply nested « … » (spaced)": ("n/8 × '« ' + words + n/8 × '» '", deeply_nested_spaced),
    "one paragraph, no newline": ("prose with every newline removed", one_paragraph),
    "only cue words (وقال)": ("وقال وقال ...", repeat("وقال ")),
    "only attributive cues (بحسب)": ("بحسب الوزارة بحسب الوزارة ...", repeat("بحسب الوزارة ")),
    "run-on reported speech": ("الوزير يقول إن الوزير يقول إن ...", repeat("الوزير يقول إن ")),
    "cue + colon + open mark": ("وقال: « وقال: « ...", repeat("وقال: « ")),
    "mixed scripts and controls": (
        "diacritics, tatweel, digits, bidi marks, emoji, NUL",
        repeat("قــالَ\u200f «نعم\u202b😀» ٣٤5 \x00 Hello، "),
    ),
}


def cost(fn: Callable[[str], object], text: str, repeats: int) -> tuple[float, object]:
    """Best CPU time of ``repeats`` runs in microseconds per character, and the result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.process_time()
        out = fn(text)
        best = min(best, time.process_time() - t0)
    return best * 1e6 / len(text), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--only", default="", help="comma-separated input names (substrings)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size below 1M (best kept)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    nlp = quoteattr.load("rules")
    quoteattr.attribute_quotes(PROSE, pipeline="rules")  # warm the lexicon

    def run(t: str) -> object:
        return quoteattr.attribute_quotes(t, pipeline="rules")

    blank = spacy.blank("ar")
    prose = INPUTS["baseline: news-like prose"][1]
    reps = [args.repeats if n <= 100_000 else 1 for n in sizes]
    tok = [cost(blank.make_doc, prose(n), r)[0] for n, r in zip(sizes, reps)]
    print(f"pipeline: {nlp.pipe_names}")
    head = " | ".join(f"CPU µs/char at {n:,}" for n in sizes)
    print(f"| input | {head} | {sizes[-1]:,} ÷ {sizes[0]:,} | × baseline at {sizes[-1]:,} | quotes at {sizes[-1]:,} |")
    print("| --- " * (len(sizes) + 4) + "|")
    cells = " | ".join(f"{c:.2f}" for c in tok)
    print(f"| reference: spacy.blank(\"ar\") tokenizer on the prose | {cells} | {tok[-1] / tok[0]:.2f} | — | — |")
    baseline = None
    wanted = [w for w in args.only.split(",") if w]
    for name, (_, make) in INPUTS.items():
        if wanted and not name.startswith("baseline") and not any(w in name for w in wanted):
            continue
        per_char = []
        for n, r in zip(sizes, reps):
            c, quotes = cost(run, make(n), r)
            per_char.append(c)
        n_quotes = len(quotes)  # type: ignore[arg-type]
        if baseline is None:
            baseline = per_char[-1]
        cells = " | ".join(f"{c:.2f}" for c in per_char)
        print(f"| {name} | {cells} | {per_char[-1] / per_char[0]:.2f} | "
              f"{per_char[-1] / baseline:.2f} | {n_quotes:,} |", flush=True)


if __name__ == "__main__":
    main()
