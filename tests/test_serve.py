"""``quoteattr serve``: every endpoint and error over HTTP, the token, CORS, the command line,
and the page in headless Chromium (Selenium with Debian's chromium-driver) on a real article.

The browser tests skip, saying why, only where no chromium or chromedriver is installed
(.ci/run installs both); the corpus tests skip where the SaudiNewsNet corpus is absent.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

import httpx  # noqa: E402
import uvicorn  # noqa: E402

with warnings.catch_warnings():  # newer Starlette prefers httpx2 (Python >= 3.11 only)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import quoteattr  # noqa: E402
from quoteattr import serve  # noqa: E402
from quoteattr.cli import main  # noqa: E402
from quoteattr.serve import create_app  # noqa: E402
from quoteattr.tabular import QUOTE_COLUMNS, quote_row  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("QUOTEATTR_ARTIFACTS", Path(__file__).parent / "artifacts"))
TOKEN = "test-token-0123456789-abcdef"

ONE = "وقال وزير الصحة خالد العمري إن الحملة ستبدأ غدا."
TWO = "وأكدت الوزارة أن المدارس ستفتح أبوابها الأحد المقبل."
HAMAS = "وقال المتحدث إن حركة حماس تعرقل جهود السلام في المنطقة."
ARTICLE = (f"{ONE} وأضاف أن اللقاحات متوفرة بكميات كافية.\n\n{TWO}\n"
           "وقال المتحدث: «لن نقبل بأي تأخير في المشروع».")


def expected(text, subjects=None, doc_id="0"):
    """What the library says, as the API must say it."""
    quotes = quoteattr.attribute_quotes(text, subjects, pipeline="rules")
    return json.loads(json.dumps(quoteattr.DocResult(doc_id, tuple(quotes)).to_dict()))


def error_of(response, status, type_name):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}, body
    assert body["error"]["type"] == type_name, body
    assert "Traceback" not in response.text
    return body["error"]["message"]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app("rules")) as c:
        yield c


@pytest.fixture(scope="module")
def small():
    """A server with small limits."""
    with TestClient(create_app("rules", max_chars=200, max_batch=3, max_bytes=4000)) as c:
        yield c


@pytest.fixture(scope="module")
def guarded():
    with TestClient(create_app("rules", token=TOKEN)) as c:
        yield c


# --- POST /v1/attribute ---------------------------------------------------------------------

def test_attribute_answers_in_the_librarys_schema(client):
    r = client.post("/v1/attribute", json={"text": ARTICLE})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == expected(ARTICLE)
    assert len(r.json()["quotes"]) >= 3
    for q in r.json()["quotes"]:
        assert ARTICLE[q["start"]:q["end"]] == q["text"]
    r = client.post("/v1/attribute", json={"text": ONE, "subjects": ["الحملة"], "pipeline": "rules", "id": "a1"})
    assert r.json() == expected(ONE, ["الحملة"], "a1")
    assert [s["subject"] for s in r.json()["quotes"][0]["stances"]] == ["الحملة"]


def test_an_empty_text_has_no_quotes(client):
    assert client.post("/v1/attribute", json={"text": "  "}).json() == {"id": "0", "quotes": [], "error": None}


def test_mentions_name_the_subjects_each_quote_mentions(client):
    r = client.post("/v1/attribute?mentions=true", json={"text": HAMAS, "subjects": ["حماس", "مصر"]})
    body = r.json()
    assert {k: v for k, v in body.items() if k != "mentions"} == expected(HAMAS, ["حماس", "مصر"])
    assert body["mentions"] == [["حماس"]]  # both stances are there; only حماس is mentioned
    assert [s["subject"] for s in body["quotes"][0]["stances"]] == ["حماس", "مصر"]


def test_a_request_may_name_only_the_servers_pipeline(client):
    for other in ("default", "/etc", "../quoteattr/models/default", ""):
        message = error_of(client.post("/v1/attribute", json={"text": ONE, "pipeline": other}), 400, "InputValueError")
        assert "'rules'" in message


@pytest.mark.parametrize("body, where", [
    ({}, "text"),
    ({"text": 5}, "text"),
    ({"text": None}, "text"),
    ({"text": ["a"]}, "text"),
    ({"text": ONE, "subjects": "حماس"}, "subjects"),
    ({"text": ONE, "subjects": [1]}, "subjects.0"),
    ({"text": ONE, "subject": ["حماس"]}, "subject"),
    ([ONE], "body"),
])
def test_a_body_off_the_schema_is_422(client, body, where):
    message = error_of(client.post("/v1/attribute", json=body), 422, "ValidationError")
    assert message.startswith(where), message


def test_a_body_that_is_not_json_is_422(client):
    r = client.post("/v1/attribute", content=b'{"text": "x"', headers={"Content-Type": "application/json"})
    assert "not JSON" in error_of(r, 422, "ValidationError")


@pytest.mark.parametrize("subjects, why", [
    ([" "], "empty or blank"),
    (["ـــ"], "empty or blank"),  # only tatweel
    (["س"] * 101, "limit of 100"),
    (["س" * 101], "more than 100"),
])
def test_the_librarys_input_errors_are_400(client, subjects, why):
    assert why in error_of(client.post("/v1/attribute", json={"text": ONE, "subjects": subjects}), 400,
                           "InputValueError")


def test_too_long_is_413(small):
    message = error_of(small.post("/v1/attribute", json={"text": "ق" * 201}), 413, "DocumentTooLongError")
    assert "201" in message and "200" in message
    assert small.post("/v1/attribute", json={"text": "ق" * 200}).status_code == 200


def test_a_body_over_the_size_limit_is_413_declared_or_not(small):
    big = json.dumps({"text": "ق" * 100}, ensure_ascii=True).encode() + b" " * 4000
    assert "4,000 bytes" in error_of(small.post("/v1/attribute", content=big,
                                                headers={"Content-Type": "application/json"}), 413,
                                     "RequestTooLargeError")

    def chunks():  # chunked: no Content-Length, counted as it comes
        yield big[:3000]
        yield big[3000:]

    r = small.post("/v1/attribute", content=chunks(), headers={"Content-Type": "application/json"})
    error_of(r, 413, "RequestTooLargeError")


def test_a_content_length_that_is_not_a_number_is_400(small):
    r = small.post("/v1/attribute", content=b"{}", headers={"Content-Type": "application/json",
                                                           "Content-Length": "lots"})
    assert "Content-Length" in error_of(r, 400, "InputValueError")


def test_a_lone_surrogate_comes_back_as_it_was_sent(client):
    text = "وقال الوزير إن \ud800 الخطة جاهزة."
    body = json.dumps({"text": text}).encode("ascii")  # \\ud800: JSON can carry it, UTF-8 cannot
    r = client.post("/v1/attribute", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200 and r.json() == expected(text)
    assert r.json()["quotes"][0]["text"] == "\ud800 الخطة جاهزة"
    r = client.post("/v1/attribute/batch", content=b'{"documents": [' + body + b"]}",
                    headers={"Content-Type": "application/json"})
    assert [json.loads(x) for x in r.text.splitlines()] == [expected(text)]


def test_a_body_that_is_not_utf8_is_400(client):
    r = client.post("/v1/attribute", content='{"text": "قال"}'.encode("utf-16"), headers={"Content-Type": "application/json"})
    assert "not UTF-8" in error_of(r, 400, "InputValueError")


def test_unknown_paths_and_methods_have_the_error_shape(client):
    error_of(client.get("/v1/nothing"), 404, "NotFound")
    error_of(client.get("/v1/attribute"), 405, "MethodNotAllowed")
    error_of(client.post("/v1/health"), 405, "MethodNotAllowed")


def test_a_bug_is_a_500_without_traceback_or_detail(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail at /home/someone/file.py")

    monkeypatch.setattr(serve, "attribute_quotes", broken)
    with TestClient(create_app("rules"), raise_server_exceptions=False) as c:
        r = c.post("/v1/attribute", json={"text": ONE})
        message = error_of(r, 500, "InternalError")
        assert "secret" not in r.text and "RuntimeError" not in r.text and "file.py" not in r.text
        assert "log" in message
        r = c.post("/v1/attribute/batch", json={"documents": [{"text": ONE}, {"text": TWO}]})
        lines = [json.loads(x) for x in r.text.splitlines()]
        assert r.status_code == 200 and [x["error"]["type"] for x in lines] == ["InternalError"] * 2
        assert "secret" not in r.text


# --- POST /v1/attribute/batch ---------------------------------------------------------------

def test_batch_streams_one_line_per_document_in_order(client):
    docs = [{"id": "a", "text": ONE}, {"text": TWO, "subjects": ["المدارس"]}, {"id": 7, "text": "ق" * 10},
            {"id": "bad", "text": ONE, "subjects": [""]}, {"id": "z", "text": HAMAS}]
    r = client.post("/v1/attribute/batch", json={"documents": docs, "subjects": ["حماس"]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    assert r.text.endswith("\n")
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert [x["id"] for x in lines] == ["a", "1", "7", "bad", "z"]
    assert lines[0] == expected(ONE, ["حماس"], "a")
    assert lines[1] == expected(TWO, ["المدارس"], "1")  # its own subjects win
    assert lines[2] == expected("ق" * 10, ["حماس"], "7")
    assert lines[3]["quotes"] == [] and lines[3]["error"]["type"] == "InputValueError"
    assert lines[4] == expected(HAMAS, ["حماس"], "z")


def test_batch_errors(client, small):
    assert client.post("/v1/attribute/batch", json={"documents": []}).text == ""
    error_of(client.post("/v1/attribute/batch", json={"documents": [{"id": "a"}]}), 422, "ValidationError")
    error_of(client.post("/v1/attribute/batch", json={"docs": []}), 422, "ValidationError")
    error_of(client.post("/v1/attribute/batch", json={"documents": [], "pipeline": "default"}), 400,
             "InputValueError")
    error_of(client.post("/v1/attribute/batch", json={"documents": [{"text": ONE}], "subjects": [" "]}), 400,
             "InputValueError")
    message = error_of(small.post("/v1/attribute/batch", json={"documents": [{"text": "ق"}] * 4}), 413,
                       "BatchTooLongError")
    assert "4" in message and "3" in message
    lines = small.post("/v1/attribute/batch", json={"documents": [{"text": "ق"}, {"text": "ق" * 201}]}).text
    assert [json.loads(x)["error"] and json.loads(x)["error"]["type"] for x in lines.splitlines()] == [
        None, "DocumentTooLongError"]


# --- GET /v1/health, /v1/info, /docs, / ---------------------------------------------------

def test_health_and_info(client):
    assert client.get("/v1/health").json() == {"status": "ok", "pipeline": "rules", "version": quoteattr.__version__}
    info = client.get("/v1/info").json()
    assert info["version"] == quoteattr.__version__ and info["pipeline"]["name"] == "rules"
    assert info["pipeline"]["components"] == quoteattr.load("rules").pipe_names
    assert info["limits"]["max_chars"] == serve.MAX_CHARS and info["auth"] is None
    card = info["model_card"]
    assert card["title"].startswith("Model card") and "speaker accuracy" in card["test_scores"]
    assert set(card["test_scores"]["speaker accuracy"]) == {"rules", "default"}
    assert "CC BY-NC-SA" in card["licence"] and card["components"]


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/v1/attribute", "/v1/attribute/batch", "/v1/health", "/v1/info"}
    batch = spec["paths"]["/v1/attribute/batch"]["post"]["responses"]
    assert "application/x-ndjson" in batch["200"]["content"] and "413" in batch


def test_the_page_is_one_self_contained_right_to_left_file(client):
    r = client.get("/")
    page = r.text
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in page
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|https?://", page)  # nothing fetched from elsewhere
    assert re.search(r"<textarea id=\"text\"", page) and 'type="file"' in page and 'id="subjects"' in page
    assert '<button id="analyze" type="submit">' in page and "overflow-wrap: anywhere" in page
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src 'sha256-" in csp
    settings = json.loads(re.search(r'<script type="application/json" id="settings">(.*?)</script>', page).group(1))
    assert settings["tokenRequired"] is False and settings["columns"] == list(QUOTE_COLUMNS)


# --- the token ---------------------------------------------------------------------------

def test_with_a_token_every_api_call_needs_it(guarded):
    calls = [("get", "/v1/health", None), ("get", "/v1/info", None),
             ("post", "/v1/attribute", {"text": ONE}), ("post", "/v1/attribute/batch", {"documents": [{"text": ONE}]})]
    for method, path, body in calls:
        r = getattr(guarded, method)(path, json=body) if body else getattr(guarded, method)(path)
        assert "no bearer token" in error_of(r, 401, "UnauthorizedError")
        assert r.headers["www-authenticate"] == 'Bearer realm="quoteattr"'
        for header in ("Bearer wrong-token-0123456789", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"):
            r = getattr(guarded, method)(path, headers={"Authorization": header}, **({"json": body} if body else {}))
            error_of(r, 401, "UnauthorizedError")
            assert r.headers["www-authenticate"].startswith("Bearer")
        r = getattr(guarded, method)(path, headers={"Authorization": f"Bearer {TOKEN}"}, **({"json": body} if body else {}))
        assert r.status_code == 200, r.text
    # before the body is read: no schema error, no size error leaks past a missing token
    r = guarded.post("/v1/attribute", content=b"{oops", headers={"Content-Type": "application/json"})
    error_of(r, 401, "UnauthorizedError")
    assert guarded.post("/v1/attribute", json={"text": ONE}, headers={"Authorization": f"bearer {TOKEN}"}).json() == \
        expected(ONE)
    # the page and the docs open without it; the page then asks for it
    page = guarded.get("/").text
    assert guarded.get("/").status_code == 200 and '"tokenRequired": true' in page
    assert guarded.get("/docs").status_code == 200
    assert "bearer" in json.dumps(guarded.get("/openapi.json").json()["components"]["securitySchemes"]).lower()


def test_a_short_token_is_refused():
    with pytest.raises(quoteattr.InputValueError, match="at least 16"):
        create_app("rules", token="short")


def test_without_a_token_nothing_is_asked(client):
    assert client.get("/v1/health", headers={"Authorization": "Bearer anything"}).status_code == 200


# --- CORS ----------------------------------------------------------------------------------

def test_cors_is_off_unless_asked_for(client):
    r = client.post("/v1/attribute", json={"text": ONE}, headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = client.options("/v1/attribute", headers={"Origin": "https://elsewhere.example",
                                                 "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_for_the_origins_given():
    app = create_app("rules", token=TOKEN, cors_origins=["https://newsroom.example"])
    with TestClient(app) as c:
        pre = c.options("/v1/attribute", headers={"Origin": "https://newsroom.example",
                                                  "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "authorization,content-type"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://newsroom.example"
        assert "authorization" in pre.headers["access-control-allow-headers"].lower()
        r = c.post("/v1/attribute", json={"text": ONE}, headers={"Origin": "https://newsroom.example",
                                                                  "Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://newsroom.example"
        r = c.get("/v1/health", headers={"Origin": "https://newsroom.example"})  # a 401 the page can read
        assert r.status_code == 401 and r.headers["access-control-allow-origin"] == "https://newsroom.example"
        r = c.get("/v1/health", headers={"Origin": "https://other.example", "Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


# --- the command line --------------------------------------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_serve_refuses_to_listen_beyond_loopback_without_a_token(host, capsys, monkeypatch):
    monkeypatch.delenv("QUOTEATTR_TOKEN", raising=False)
    started = []
    monkeypatch.setattr(serve, "run", lambda *a, **k: started.append(a))
    assert main(["serve", "--host", host, "--pipeline", "rules"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"quoteattr: refusing to listen on {host} without a token")
    assert "--token" in err and "QUOTEATTR_TOKEN" in err and started == []
    assert main(["serve", "--host", host, "--token", "short"]) == 2
    assert "at least 16" in capsys.readouterr().err and started == []


def test_serve_starts_with_a_token_or_on_loopback(capsys, monkeypatch):
    started = []
    monkeypatch.setattr(serve, "run", lambda config, **kw: started.append((config, kw)))
    monkeypatch.setenv("QUOTEATTR_TOKEN", TOKEN)
    assert main(["serve", "--host", "0.0.0.0", "--pipeline", "rules", "--workers", "2", "--port", "8123",
                 "--max-chars", "5000", "--cors-origin", "https://a.example"]) == 0
    config, kw = started[-1]
    assert config.token == TOKEN and config.workers == 2 and config.max_chars == 5000
    assert config.cors_origins == ("https://a.example",) and kw["host"] == "0.0.0.0" and kw["port"] == 8123
    monkeypatch.delenv("QUOTEATTR_TOKEN")
    assert main(["serve"]) == 0
    config, kw = started[-1]
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8000 and config.token is None and config.pipeline == "default"
    assert config.max_batch == serve.MAX_BATCH and config.max_bytes == serve.MAX_BYTES
    assert main(["serve", "--pipeline", "/no/such/folder"]) == 2
    assert "unknown pipeline" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["serve", "--workers", "0"])


def test_config_travels_to_the_workers_as_json():
    config = serve.ServeConfig(pipeline="rules", token=TOKEN, max_chars=10, cors_origins=("https://a.example",))
    assert serve.ServeConfig.from_json(config.to_json()) == config
    with pytest.raises(quoteattr.InputValueError):
        serve.ServeConfig(max_chars=quoteattr.MAX_LENGTH + 1)


def test_the_core_and_the_cli_work_without_the_serve_extra(tmp_path):
    script = ("import sys\nsys.modules['fastapi'] = None\nsys.modules['uvicorn'] = None\n"
              "import quoteattr, quoteattr.cli\nassert 'quoteattr.serve' not in sys.modules\n"
              "print(quoteattr.attribute_quotes('وقالت الوزارة إن المدارس ستفتح.', pipeline='rules')[0].text)\n"
              "sys.exit(quoteattr.cli.main(['serve']))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == "المدارس ستفتح"
    assert 'pip install "quoteattr[serve]"' in done.stderr and done.stderr.count("\n") == 1


def test_quoteattr_serve_with_two_workers_answers(tmp_path):
    """The real command, as a user starts it: two worker processes, each with its pipeline."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QUOTEATTR_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "quoteattr", "serve", "--pipeline", "rules", "--workers", "2",
                             "--port", str(port), "--log-level", "warning"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/v1/health", proc)
        with httpx.Client(base_url=url, timeout=60) as http:
            assert http.post("/v1/attribute", json={"text": ONE}).json() == expected(ONE)
            assert http.get("/v1/info").json()["pipeline"]["name"] == "rules"
        if Path("/proc").is_dir():  # Linux: the two workers are child processes of the supervisor
            children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == proc.pid]
            assert len(children) >= 2
    finally:
        proc.terminate()
        out = proc.communicate(timeout=60)[0]
    assert "Traceback" not in out, out[-3000:]


