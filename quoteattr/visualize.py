"""A right-to-left HTML page that shows what quoteattr found in a text.

Each quotation is highlighted in its own colour; its cue is underlined and its speaker
outlined in the same colour; pointing at any of the three (or at its line in the legend)
lights up all of them. After each quotation a badge gives its number and its stances
toward the subjects it mentions (subject, label, score; a subject it does not mention is
left out, and so is a neutral stance toward one that only its cue's sentence holds). Every
character of the text is kept, HTML-escaped, in order: the page's text with the badges
taken out is the input text. The page wraps at any width (long words and badge strips
included), and a page of several documents has a list of them and links from each to the
next.

For spaCy's displaCy, the pipelines also set the span groups ``quotes``, ``cues``,
``speakers`` and ``attribution`` (all three together); :func:`displacy_options` gives the
right-to-left options::

    from spacy import displacy
    html = displacy.render(nlp(text), style="span", options=displacy_options())

>>> from quoteattr import attribute_quotes, render
>>> text = "وقال الوزير إن <الخطة> جاهزة."
>>> page = render(text, attribute_quotes(text))
>>> '<html lang="ar" dir="rtl">' in page, "&lt;الخطة&gt;" in page
(True, True)
"""

from __future__ import annotations

import html
from typing import Iterable, Sequence

from .errors import InputTypeError, InputValueError
from .types import Quote

__all__ = ["render", "render_documents", "displacy_options"]

_ROLES = ("quote", "cue", "speaker")
_LABELS = {"favor": "favor", "against": "against", "neutral": "neutral"}

CSS = """
:root { color-scheme: light; }
body { font-family: "Noto Naskh Arabic", "Amiri", "DejaVu Sans", "Arial", sans-serif;
       margin: 0 auto; max-width: 62rem; padding: 1.5rem; background: #fafafa; color: #1d1d1d; }
header h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
header p { margin: 0 0 1rem; color: #555; }
section.doc { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 1rem 1.3rem;
              margin-bottom: 1.5rem; }
section.doc h2 { font-size: 1rem; color: #555; margin: 0 0 .6rem; font-weight: normal; }
nav.docs { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: .5rem 1rem;
           margin-bottom: 1rem; display: flex; flex-wrap: wrap; gap: .3rem .9rem; }
nav.docs a, .pager a { color: #2a4f8f; text-decoration: none; }
.pager { font-size: .85rem; margin-bottom: .4rem; display: flex; gap: 1rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 2.1; font-size: 1.15rem; }
.hl.quote { background: var(--qbg); border-radius: 2px; }
.hl.cue { color: var(--cue); font-weight: bold; text-decoration: underline 2px var(--cue);
          text-underline-offset: 5px; }
.hl.speaker { outline: 2px solid var(--spk); outline-offset: 1px; border-radius: 3px; }
.hl.active, .legend li.active, .badges.active { outline: 3px solid #111; }
.badges { font-size: .72rem; font-family: "DejaVu Sans", sans-serif; white-space: normal;
          user-select: none; }
.badge { display: inline-block; border-radius: 9px; padding: 0 .45em; margin: 0 .15em;
         line-height: 1.5; vertical-align: super; border: 1px solid transparent;
         white-space: nowrap; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.badge.qn { background: var(--spk); color: #fff; font-weight: bold; }
.stance.favor { background: #dff3e4; border-color: #2e8b57; color: #1c5e38; }
.stance.against { background: #fbe1e1; border-color: #c0392b; color: #8e1f15; }
.stance.neutral, .stance.other { background: #ececec; border-color: #888; color: #333; }
.legend { margin: .8rem 0 0; padding: .6rem 0 .2rem; border-top: 1px solid #eee;
          font-size: .95rem; list-style: none; overflow-wrap: anywhere; }
.legend li { margin: .25rem 0; border-radius: 4px; padding: 0 .3rem; }
.legend .swatch { display: inline-block; width: .9em; height: .9em; border-radius: 3px;
                  background: var(--qbg); border: 2px solid var(--spk); vertical-align: middle; }
.legend .meta { color: #666; font-size: .85rem; }
.none { color: #777; font-style: italic; }
"""

# Pointing at a cue, speaker, quotation or legend line lights up all parts of that quote.
_JS = """
document.querySelectorAll('[data-q]').forEach(function (el) {
  function parts() {
    var out = [];
    el.getAttribute('data-q').split(' ').forEach(function (key) {
      document.querySelectorAll('[data-q~="' + key + '"]').forEach(function (p) { out.push(p); });
    });
    return out;
  }
  el.addEventListener('mouseenter', function () { parts().forEach(function (p) { p.classList.add('active'); }); });
  el.addEventListener('mouseleave', function () { parts().forEach(function (p) { p.classList.remove('active'); }); });
});
"""


