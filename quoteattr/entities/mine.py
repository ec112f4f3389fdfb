"""Mine given names, family names and common words from SaudiNewsNet for the entity layer.

    python -m quoteattr.entities.mine [--corpus DIR] [--exclude benchmarks/gold/test.jsonl]

reads every daily ``.zip`` of the corpus in place (:class:`quoteattr.evaluation.corpus.Corpus`)
except the articles listed in the ``--exclude`` gold files (the test split, so that the
evaluation on it stays clean), and writes into ``quoteattr/entities/data/``:

- ``names.tsv``: ``given`` names are the words that come right after a title of kind
  ``name`` in ``titles.tsv`` (الأمير، الشيخ، الدكتور، المدرب ...): not a stop word, title,
  head noun or gazetteer name, and without the article; ``family`` names are the next
  one to three words of the same name (after بن، آل، أبو when present), and, in a second
  pass, the later words of every name the finder reads after any title with the first
  pass's lists (وزير الخارجية الأمريكي جون كيري → كيري). A word is kept when
  it is seen there at least ``--min-count`` times and in at least ``--given-share`` (or
  ``--family-share``) of all its occurrences (so that common words that happen to follow a
  title are not names), is in Arabic letters, and is not more likely a clitic and a commoner
  word (بشكل = بـ + شكل).
- ``common_words.tsv``: the ``--common`` most frequent words that are not names (nor seen
  in a name slot in 2% of their occurrences); the finder
  uses them to refuse an unknown word as a surname (``الأمير فيصل ضرورة``).

Names are facts rather than article text, but the lists are derived from the corpus: they
carry its licence (CC BY-NC-SA 4.0), as their file headers say.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable

import attrs

from ..arabic import ARABIC_WORD, proclitic_readings
from ..evaluation.corpus import Corpus
from ..normalize import normalize_with_map
from .finder import NAME_LINKS, Finder
from .gazetteer import Gazetteer, build_gazetteer

DATA = Path(__file__).resolve().parent / "data"
LICENCE = (
    "# Derived from SaudiNewsNet (Alhagri, M. A. (2015). Saudi Newspapers Arabic Corpus),\n"
    "# CC BY-NC-SA 4.0: this list carries the corpus licence, not the code's MIT licence.\n"
)


def excluded_ids(paths: Iterable[str | Path]) -> set[str]:
    """The article ids of stand-off gold files (one JSON object with ``id`` a line)."""
    ids: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            ids.update(json.loads(line)["id"] for line in fh if line.strip())
    return ids


class Counts:
    """Occurrence counts of every word, and of words in the name slots after titles."""

    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.given: Counter[str] = Counter()
        self.family: Counter[str] = Counter()
        self.tails: Counter[str] = Counter()  # the second pass's family names
        self.articles = 0

    def add(self, text: str, gaz: Gazetteer) -> None:
        norm, origin = normalize_with_map(text)
        finder = Finder(gaz, text, norm, origin)
        keys = finder.keys
        self.total.update(keys)
        self.articles += 1
        for i in range(len(keys)):
            if keys[i] not in gaz.titles and keys[i][1:] not in gaz.titles:
                continue
            t = finder.title(i)
            if t is None or t[2].kind != "name" or not finder._joined(t[0]):
                continue
            place = finder.phrase(i, any_context=True)
            if place is not None and place.last > t[0]:
                continue  # الشيخ زويد is a town
            j = t[0] + 1
            if not _first_name(finder, j):
                continue
            self.given[keys[j]] += 1
            k, seen, after_link = j, 0, False
            while seen < 3 and finder._joined(k):
                key = keys[k + 1]
                if key in NAME_LINKS:
                    k, after_link = k + 1, True
                    continue
                if not finder._plain(key) or finder._is_phrase(k + 1):
                    break
                if seen and not after_link and not key.startswith("ال"):
                    break  # "الملك سلمان بن عبدالعزيز رسالة": a noun, not a third name
                self.family[key] += 1
                k, seen, after_link = k + 1, seen + 1, False


    def add_tails(self, text: str, gaz: Gazetteer) -> None:
        """Second pass: count the later words of every titled name the finder reads with the
        first pass's names (وزير الخارجية الأمريكي جون كيري → كيري) as family names."""
        norm, origin = normalize_with_map(text)
        finder = Finder(gaz, text, norm, origin)
        keys = finder.keys
        i = 0
        while i < len(keys):
            m = finder.person_with_title(i) if keys[i] in gaz.starters or keys[i][1:] in gaz.titles else None
            if m is None or m.name_first is None:
                i += 1
                continue
            for key in keys[m.name_first + 1 : m.last + 1]:
                if key not in NAME_LINKS:
                    self.tails[key] += 1
            i = m.last + 1


def with_names(gaz: Gazetteer, names: dict[str, list[tuple[str, int]]]) -> Gazetteer:
    """``gaz`` with the given and family names of ``names`` and no common words."""
    given = frozenset(w for w, _ in names["given"])
    return attrs.evolve(
        gaz, given=given, family=frozenset(w for w, _ in names["family"]),
        common=frozenset(), starters=gaz.starters | given,
    )