def _parent(proc_dir):
    try:
        return int((proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _wait_for(url, proc=None, limit=180.0):
    """Poll until ``url`` answers (a bound on how long to wait, not a speed check)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the server exited: {proc.stdout.read()[-3000:] if proc.stdout else ''}")
        try:
            if httpx.get(url, timeout=5).status_code in (200, 401):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


# --- a real server in a thread: streaming, and health during a long request --------------------

class LiveServer:
    """uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, app):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        _wait_for(f"{self.url}/v1/health")
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(60)
        self.sock.close()


@pytest.fixture(scope="module")
def live():
    with LiveServer(create_app("rules")) as server:
        yield server


@pytest.fixture()
def gate(monkeypatch):
    """attribute_quotes waits, for the text "انتظر", until the test opens the gate."""
    opened, entered = threading.Event(), threading.Event()
    real = serve.attribute_quotes

    def gated(text, *args, **kwargs):
        if text == "انتظر":
            entered.set()
            assert opened.wait(120)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(serve, "attribute_quotes", gated)
    yield opened, entered
    opened.set()


def test_health_answers_while_a_long_request_runs(live, gate):
    opened, entered = gate
    with httpx.Client(base_url=live.url, timeout=120) as http:
        result = {}
        slow = threading.Thread(target=lambda: result.update(r=http.post("/v1/attribute", json={"text": "انتظر"})))
        slow.start()
        assert entered.wait(60)
        assert httpx.get(f"{live.url}/v1/health", timeout=60).json()["status"] == "ok"
        assert not result  # the long request is still running
        opened.set()
        slow.join(120)
        assert result["r"].json() == {"id": "0", "quotes": [], "error": None}


def test_batch_lines_arrive_as_each_document_is_done(live, gate):
    opened, entered = gate
    body = {"documents": [{"id": "first", "text": ONE}, {"id": "second", "text": "انتظر"}]}
    with httpx.Client(base_url=live.url, timeout=120) as http:
        with http.stream("POST", "/v1/attribute/batch", json=body) as r:
            lines = r.iter_lines()
            first = json.loads(next(lines))  # sent while the second document is still held
            assert first == expected(ONE, doc_id="first") and not opened.is_set()
            assert entered.wait(60)
            opened.set()
            assert json.loads(next(lines))["id"] == "second"


# --- the page in headless Chromium ---------------------------------------------------------

def _binary(env, names):
    for name in (os.environ.get(env), *names):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _major(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"(\d+)\.\d+\.\d+", out)
    return m.group(1) if m else None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium = _binary("QUOTEATTR_CHROMIUM", ("chromium", "chromium-browser", "google-chrome"))
    driver_path = _binary("QUOTEATTR_CHROMEDRIVER", ("chromedriver", "/usr/lib/chromium/chromedriver"))
    if chromium is None or driver_path is None:
        pytest.skip("no chromium or no chromedriver (Debian: apt-get install chromium chromium-driver; "
                    ".ci/run installs both)")
    if _major(chromium) != _major(driver_path):
        pytest.fail(f"chromedriver {_major(driver_path)} ({driver_path}) cannot drive chromium {_major(chromium)} "
                    f"({chromium}): install the same version of both (Debian: chromium and chromium-driver), or "
                    "point $QUOTEATTR_CHROMIUM / $QUOTEATTR_CHROMEDRIVER at a matching pair")
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager: never download a driver
    downloads = tmp_path_factory.mktemp("downloads")
    options = Options()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=ar", f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _corpus_article():
    from quoteattr.evaluation.corpus import Corpus, default_corpus_dir

    if not default_corpus_dir().is_dir():
        pytest.skip("the SaudiNewsNet corpus is not at hand (../shared/corpora/saudinewsnet)")
    return Corpus().text(LONG_ARTICLE)


#: A long corpus article with many quotations (14,119 characters).
LONG_ARTICLE = "2015-07-21#474"
SUBJECTS = ["الفيلم", "لبنان", "سامية", "السعودية"]


def _analyse(driver, text, subjects="", via_keyboard=False):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("document.body.dataset.state = '';"
                          "document.getElementById('text').value = arguments[0];"
                          "document.getElementById('subjects').value = arguments[1];", text, subjects)
    if not via_keyboard:
        driver.find_element(By.ID, "analyze").click()
    WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.body.dataset.state")
                                     in ("done", "error"))
    return driver.execute_script("return document.body.dataset.state"), driver.find_element(By.ID, "status").text