def _colours(i: int) -> tuple[str, str]:
    """Background and ink colour of quote ``i``: hues a golden angle apart."""
    hue = round((i * 137.508 + 25) % 360)
    return f"hsl({hue} 90% 86%)", f"hsl({hue} 75% 32%)"


def _check(text: str, quotes: Sequence[Quote]) -> list[Quote]:
    if not isinstance(text, str):
        raise InputTypeError(f"text must be a str, not {type(text).__name__}")
    out = []
    for n, q in enumerate(quotes):
        if not isinstance(q, Quote):
            raise InputTypeError(f"quotes must be Quote objects, got {type(q).__name__}")
        for what, span in (("quote", q), ("cue", q.cue), ("speaker", q.speaker)):
            if span is not None and text[span.start:span.end] != span.text:
                raise InputValueError(
                    f"{what} of quote {n + 1} ({span.start}:{span.end}) does not index this "
                    "text: render the text the quotes were found in"
                )
        out.append(q)
    return out


def _title(n: int, q: Quote) -> str:
    parts = [f"quote {n} ({q.kind}, confidence {q.confidence:.2f})"]
    if q.speaker:
        who = q.speaker.name
        if q.speaker.resolved or q.speaker.text != q.speaker.name:
            who += f" (via {q.speaker.text})"
        parts.append(f"speaker: {who}")
    if q.cue:
        parts.append(f"cue: {q.cue.text} ({q.cue.lemma}, {q.cue.category})")
    parts += [f"stance toward {s.subject}: {s.label} {s.score:.2f}" for s in q.stances]
    return " | ".join(parts)


def mentioned(text: str, q: Quote, subject: str) -> bool:
    """Does the quotation (its content, or its cue's clause up to the content) mention
    ``subject``, with its clitics and spellings?"""
    from .normalize import normalize
    from .stance.subjects import subject_pattern

    start = min(q.start, q.cue.start) if q.cue else q.start
    try:
        return subject_pattern(subject).search(normalize(text[start : q.end])) is not None
    except ValueError:  # an empty subject
        return False


def _stance_badges(q: Quote, text: str) -> str:
    shown = [s for s in q.stances if mentioned(text, q, s.subject)]
    return "".join(
        f'<span class="badge stance {_LABELS.get(s.label, "other")}" '
        f'title="{html.escape(f"stance toward {s.subject}: {s.label} (score {s.score:.2f})")}">'
        f"<bdi>{html.escape(s.subject)}</bdi> · {html.escape(s.label)} · score {s.score:.2f}</span>"
        for s in shown
    )


def _document(doc_key: str, doc_id: str | None, text: str, quotes: Sequence[Quote],
              pager: str = "") -> str:
    quotes = _check(text, quotes)
    keys = [f"{doc_key}q{n}" for n in range(1, len(quotes) + 1)]
    spans = []  # (start, end, role, quote index)
    for i, q in enumerate(quotes):
        spans.append((q.start, q.end, "quote", i))
        if q.cue:
            spans.append((q.cue.start, q.cue.end, "cue", i))
        if q.speaker:
            spans.append((q.speaker.start, q.speaker.end, "speaker", i))
    spans = [s for s in spans if s[1] > s[0]]
    ends_at: dict[int, list[int]] = {}
    for i, q in enumerate(quotes):
        ends_at.setdefault(q.end, []).append(i)
    cuts = sorted({0, len(text), *(s[0] for s in spans), *(s[1] for s in spans), *ends_at})

    out = []
    for a, b in zip(cuts, cuts[1:] + [None]):
        for i in ends_at.get(a, ()):  # badges right after the quotation ends
            bg, ink = _colours(i)
            out.append(f'<span class="badges" data-q="{keys[i]}" style="--spk:{ink}">'
                       f'<span class="badge qn">{i + 1}</span>{_stance_badges(quotes[i], text)}</span>')
        if b is None or b == a:
            continue
        piece = html.escape(text[a:b], quote=False)
        active = [s for s in spans if s[0] <= a and s[1] >= b]
        if not active:
            out.append(piece)
            continue
        # The innermost (shortest) span of each role gives that role's colour.
        by_role = {}
        for s in sorted(active, key=lambda s: s[1] - s[0], reverse=True):
            by_role[s[2]] = s[3]
        style = []
        if "quote" in by_role:
            style.append(f"--qbg:{_colours(by_role['quote'])[0]}")
        if "cue" in by_role:
            style.append(f"--cue:{_colours(by_role['cue'])[1]}")
        if "speaker" in by_role:
            style.append(f"--spk:{_colours(by_role['speaker'])[1]}")
        classes = " ".join(r for r in _ROLES if r in by_role)
        qs = sorted({s[3] for s in active})
        # data-quote / data-cue / data-speaker: which quotes this piece is the content,
        # cue or speaker of; data-q: all of them (for the hover links).
        roles = "".join(
            f' data-{role}="{" ".join(keys[i] for i in sorted({s[3] for s in active if s[2] == role}))}"'
            for role in _ROLES if role in by_role
        )
        title = " / ".join(_title(i + 1, quotes[i]) for i in qs)
        out.append(f'<span class="hl {classes}" data-q="{" ".join(keys[i] for i in qs)}"{roles} '
                   f'style="{";".join(style)}" title="{html.escape(title)}">{piece}</span>')

    legend = []
    for i, q in enumerate(quotes):
        bg, ink = _colours(i)
        who = html.escape(q.speaker.name) if q.speaker else "<i>no speaker</i>"
        via = (f' <span class="meta">(عبر <bdi>{html.escape(q.speaker.text)}</bdi>)</span>'
               if q.speaker and q.speaker.text != q.speaker.name else "")
        cue = (f' ← <bdi>{html.escape(q.cue.text)}</bdi> '
               f'<span class="meta" dir="ltr">({html.escape(q.cue.category)})</span>' if q.cue else "")
        legend.append(
            f'<li data-q="{keys[i]}" style="--qbg:{bg};--spk:{ink}"><span class="swatch"></span> '
            f'<b>{i + 1}</b> <bdi>{who}</bdi>{via}{cue} <span class="meta" dir="ltr">{q.kind} · '
            f"confidence {q.confidence:.2f}</span> {_stance_badges(q, text)}</li>"
        )
    heading = f"<h2><bdi>{html.escape(doc_id)}</bdi></h2>" if doc_id is not None else ""
    listing = (f'<ol class="legend">{"".join(legend)}</ol>' if legend
               else '<p class="legend none">لا اقتباسات — no quotations found</p>')
    return (f'<section class="doc" id="{doc_key}">{heading}{pager}'
            f'<div class="text" dir="rtl">{"".join(out)}</div>{listing}</section>')


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def render(text: str, quotes: Sequence[Quote], *, title: str = "quoteattr") -> str:
    """A standalone right-to-left HTML page showing ``quotes`` in ``text``.

    ``quotes`` are the :class:`~quoteattr.Quote` objects found in exactly this ``text``
    (their offsets are checked). Stance badges come from ``q.stances``.
    """
    return _page(title, _document("d1", None, text, list(quotes)))