def _first_name(finder: Finder, j: int) -> bool:
    key = finder.keys[j]
    if (key.startswith("ال") and finder._article(j)) or not finder._plain(key):
        return False
    place = finder.phrase(j, any_context=True, clitics=False)
    return place is None or place.nisba  # تركي is a nisba and a name: "الأمير تركي"




def _cliticised(word: str, total: Counter[str]) -> bool:
    """Is the word more likely a clitic + a commoner word (بشكل، للإغاثة، والأعمال)?"""
    if word.startswith(("لل", "وال", "بال", "فال", "كال")):
        return True
    return any(len(key) > 2 and total[key] > total[word] for _, key in proclitic_readings(word)[1:])


def select(counts: Counts, min_count: int, shares: dict[str, float]) -> dict[str, list[tuple[str, int]]]:
    """The names that pass the thresholds, most frequent first, by role.

    ``shares[role]`` is the least share of a word's occurrences that must be in that slot.
    """
    out = {}
    for role, counter in (("given", counts.given), ("family", counts.family + counts.tails)):
        kept = [
            (w, c) for w, c in counter.items()
            if c >= min_count and c / counts.total[w] >= shares[role]
            and ARABIC_WORD.fullmatch(w) and not _cliticised(w, counts.total)
        ]
        out[role] = sorted(kept, key=lambda wc: (-wc[1], wc[0]))
    return out


def common_words(counts: Counts, gaz: Gazetteer, n: int, names_share: float = 0.02) -> list[tuple[str, int]]:
    """The ``n`` most frequent words that are not stop words, gazetteer words or names.

    A word seen right after a title at least 3 times and in ``names_share`` of its
    occurrences is left out even when it is not frequent enough there to be listed as a
    name (جون): the finder then treats it as a possible new name, not as a common word.
    (The second pass's counts are not used here: they also count objects read as names.)
    """
    def namelike(w: str) -> bool:
        c = counts.given[w] + counts.family[w]
        return c >= 3 and c / counts.total[w] >= names_share

    out: list[tuple[str, int]] = []
    for w, c in counts.total.most_common():
        if len(out) >= n:
            break
        if len(w) > 1 and w.isalpha() and not namelike(w) and w not in gaz.stop \
                and w not in gaz.phrases:
            out.append((w, c))
    return out


def write(data_dir: Path, names: dict[str, list[tuple[str, int]]], common: list[tuple[str, int]],
          about: str) -> None:
    with open(data_dir / "names.tsv", "w", encoding="utf-8") as fh:
        fh.write(
            "# Person names, mined by quoteattr/entities/mine.py: the words that follow a title\n"
            "# of kind 'name' (titles.tsv) in the corpus, in normalised spelling.\n"
            + LICENCE + f"# {about}\n"
            "# Columns: word; role (given: the first word after a title; family: a later word\n"
            "# of the same name); count (occurrences in that slot).\n"
            "word\trole\tcount\n"
        )
        for role in ("given", "family"):
            for w, c in names[role]:
                fh.write(f"{w}\t{role}\t{c}\n")
    with open(data_dir / "common_words.tsv", "w", encoding="utf-8") as fh:
        fh.write(
            "# The most frequent words of the corpus that are not names (normalised spelling),\n"
            "# mined by quoteattr/entities/mine.py; an unknown word in this list is never taken\n"
            "# for a surname or an organisation's name.\n"
            + LICENCE + f"# {about}\n"
            "# Columns: word; count (occurrences in the corpus).\n"
            "word\tcount\n"
        )
        for w, c in common:
            fh.write(f"{w}\t{c}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m quoteattr.entities.mine", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=None, help="SaudiNewsNet folder (default: ../shared/...)")
    ap.add_argument("--exclude", nargs="*", default=["benchmarks/gold/test.jsonl"],
                    help="gold files whose articles are not read (default: the test split)")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--given-share", type=float, default=0.05)
    ap.add_argument("--family-share", type=float, default=0.15)
    ap.add_argument("--common", type=int, default=6000)
    ap.add_argument("--out", default=str(DATA))
    args = ap.parse_args(argv)
    skip = excluded_ids(args.exclude)
    corpus = Corpus(args.corpus)
    gaz = build_gazetteer(include_mined=False)
    counts = Counts()
    shares = {"given": args.given_share, "family": args.family_share}
    for record in corpus.iter_articles():
        if record["id"] not in skip:
            counts.add(record["content"], gaz)
    first = with_names(gaz, select(counts, args.min_count, shares))
    for record in corpus.iter_articles():
        if record["id"] not in skip:
            counts.add_tails(record["content"], first)
    names = select(counts, args.min_count, shares)
    about = (
        f"{counts.articles} articles of {len(corpus.days())} daily files, "
        f"{len(skip)} gold articles excluded; min count {args.min_count}, "
        f"min share given {args.given_share}, family {args.family_share}."
    )
    write(Path(args.out), names, common_words(counts, gaz, args.common), about)
    print(f"given {len(names['given'])}, family {len(names['family'])}; {about}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