PROBE = """
const article = document.getElementById('article');
const marks = Array.from(article.querySelectorAll('mark.quote'));
const width = document.documentElement.clientWidth;
const copy = article.cloneNode(true);
copy.querySelectorAll('.badges').forEach((b) => b.remove());
const quotes = {};  // the text of each quote's pieces, badges (numbers, chips) left out
copy.querySelectorAll('mark.quote').forEach((m) => { (quotes[m.dataset.quote] = quotes[m.dataset.quote] || []).push(m.textContent); });
const outside = [];
document.querySelectorAll('mark.quote, .badges, table.quotes td, button, textarea').forEach((el) => {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && (r.left < -1 || r.right > width + 1)) outside.push(el.tagName + ' ' + el.textContent.slice(0, 30));
});
return {marks: marks.length, quotes: quotes, text: copy.textContent, scrollWidth: document.documentElement.scrollWidth,
        clientWidth: width, outside: outside, dir: getComputedStyle(article).direction,
        cues: article.querySelectorAll('.hl.cue').length, speakers: article.querySelectorAll('.hl.speaker').length,
        rows: document.querySelectorAll('#quotes tbody tr').length,
        chips: Object.fromEntries(Array.from(article.querySelectorAll('.badges')).map((b) => [b.dataset.q,
          Array.from(b.querySelectorAll('.stance bdi')).map((x) => x.textContent)])),
        xss: window.__xss === undefined ? null : window.__xss};
"""