def render_documents(
    docs: Iterable[tuple[str, str, Sequence[Quote]]], *, title: str = "quoteattr"
) -> str:
    """One page for several documents: ``docs`` yields ``(doc_id, text, quotes)``.

    >>> from quoteattr.visualize import render_documents
    >>> page = render_documents([("a1", "لا شيء هنا", [])])
    >>> "no quotations found" in page and "a1" in page
    True
    """
    docs = [(doc_id, text, list(quotes)) for doc_id, text, quotes in docs]
    n = len(docs)
    sections = []
    for k, (doc_id, text, quotes) in enumerate(docs, 1):
        links = []
        if k > 1:
            links.append(f'<a href="#d{k - 1}">→ previous</a>')
        if k < n:
            links.append(f'<a href="#d{k + 1}">next ←</a>')
        pager = f'<div class="pager" dir="ltr">{" ".join(links)}</div>' if links else ""
        sections.append(_document(f"d{k}", doc_id, text, quotes, pager))
    noun = "document" if n == 1 else "documents"
    summary = (f'<header><h1 dir="auto">{html.escape(title)}</h1><p dir="ltr">{n} {noun}. Point at a '
               "quotation, its cue or its speaker (or a line of a legend) to see the three "
               "together.</p></header>")
    nav = ""
    if n > 1:
        items = "".join(
            f'<a href="#d{k}"><bdi>{html.escape(doc_id)}</bdi> ({len(quotes)})</a>'
            for k, (doc_id, _, quotes) in enumerate(docs, 1))
        nav = f'<nav class="docs" aria-label="documents">{items}</nav>'
    return _page(title, summary + nav + "".join(sections))


def displacy_options(spans_key: str = "attribution") -> dict:
    """Options for ``spacy.displacy.render(doc, style="span", options=...)``: the span group
    (``attribution`` shows quotations, cues and speakers together; ``quotes``, ``cues`` or
    ``speakers`` one of them), right to left, with one colour per part.

    >>> sorted(displacy_options())
    ['colors', 'spans_key', 'template']
    """
    from spacy.displacy.templates import TPL_SPAN_RTL, TPL_SPAN_SLICE_RTL, TPL_SPAN_START_RTL

    colors = {"DIRECT": "#ffd9a8", "INDIRECT": "#cfe3ff", "MIXED": "#e6d4ff", "CUE": "#b7ebc6",
              "SPEAKER": "#f9c4c4"}
    return {"spans_key": spans_key, "colors": colors,
            "template": {"span": TPL_SPAN_RTL, "slice": TPL_SPAN_SLICE_RTL, "start": TPL_SPAN_START_RTL}}
