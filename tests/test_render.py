"""quoteattr.render: the right-to-left HTML page, checked as markup and in headless Chromium."""

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quoteattr
from quoteattr import Cue, Quote, Speaker, Stance
from quoteattr.cli import main
from quoteattr.visualize import render_documents

ARTIFACTS = Path(os.environ.get("QUOTEATTR_ARTIFACTS", Path(__file__).parent / "artifacts"))


class _Page(HTMLParser):
    """Collects the text of each document (badges left out) and what each role covers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, attrs) of open elements
        self.texts = []  # one per <div class="text">
        self.roles = {}  # (role, key) -> text covered
        self.badges = []  # text of each badge

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.stack.append((tag, attrs))
        if tag == "div" and attrs.get("class") == "text":
            self.texts.append("")
        if "badge" in (attrs.get("class") or "").split():
            self.badges.append("")

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        classes = [set((a.get("class") or "").split()) for _, a in self.stack]
        if any("badge" in c for c in classes):
            self.badges[-1] += data
        if not any(t == "div" and a.get("class") == "text" for t, a in self.stack):
            return
        if any("badges" in c for c in classes):
            return
        self.texts[-1] += data
        for _, a in self.stack:
            for role in ("quote", "cue", "speaker"):
                for key in (a.get(f"data-{role}") or "").split():
                    self.roles[(role, key)] = self.roles.get((role, key), "") + data


def parse(page):
    p = _Page()
    p.feed(page)
    p.close()
    return p


TRICKY = ('<script>alert("x")</script> &amp; \'«نعم»\'\n\nوقال الوزير إن "الخطة" <b>جاهزة</b> & تامة.\r\n'
          "وأضاف أن الأُمّـةَ 😀 ستنتصر.\t ")


def test_every_character_is_kept_and_escaped():
    quotes = quoteattr.attribute_quotes(TRICKY, pipeline="rules")
    assert len(quotes) == 2
    page = quoteattr.render(TRICKY, quotes)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    p = parse(page)
    assert p.texts == [TRICKY]
    for n, q in enumerate(quotes, 1):
        assert p.roles[("quote", f"d1q{n}")] == q.text
        assert p.roles[("cue", f"d1q{n}")] == q.cue.text
        assert p.roles[("speaker", f"d1q{n}")] == q.speaker.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["وقال", "الوزير", "إن", "«", "»", "\n", "<", "&", '"', "وأضاف",
                                 "أن", ":", "الخطة", "جاهزة", "، ", ". ", "x"]), max_size=40).map(" ".join))
def test_render_keeps_any_text_with_its_quotes(text):
    quotes = quoteattr.attribute_quotes(text, pipeline="rules")
    p = parse(quoteattr.render(text, quotes))
    assert p.texts == [text]
    for n, q in enumerate(quotes, 1):
        assert p.roles.get(("quote", f"d1q{n}"), "") == q.text


TEXT = "قال المتحدث: «إن الوزير أكد أن الهدنة صامدة» ثم غادر."


def nested_quotes():
    """Quote 2 (with its cue and speaker) sits inside quote 1; both carry stances."""
    outer_s, outer_e = TEXT.index("إن"), TEXT.index("»")
    inner_s = TEXT.index("الهدنة")
    return [
        Quote(TEXT[outer_s:outer_e], outer_s, outer_e, "direct",
              Cue("قال", 0, 3, "قال", "assert"), Speaker("المتحدث", 4, 11, "المتحدث"),
              (Stance("الهدنة", "favor", 0.8),), 0.9),
        Quote(TEXT[inner_s:outer_e], inner_s, outer_e, "indirect",
              Cue("أكد", TEXT.index("أكد"), TEXT.index("أكد") + 3, "أكد", "assert"),
              Speaker("الوزير", TEXT.index("الوزير"), TEXT.index("الوزير") + 6, "وزير الدفاع", True),
              (Stance("حماس", "against", 0.91), Stance("الأونروا", "neutral", 0.5)), 0.7),
    ]


def test_nested_quotes_each_keep_their_own_spans_and_stance_badges():
    quotes = nested_quotes()
    p = parse(quoteattr.render(TEXT, quotes))
    assert p.texts == [TEXT]
    for n, q in enumerate(quotes, 1):
        assert p.roles[("quote", f"d1q{n}")] == q.text
        assert p.roles[("cue", f"d1q{n}")] == q.cue.text
        assert p.roles[("speaker", f"d1q{n}")] == q.speaker.text
    # number badges and stance badges, inline and again in the legend; a stance toward a
    # subject the quotation does not mention is not shown
    assert p.badges.count("الهدنة · favor · score 0.80") == 2
    assert not any("حماس" in b or "الأونروا" in b for b in p.badges)
    assert {"1", "2"} <= set(p.badges)
    page = quoteattr.render(TEXT, quotes)
    assert 'class="badge stance favor"' in page and "وزير الدفاع" in page
    assert "confidence 0.90" in page  # figures carry their names


def test_render_rejects_quotes_of_another_text():
    q = quoteattr.attribute_quotes("وقال الوزير إن الخطة جاهزة.", pipeline="rules")
    with pytest.raises(quoteattr.InputValueError, match="does not index this text"):
        quoteattr.render("نص آخر تماما لا علاقة له بالاقتباس", q)
    with pytest.raises(quoteattr.InputTypeError):
        quoteattr.render(b"bytes", [])


def test_cli_html_page_shows_the_first_documents(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    rows = [{"id": f"doc{i}", "text": f"وقال المدير {i} إن العمل مستمر."} for i in range(5)]
    rows.insert(2, {"id": "bad", "text": None})
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "show.html"
    assert main(["run", "--html", str(out), "--html-limit", "3", "-q", str(src)]) == 1
    p = parse(out.read_text(encoding="utf-8"))
    assert p.texts == [rows[0]["text"], rows[1]["text"], rows[3]["text"]]  # the failed one is not shown
    assert p.roles[("quote", "d3q1")] == "العمل مستمر"
    assert "bad" in capsys.readouterr().err


# --- in a real browser ------------------------------------------------------------------

def chromium():
    for name in (os.environ.get("QUOTEATTR_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome", "google-chrome-stable", "chrome", "headless_shell"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


CHECKS = """<script>
(function () {
  var r = {dir: document.documentElement.dir, direction: getComputedStyle(document.body).direction,
           texts: [], quotes: {}, hover: {}};
  document.querySelectorAll('.text').forEach(function (t) {
    var walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT), n = walker.nextNode();
    while (n && !n.data.trim()) n = walker.nextNode();
    var i = n.data.search(/\\S/), range = document.createRange();
    range.setStart(n, i); range.setEnd(n, i + 1);
    var c = range.getBoundingClientRect(), box = t.getBoundingClientRect();
    r.texts.push({direction: getComputedStyle(t).direction, charLeft: c.left, charRight: c.right,
                  boxLeft: box.left, boxRight: box.right});
  });
  document.querySelectorAll('[data-quote]').forEach(function (el) {
    var cs = getComputedStyle(el), rect = el.getBoundingClientRect();
    el.getAttribute('data-quote').split(' ').forEach(function (k) {
      (r.quotes[k] = r.quotes[k] || []).push({text: el.textContent, bg: cs.backgroundColor,
                                              w: rect.width, h: rect.height});
    });
  });
  document.querySelectorAll('[data-cue]').forEach(function (el) {
    var k = el.getAttribute('data-cue').split(' ')[0];
    if (r.hover[k]) return;
    el.dispatchEvent(new MouseEvent('mouseenter'));
    var lit = Array.prototype.map.call(document.querySelectorAll('[data-q~="' + k + '"]'), function (p) {
      return p.classList.contains('active') && getComputedStyle(p).outlineStyle !== 'none';
    });
    el.dispatchEvent(new MouseEvent('mouseleave'));
    r.hover[k] = {lit: lit, after: document.querySelectorAll('.active').length};
  });
  var pre = document.createElement('pre'); pre.id = 'qa-result';
  pre.textContent = JSON.stringify(r); document.body.appendChild(pre);
})();
</script></body>"""


def run_chromium(binary, tmp_path, *args):
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_page_renders_right_to_left_with_every_quote_highlighted_in_chromium(tmp_path):
    binary = chromium()
    if binary is None:
        pytest.skip("no Chromium binary (chromium, chromium-browser, google-chrome or "
                    "$QUOTEATTR_CHROMIUM): .ci/run installs Debian's chromium package")
    text2 = ("وقالت وزارة الصحة في بيان إن «الحملة ستبدأ غدا في كل المناطق». وأضافت أن اللقاحات "
             "متوفرة بكميات كافية.\n\nمن جهته، أكد المتحدث باسم الهيئة أن العمل مستمر، مشيرا إلى أن "
             "النتائج ستعلن قريبا.")
    docs = [("nested", TEXT, nested_quotes()),
            ("example", text2, quoteattr.attribute_quotes(text2, pipeline="rules"))]
    assert len(docs[1][2]) >= 3
    page = render_documents(docs, title="quoteattr test page")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "render.html").write_text(page, encoding="utf-8")
    shot = ARTIFACTS / "render.png"
    shot.unlink(missing_ok=True)
    res = run_chromium(binary, tmp_path, "--window-size=1100,1300", f"--screenshot={shot}",
                       (ARTIFACTS / "render.html").resolve().as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, res.stderr[-2000:]

    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", CHECKS), encoding="utf-8")
    res = run_chromium(binary, tmp_path, "--window-size=1100,1300", "--dump-dom", probe.as_uri())
    m = re.search(r'<pre id="qa-result">(.*?)</pre>', res.stdout, re.S)
    assert m, res.stderr[-2000:]
    r = json.loads(html.unescape(m.group(1)))

    assert r["dir"] == "rtl" and r["direction"] == "rtl"
    assert len(r["texts"]) == 2
    for t in r["texts"]:
        # the first character of each text stands at the right edge of its box
        assert t["direction"] == "rtl"
        assert t["boxRight"] - t["charRight"] < 30 and t["charLeft"] - t["boxLeft"] > 200
    expected = {f"d{d}q{n}": q.text for d, (_, _, qs) in enumerate(docs, 1) for n, q in enumerate(qs, 1)}
    assert set(r["quotes"]) == set(expected)
    for key, pieces in r["quotes"].items():
        assert "".join(p["text"] for p in pieces) == expected[key]
        for p in pieces:
            assert p["bg"] not in ("rgba(0, 0, 0, 0)", "transparent"), (key, p)
            assert p["w"] > 0 and p["h"] > 0
    assert r["hover"] and set(r["hover"]) <= set(expected)
    for key, h in r["hover"].items():
        assert len(h["lit"]) >= 4 and all(h["lit"]), key  # quote, cue, speaker, badge, legend
        assert h["after"] == 0


VIEWPORT_CHECKS = """<script>
(function () {
  var r = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
           outside: [], quotes: 0, nav: document.querySelectorAll('nav.docs a').length};
  document.querySelectorAll('[data-quote]').forEach(function (el) {
    r.quotes += 1;
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    var rects = el.getClientRects();
    for (var i = 0; i < rects.length; i++) {
      var b = rects[i];
      if (b.width === 0) continue;
      if (b.left < -1 || b.right > window.innerWidth + 1 || b.bottom < 0 || b.top > window.innerHeight) {
        r.outside.push({text: el.textContent.slice(0, 40), left: b.left, right: b.right, top: b.top});
        break;
      }
    }
  });
  document.querySelectorAll('.badges, .legend li').forEach(function (el) {
    var b = el.getBoundingClientRect();
    if (b.left < -1 || b.right > window.innerWidth + 1) r.outside.push({badge: el.textContent.slice(0, 40), left: b.left, right: b.right});
  });
  var pre = document.createElement('pre'); pre.id = 'qa-result';
  pre.textContent = JSON.stringify(r); document.body.appendChild(pre);
})();
</script></body>"""

SUBJECTS = ["السعودية", "إيران", "الحكومة", "مصر", "داعش", "الولايات المتحدة", "اليمن", "الحوثيين"]


def _corpus_or_skip():
    from quoteattr.evaluation.corpus import Corpus, default_corpus_dir

    if not default_corpus_dir().is_dir():
        pytest.skip("the SaudiNewsNet corpus is not at hand")
    return Corpus()


def _check_in_viewport(binary, tmp_path, page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.html").write_text(page, encoding="utf-8")
    shot = ARTIFACTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    run_chromium(binary, tmp_path, "--window-size=1280,800", f"--screenshot={shot}",
                 (ARTIFACTS / f"{name}.html").resolve().as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
    probe = tmp_path / f"{name}-probe.html"
    probe.write_text(page.replace("</body>", VIEWPORT_CHECKS), encoding="utf-8")
    res = run_chromium(binary, tmp_path, "--window-size=1280,800", "--dump-dom", probe.as_uri())
    m = re.search(r'<pre id="qa-result">(.*?)</pre>', res.stdout, re.S)
    assert m, res.stderr[-2000:]
    r = json.loads(html.unescape(m.group(1)))
    assert r["scrollWidth"] <= r["innerWidth"] + 1, r  # nothing overflows sideways
    assert r["outside"] == [], r["outside"][:5]
    return r


def test_a_long_real_article_with_many_quotes_and_subjects_fits_a_1280_window(tmp_path):
    binary = chromium()
    if binary is None:
        pytest.skip("no Chromium binary: .ci/run installs Debian's chromium package")
    corpus = _corpus_or_skip()
    best = None
    for a in corpus.iter_articles(["2015-07-21"]):
        if 4000 < len(a["content"]) < 12000:
            quotes = quoteattr.attribute_quotes(a["content"], SUBJECTS, pipeline="rules")
            if best is None or len(quotes) > len(best[2]):
                best = (a["id"], a["content"], quotes)
    assert best is not None and len(best[2]) >= 10
    page = render_documents([best], title="a long article")
    r = _check_in_viewport(binary, tmp_path, page, "long-article")
    assert r["quotes"] >= len(best[2])


def test_the_cli_page_of_twenty_articles_fits_a_1280_window_and_links_them(tmp_path, capsys):
    binary = chromium()
    if binary is None:
        pytest.skip("no Chromium binary: .ci/run installs Debian's chromium package")
    corpus = _corpus_or_skip()
    lines = [json.dumps({"id": a["id"], "text": a["content"]}, ensure_ascii=False)
             for a, _ in zip((a for a in corpus.iter_articles(["2015-07-22"]) if len(a["content"]) > 1500), range(20))]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "show.html"
    args = ["run", "--pipeline", "rules", "-q", "-o", str(tmp_path / "q.jsonl"), "--html", str(out)]
    for s in SUBJECTS:
        args += ["--subject", s]
    assert main([*args, str(src)]) == 0
    r = _check_in_viewport(binary, tmp_path, out.read_text(encoding="utf-8"), "twenty-articles")
    assert r["nav"] == 20 and r["quotes"] > 20