def _wait_download(folder, suffix):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} download in {folder}: {list(folder.iterdir())}")


def test_the_page_shows_every_quote_of_a_long_real_article_and_downloads_them(live, browser):
    from selenium.webdriver.common.by import By

    text = _corpus_article()
    api = httpx.post(f"{live.url}/v1/attribute?mentions=true", json={"text": text, "subjects": SUBJECTS},
                     timeout=120).json()
    quotes = api["quotes"]
    assert len(quotes) >= 20
    browser.get(live.url + "/")
    assert browser.execute_script("return [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    state, status = _analyse(browser, text, "، ".join(SUBJECTS))
    assert state == "done", status
    assert str(len(quotes)) in status
    r = browser.execute_script(PROBE)
    # every quote highlighted, with its own text, cue and speaker marked; the article text unchanged
    assert r["marks"] == len(quotes) and sorted(r["quotes"], key=int) == [str(i) for i in range(len(quotes))]
    for i, q in enumerate(quotes):
        assert "".join(r["quotes"][str(i)]) == q["text"]
    assert r["cues"] >= sum(1 for q in quotes if q["cue"]) and r["speakers"] >= sum(1 for q in quotes if q["speaker"])
    assert r["text"] == text.replace("\r\n", "\n").replace("\r", "\n")
    assert r["dir"] == "rtl" and r["rows"] == len(quotes)
    # stance chips only for the subjects each quote mentions (as the server says)
    assert r["chips"] == {str(i): m for i, m in enumerate(api["mentions"])} and any(api["mentions"])
    # nothing sticks out sideways, and every highlight is displayed
    assert r["scrollWidth"] <= r["clientWidth"] and r["outside"] == [], r["outside"][:5]
    marks = browser.find_elements(By.CSS_SELECTOR, "#article mark.quote")
    assert all(m.is_displayed() for m in marks)
    browser.set_window_size(500, 900)  # a narrow window (a phone): still nothing sideways
    try:
        narrow = browser.execute_script(PROBE)
        assert narrow["scrollWidth"] <= narrow["clientWidth"] and narrow["outside"] == [], narrow["outside"][:5]
    finally:
        browser.set_window_size(1280, 1000)

    shot = Path(os.environ.get("QUOTEATTR_SERVE_SHOT", ARTIFACTS / "serve-page.png"))
    shot.parent.mkdir(parents=True, exist_ok=True)
    browser.execute_script("document.getElementById('results').scrollIntoView()")
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    browser.find_element(By.ID, "dl-csv").click()
    path = _wait_download(browser.downloads, ".quotes.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(quotes) and list(rows[0]) == list(QUOTE_COLUMNS)
    for row, q in zip(rows, quotes):
        want = quote_row("document", quoteattr.Quote.from_dict(q))
        for col in QUOTE_COLUMNS:
            w = want[col]
            if col == "stances":
                assert json.loads(row[col]) == w
            elif col == "confidence":
                assert float(row[col]) == w
            else:
                assert row[col] == ("" if w is None else str(w)), (col, row[col], w)
    browser.find_element(By.ID, "dl-jsonl").click()
    path = _wait_download(browser.downloads, ".quotes.jsonl")
    lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    assert lines == [{"doc_id": "document", **q} for q in quotes]


def test_the_page_escapes_what_it_is_given(live, browser):
    text = ('<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> &amp; '
            'وقال الوزير إن "<b>الخطة</b>" جاهزة. 😀 وأضاف أن الأُمّـةَ <i>ستنتصر</i>.')
    browser.get(live.url + "/")
    state, status = _analyse(browser, text)
    assert state == "done", status
    r = browser.execute_script(PROBE)
    assert r["xss"] is None and r["text"] == text
    assert r["marks"] == len(expected(text)["quotes"]) >= 2
    assert browser.execute_script("return document.querySelectorAll('#article script, #article img, #article b').length") == 0
    # offsets after an emoji (two UTF-16 units, one code point) still land on the quote
    assert "".join(r["quotes"][str(r["marks"] - 1)]) == expected(text)["quotes"][-1]["text"]


def test_the_page_works_by_keyboard_alone(live, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live.url + "/")
    upload = tmp_path / "بيان.txt"
    upload.write_text(ARTICLE, encoding="utf-8")
    browser.find_element(By.ID, "file").send_keys(str(upload))  # read by FileReader, in the page
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.getElementById('text').value"))
    assert browser.execute_script("return document.getElementById('text').value") == ARTICLE
    browser.execute_script("document.body.dataset.state = ''; document.activeElement.blur();")
    seen = []
    for _ in range(8):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        seen.append(active.get_attribute("id"))
        if seen[-1] == "analyze":
            break
    assert seen[-1] == "analyze" and {"text", "file", "subjects"} <= set(seen), seen
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser, 60).until(lambda d: d.execute_script("return document.body.dataset.state") == "done")
    n = len(expected(ARTICLE)["quotes"])
    assert browser.execute_script("return document.querySelectorAll('#article mark.quote').length") == n
    # Tab on to the table's first "go to" button; Enter brings its quote into view and focus
    for _ in range(6):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element.get_attribute("class") == "goto":
            break
    assert browser.switch_to.active_element.tag_name == "button"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "q1"
    browser.find_element(By.ID, "dl-csv").click()
    assert _wait_download(browser.downloads, "بيان.quotes.csv").stat().st_size > 0  # named after the file


def test_the_page_sends_the_token(browser):
    from selenium.webdriver.common.by import By

    with LiveServer(create_app("rules", token=TOKEN)) as server:
        browser.get(server.url + "/")
        assert browser.find_element(By.ID, "token").is_displayed()
        state, status = _analyse(browser, ONE)
        assert state == "error" and "UnauthorizedError" in status
        browser.find_element(By.ID, "token").send_keys("wrong-token-0123456789")
        state, status = _analyse(browser, ONE)
        assert state == "error" and "wrong bearer token" in status
        browser.find_element(By.ID, "token").clear()
        browser.find_element(By.ID, "token").send_keys(TOKEN)
        state, status = _analyse(browser, ONE)
        assert state == "done", status
        assert browser.execute_script("return document.querySelectorAll('#article mark.quote').length") == 1


# --- the default pipeline, and the README's curl example --------------------------------------

def _readme_example():
    section = re.search(r"^## Serving over HTTP\n(.*?)(?=^## )", (ROOT / "README.md").read_text("utf-8"), re.S | re.M)
    assert section, "README.md has no 'Serving over HTTP' section"
    m = re.search(r"```bash\n(curl [^`]*?)```\n+```json\n(.*?)```", section.group(1), re.S)
    assert m, "the section has no curl example followed by its output"
    body = re.search(r"-d '(.*?)'", m.group(1), re.S).group(1)
    return m.group(1), json.loads(body), json.loads(m.group(2))


def test_the_default_pipeline_and_the_readme_curl_example():
    command, body, shown = _readme_example()
    assert "127.0.0.1:8000/v1/attribute" in command
    with TestClient(create_app("default")) as c:
        assert c.get("/v1/info").json()["pipeline"]["components"] == quoteattr.load("default").pipe_names
        r = c.post("/v1/attribute", json=body)
        assert r.status_code == 200
        assert r.json() == shown  # what the README prints is what the server says
        want = quoteattr.attribute_quotes(body["text"], body.get("subjects"))
        assert r.json()["quotes"] == json.loads(json.dumps([q.to_dict() for q in want]))
