import json
import subprocess
import sys

from quoteattr.cli import main
from quoteattr.lexicon import load_cue_lexicon
from quoteattr.normalize import normalize, normalize_with_map, to_original
from quoteattr.rules.marks import find_marked_spans


def test_lexicon_has_the_required_lemmas_with_categories():
    lex = load_cue_lexicon()
    required = ("قال أضاف أكد أوضح أشار لفت شدد صرح أعلن ذكر بين تابع اعتبر رأى وصف دعا طالب ناشد حث تعهد "
                "وعد هدد حذر نفى رفض ندد أدان انتقد اتهم رحب أشاد ثمن اعترف كشف أفاد نقل سأل تساءل أجاب علق اختتم").split()
    for lemma in required:
        assert lemma in lex.entries, lemma
    verbs = [e for e in lex.entries.values() if not e.attributive]
    assert len(verbs) >= 60
    assert lex.entries["ندد"].polarity == -1 and lex.entries["رحب"].polarity == 1
    for phrase in ("وفقا ل", "بحسب", "حسب", "حسبما", "نقلا عن", "على لسان"):
        assert phrase in lex.entries


def test_morphology_generates_the_forms_news_uses():
    forms = load_cue_lexicon().forms
    expect = {"وقالت": ("قال", "f", "sg"), "قائلا": ("قال", "m", "sg"), "مؤكدة": ("أكد", "f", "sg"),
              "مشيرين": ("أشار", "m", "pl"), "بقولها": ("قال", "f", "sg"), "فأضاف": ("أضاف", "m", "sg"),
              "يقولون": ("قال", "m", "pl"), "قيل": ("قال", None, None), "يقال": ("قال", None, None),
              "دعت": ("دعا", "f", "sg"), "نفوا": ("نفى", "m", "pl"), "وصفه": ("وصف", "m", "sg"),
              "ويؤكدان": ("أكد", "m", "du")}
    for surface, (lemma, gender, number) in expect.items():
        f = forms[normalize(surface)]
        assert (f.entry.lemma, f.gender, f.number) == (lemma, gender, number), surface


def test_normalisation_folds_letters_and_maps_offsets_back():
    text = "إنَّ الأُمّـةَ مُتَّحِدَةٌ"
    norm, origin = normalize_with_map(text)
    assert norm == "ان الامه متحده"
    i = norm.index("الامه")
    s, e = to_original(origin, i, i + len("الامه"))
    assert text[s:e] == "الأُمّـةَ"


def test_reversed_guillemets_pair():
    spans = find_marked_spans("قال »نعم« ثم")
    assert [(s.start, s.end) for s in spans] == [(5, 8)]


def test_cli_run_jsonl_and_table(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "d1", "text": "وقال المدير إن العمل مستمر."}, ensure_ascii=False)
                   + "\n{broken\n", encoding="utf-8")
    assert main(["run", str(src)]) == 1  # one bad line: reported, the rest processed
    out, err = capsys.readouterr()
    line = json.loads(out.splitlines()[0])
    assert line["doc_id"] == "d1" and line["text"] == "العمل مستمر"
    assert "in.jsonl:2" in err and "not JSON" in err
    txt = tmp_path / "a.txt"
    txt.write_text("وقالت الوزارة إن المدارس ستفتح.", encoding="utf-8")
    assert main(["run", "--format", "table", str(txt)]) == 0
    assert "الوزارة" in capsys.readouterr().out
    # with --subject, the table and the JSON lines carry the stance
    txt.write_text("وقالت الوزارة إن بلادها تدعم الأونروا.", encoding="utf-8")
    assert main(["run", "--format", "table", "--subject", "الأونروا", str(txt)]) == 0
    assert "stance: الأونروا favor" in capsys.readouterr().out
    assert main(["run", "--subject", "الأونروا", str(txt)]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert [(s["subject"], s["label"]) for s in row["stances"]] == [("الأونروا", "favor")]


def test_cli_user_error_is_one_line_and_status_2(capsys):
    assert main(["run", "does-not-exist.txt"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "no such file" in err


def test_cli_demo_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "quoteattr", "demo"], capture_output=True, text=True, check=True)
    assert "خالد العمري" in out.stdout and "[direct" in out.stdout
