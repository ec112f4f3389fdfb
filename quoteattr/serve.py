"""``quoteattr serve``: an HTTP API and a web page over :func:`quoteattr.attribute_quotes`.

Needs the ``serve`` extra (``pip install "quoteattr[serve]"``: FastAPI and uvicorn). Nothing
in the core imports this module; the command line imports it only for ``quoteattr serve``.

    from quoteattr.serve import create_app
    app = create_app("rules")              # any ASGI server: uvicorn, hypercorn, ...

Endpoints (their JSON is the library's ``to_dict()`` schema; OpenAPI docs at ``/docs``):

- ``POST /v1/attribute``: ``{"text", "subjects", "pipeline"}`` → ``DocResult.to_dict()``;
- ``POST /v1/attribute/batch``: ``{"documents": [{"id", "text", "subjects"}, ...]}`` → JSON
  Lines (``application/x-ndjson``), one ``DocResult.to_dict()`` per document, in order,
  streamed; a document that fails has its ``error`` set and the others go on;
- ``GET /v1/health``, ``GET /v1/info`` (version, pipeline, limits, model card summary);
- ``GET /``: the page (paste or upload Arabic text, see its quotations).

Errors are ``{"error": {"type", "message"}}``: 400 for :class:`InputTypeError` and
:class:`InputValueError`, 413 for :class:`DocumentTooLongError`, a body over ``max_bytes``
or a batch over ``max_batch``, 422 for a body that does not match the schema, 401 for a
missing or wrong bearer token (when the server has one), 500 (no details) for a bug. No
endpoint reads or writes files: a request's ``pipeline`` may only name the pipeline the
server loaded at startup (once per worker process).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__
from .api import DEFAULT_MODEL, MAX_LENGTH, PIPELINES, DocError, DocResult, attribute_quotes, load
from .checks import MAX_SUBJECTS, check_subjects
from .errors import (
    DocumentTooLongError,
    InputTypeError,
    InputValueError,
    ModelLoadError,
    QuoteAttrError,
)
from .tabular import QUOTE_COLUMNS
from .types import Quote
from .visualize import CSS, mentioned

__all__ = ["create_app", "app_from_env", "ServeConfig", "BatchTooLongError", "RequestTooLargeError",
           "is_loopback", "check_exposure"]

_log = logging.getLogger("quoteattr.serve")

#: Defaults of ``create_app`` and ``quoteattr serve``: the longest document in characters (a
#: long news article has 20,000), documents per batch, and bytes per request body.
MAX_CHARS = 100_000
MAX_BATCH = 64
MAX_BYTES = 8 * 1024 * 1024
#: Threads running ``attribute_quotes`` at once in one worker process (the event loop stays
#: free for ``/v1/health`` and the page while they run).
THREADS = 2
#: The environment variable that carries the configuration to uvicorn's worker processes.
CONFIG_ENV = "QUOTEATTR_SERVE_CONFIG"
#: The environment variable read for the bearer token when ``--token`` is not given.
TOKEN_ENV = "QUOTEATTR_TOKEN"
#: The shortest token accepted (a guessable token is no protection).
MIN_TOKEN = 16


class RequestTooLargeError(InputValueError):
    """A request body is larger than the server's ``max_bytes``."""


class BatchTooLongError(InputValueError):
    """A batch holds more documents than the server's ``max_batch``."""


class UnauthorizedError(QuoteAttrError):
    """A request to ``/v1/`` without the server's bearer token."""


def _status(exc: QuoteAttrError) -> int:
    if isinstance(exc, (DocumentTooLongError, RequestTooLargeError, BatchTooLongError)):
        return 413
    if isinstance(exc, UnauthorizedError):
        return 401
    if isinstance(exc, (InputTypeError, InputValueError)):
        return 400
    if isinstance(exc, ModelLoadError):
        return 503
    return 500


def _error_body(type_name: str, message: str) -> dict[str, Any]:
    return {"error": {"type": type_name, "message": message}}


def _json_bytes(content: Any) -> bytes:
    """UTF-8 JSON; where a text holds a lone surrogate (which UTF-8 cannot carry, and which
    the library accepts), that answer is written with \\u escapes instead."""
    try:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


class _JSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return _json_bytes(content)


# --- configuration ---------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Is ``host`` an address of this machine only (127.0.0.0/8, ::1, ``localhost``)?

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0"), is_loopback("10.0.0.5")
    (True, True, False, False)
    """
    import ipaddress

    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Refuse (``InputValueError``) to listen beyond loopback without a token of at least
    :data:`MIN_TOKEN` characters; a token, when given, must be that long anywhere."""
    if token is not None and len(token.strip()) < MIN_TOKEN:
        raise InputValueError(f"the token must have at least {MIN_TOKEN} characters (got {len(token.strip())}): "
                              "e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if token is None and not is_loopback(host):
        raise InputValueError(
            f"refusing to listen on {host} without a token: anyone who can reach it could use it. "
            f"Give --token or set ${TOKEN_ENV} (every API call then needs 'Authorization: Bearer "
            "<token>'), or listen on 127.0.0.1"
        )


def _pipeline_name(pipeline: str) -> str:
    """The name shown to clients: a built-in name, or a saved folder's name (not its path)."""
    return pipeline if pipeline in PIPELINES else Path(pipeline).name


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class ServeConfig:
    """What a server process needs; passed to uvicorn's workers as JSON in :data:`CONFIG_ENV`."""

    pipeline: str = "default"
    token: str | None = None
    max_chars: int = MAX_CHARS
    max_batch: int = MAX_BATCH
    max_bytes: int = MAX_BYTES
    cors_origins: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    workers: int = 1

    def __attrs_post_init__(self) -> None:
        for name in ("max_chars", "max_batch", "max_bytes", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputValueError(f"{name} must be a positive int, got {value!r}")
        if self.max_chars > MAX_LENGTH:
            raise InputValueError(f"max_chars must be at most the library's limit of {MAX_LENGTH:,}, "
                                  f"got {self.max_chars:,}")
        if not isinstance(self.pipeline, str) or not self.pipeline.strip():
            raise InputTypeError(f"pipeline must be one of {PIPELINES} or a folder, not {self.pipeline!r}")
        if self.token is not None:
            check_exposure("127.0.0.1", self.token)
        for origin in self.cors_origins:
            if not isinstance(origin, str) or not origin.strip():
                raise InputValueError(f"a CORS origin must be a non-empty str, got {origin!r}")

    def to_json(self) -> str:
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_json(cls, data: str) -> ServeConfig:
        return cls(**json.loads(data))


# --- request and response schemas (the response models document; they do not validate) ---


class AttributeRequest(BaseModel):
    """One document."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "وقال وزير الصحة إن الحملة ستبدأ غدا.", "subjects": ["الحملة"]}]})

    text: StrictStr = Field(description="the document's text (at most the server's max_chars characters)")
    subjects: list[StrictStr] | None = Field(
        default=None, description="subjects to give each quote's stance toward (at most 100, each a name)")
    pipeline: StrictStr | None = Field(
        default=None, description="must be the server's pipeline (GET /v1/info) or absent: a server "
                                  "runs the one pipeline it loaded at startup")
    id: StrictStr | None = Field(default=None, description="echoed back as the result's id (default '0')")


class BatchDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: StrictStr | StrictInt | None = Field(default=None, description="default: the document's position")
    text: StrictStr
    subjects: list[StrictStr] | None = Field(default=None, description="default: the batch's subjects")


class BatchRequest(BaseModel):
    """Many documents: one result line per document, in order."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"documents": [{"id": "a1", "text": "وأكدت الوزارة أن المدارس ستفتح."},
                       {"id": "a2", "text": "وقال المتحدث: «لن نقبل بأي تأخير»."}]}]})

    documents: list[BatchDocument] = Field(description="at most the server's max_batch documents")
    subjects: list[StrictStr] | None = None
    pipeline: StrictStr | None = None


class CueModel(BaseModel):
    text: str
    start: int
    end: int
    lemma: str
    category: str


class SpeakerModel(BaseModel):
    text: str
    start: int
    end: int
    name: str
    resolved: bool


class StanceModel(BaseModel):
    subject: str
    label: str
    score: float


class QuoteModel(BaseModel):
    text: str
    start: int = Field(description="code point offset into the text sent")
    end: int
    kind: str = Field(description="direct, indirect or mixed")
    cue: CueModel | None
    speaker: SpeakerModel | None
    stances: list[StanceModel]
    confidence: float


class ErrorDetail(BaseModel):
    type: str = Field(description="the library's exception class (InputValueError, ...)")
    message: str


class DocResultModel(BaseModel):
    """``DocResult.to_dict()``; with ``?mentions=true`` also ``mentions``."""

    id: str
    quotes: list[QuoteModel]
    error: ErrorDetail | None
    mentions: list[list[str]] | None = Field(
        default=None, description="only with ?mentions=true: for each quote, the subjects it mentions")


class ErrorBody(BaseModel):
    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "InputTypeError / InputValueError"},
    401: {"model": ErrorBody, "description": "a bearer token is needed (servers started with one)"},
    413: {"model": ErrorBody, "description": "DocumentTooLongError, body or batch too large"},
    422: {"model": ErrorBody, "description": "the body does not match the schema"},
}


# --- middleware: token and body size, before anything reads the request -----------------


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


class _Guard:
    """Pure ASGI middleware: the bearer token on ``/v1/``, then the body size limit (the body
    is read here, at most ``max_bytes`` of it, and handed on)."""

    def __init__(self, app: ASGIApp, token: str | None, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.token = None if token is None else _digest(token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope.get("path", "")
        if self.token is not None and (path == "/v1" or path.startswith("/v1/")) and scope["method"] != "OPTIONS":
            header = headers.get("authorization")
            why = self._refusal(header)
            if why is not None:  # RFC 6750: no error code when no credentials were sent
                challenge = 'Bearer realm="quoteattr"' + (', error="invalid_token"' if header else "")
                await _JSONResponse(_error_body("UnauthorizedError", why), 401,
                                   headers={"WWW-Authenticate": challenge})(scope, receive, send)
                return
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await self._refuse(scope, receive, send, 400, InputValueError(
                    f"the Content-Length header is not a number: {declared[:40]!r}"))
                return
            if int(declared) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await self._refuse(scope, receive, send, 400, InputValueError(
                f"the request body is not UTF-8 (byte {exc.start:,} is {body[exc.start:exc.start + 1]!r}): "
                "send JSON in UTF-8"))
            return

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _refusal(self, header: str | None) -> str | None:
        if not header:
            return "no bearer token: this server needs the header 'Authorization: Bearer <token>'"
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return "the Authorization header must be 'Bearer <token>'"
        assert self.token is not None
        if not hmac.compare_digest(_digest(value.strip()), self.token):
            return "wrong bearer token"
        return None

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._refuse(scope, receive, send, 413, RequestTooLargeError(
            f"the request body is larger than this server's limit of {self.max_bytes:,} bytes: "
            "send fewer or shorter documents per request"))

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, exc: QuoteAttrError) -> None:
        await _JSONResponse(_error_body(type(exc).__name__, str(exc)), status,
                            headers={"Connection": "close"})(scope, receive, send)


# --- model card summary --------------------------------------------------------------


def _plain(s: str) -> str:
    return re.sub(r"\*\*|`", "", s).strip()


def _first_table(lines: list[str]) -> list[list[str]]:
    """The rows (cells, markdown removed) of the first table in ``lines``, without its rule."""
    rows: list[list[str]] = []
    for ln in lines:
        if ln.startswith("|"):
            cells = [_plain(c) for c in ln.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                rows.append(cells)
        elif rows:
            break
    return rows


def _card_summary(card: str) -> dict[str, Any]:
    """The title, first paragraph, components, test scores and licence of MODEL_CARD.md."""
    lines = card.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("# ")), -1)
    sections: dict[str, list[str]] = {}
    current = ""
    for ln in lines:
        if ln.startswith("## "):
            current = ln[3:].strip().lower()
            sections[current] = []
        elif current:
            sections[current].append(ln)
    intro: list[str] = []  # the first paragraph after the title
    for ln in lines[start + 1:]:
        if ln.strip():
            intro.append(ln.strip())
        elif intro:
            break
    components = [{"component": r[0], "what": r[1], "trained": r[2]}
                  for r in _first_table(lines[start + 1:])[1:] if len(r) >= 3]
    scores: dict[str, dict[str, str]] = {}
    table = _first_table(sections.get("scores", []))
    if table:
        scores = {r[0]: dict(zip(table[0][1:], r[1:])) for r in table[1:]}
    bullets: list[str] = []  # the licence section's bullets, continuation lines joined
    for ln in sections.get("licence and intended use", []):
        if ln.startswith("- "):
            bullets.append(ln[2:].strip())
        elif ln.startswith("  ") and bullets:
            bullets[-1] += " " + ln.strip()
    return {"title": _plain(lines[start][2:]) if start >= 0 else "",
            "summary": _plain(" ".join(intro)).rstrip(":"), "components": components, "test_scores": scores,
            "licence": _plain(bullets[0]) if bullets else "",
            "intended_use": _plain(bullets[1]) if len(bullets) > 1 else "",
            "full_card": "quoteattr/models/MODEL_CARD.md in the package"}


def _model_card(pipeline: str) -> dict[str, Any] | None:
    if pipeline not in PIPELINES:
        return None  # a saved folder: its own card, if any, is not ours to summarise
    path = DEFAULT_MODEL.parent / "MODEL_CARD.md"
    try:
        card = path.read_text(encoding="utf-8")
    except OSError:
        return None
    summary = _card_summary(card)
    summary["describes"] = "the default pipeline (its scores table also gives the rules pipeline's)"
    return summary


# --- the application -----------------------------------------------------------------


def _page(config: ServeConfig) -> tuple[str, str]:
    """The page's HTML (read once, at startup) and its Content-Security-Policy."""
    import base64

    template = (resources.files("quoteattr") / "static" / "serve.html").read_text(encoding="utf-8")
    settings = {"tokenRequired": config.token is not None, "maxChars": config.max_chars,
                "maxBytes": config.max_bytes, "columns": list(QUOTE_COLUMNS), "version": __version__,
                "pipeline": _pipeline_name(config.pipeline)}
    page = template.replace("/*VISUALIZE_CSS*/", CSS).replace(
        "{{SETTINGS}}", json.dumps(settings).replace("<", "\\u003c"))
    hashes = []
    for tag in ("script", "style"):
        for body in re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S):
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            hashes.append((tag, f"'sha256-{digest}'"))
    script = " ".join(h for t, h in hashes if t == "script")
    style = " ".join(h for t, h in hashes if t == "style")
    # Inline script and style only by hash: text from a request can never run as script.
    csp = (f"default-src 'none'; script-src {script}; style-src {style}; connect-src 'self'; "
           "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return page, csp


def create_app(
    pipeline: str = "default",
    *,
    token: str | None = None,
    max_chars: int = MAX_CHARS,
    max_batch: int = MAX_BATCH,
    max_bytes: int = MAX_BYTES,
    cors_origins: Sequence[str] = (),
    workers: int = 1,
) -> FastAPI:
    """The ASGI application. ``pipeline`` (``"default"``, ``"rules"`` or a saved folder) is
    loaded once, when the application starts (its lifespan), in each worker process; with
    ``token`` every ``/v1/`` request needs ``Authorization: Bearer <token>``; ``cors_origins``
    lists the origins allowed to call it from a browser (none by default)."""
    if isinstance(pipeline, os.PathLike):
        pipeline = os.fspath(pipeline)
    config = ServeConfig(pipeline=pipeline, token=token, max_chars=max_chars, max_batch=max_batch,
                         max_bytes=max_bytes, cors_origins=tuple(cors_origins), workers=workers)
    return _build(config)


def app_from_env() -> FastAPI:
    """The application configured by :data:`CONFIG_ENV` (uvicorn's factory in each worker)."""
    data = os.environ.get(CONFIG_ENV)
    if not data:
        raise InputValueError(f"${CONFIG_ENV} is not set: start the server with `quoteattr serve`")
    return _build(ServeConfig.from_json(data))


def _build(config: ServeConfig) -> FastAPI:
    name = _pipeline_name(config.pipeline)
    page, csp = _page(config)
    card = _model_card(config.pipeline)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.workers > 1 and config.pipeline != "rules":
            _share_cores(config.workers)
        nlp = await anyio.to_thread.run_sync(load, config.pipeline)
        state["components"] = list(nlp.pipe_names)
        state["limiter"] = anyio.CapacityLimiter(THREADS)
        logging.getLogger("uvicorn.error").info("quoteattr %s: pipeline %s loaded in process %d (%d components)",
                                                __version__, name, os.getpid(), len(nlp.pipe_names))
        yield

    app = FastAPI(
        title="quoteattr", version=__version__, lifespan=lifespan, default_response_class=_JSONResponse,
        description="Quotations in Arabic text, their cues and speakers, and stance toward subjects. "
                    "The JSON is the library's `to_dict()` schema. Errors are "
                    '`{"error": {"type", "message"}}`.' + (
                        " Every /v1/ call needs `Authorization: Bearer <token>`." if config.token else ""),
    )
    app.add_middleware(_Guard, token=config.token, max_bytes=config.max_bytes)
    if config.cors_origins:  # added last: outermost, so preflight requests are answered first
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])
    # For the docs' "Authorize" button only: _Guard checks the token.
    deps = [] if config.token is None else [Depends(HTTPBearer(auto_error=False, description="the server's token"))]

    @app.exception_handler(QuoteAttrError)
    async def library_error(request: Request, exc: QuoteAttrError) -> JSONResponse:
        status = _status(exc)
        if status >= 500:
            _log.error("quoteattr: %s: %s", type(exc).__name__, exc)
        return _JSONResponse(_error_body(type(exc).__name__, str(exc)), status)

    @app.exception_handler(RequestValidationError)
    async def schema_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:10]:
            loc = [str(x) for x in err.get("loc", ())]
            if err.get("type") == "json_invalid":  # loc: ("body", position)
                parts.append(f"the body is not JSON ({err.get('ctx', {}).get('error', 'decode error')} "
                             f"at character {loc[-1] if len(loc) > 1 else '?'})")
                continue
            where = ".".join(x for x in loc if x != "body") or "body"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        more = len(exc.errors()) - 10
        message = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
        return _JSONResponse(_error_body("ValidationError", message), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(exc.status_code).phrase
        except ValueError:
            phrase = "Error"
        message = exc.detail if isinstance(exc.detail, str) else phrase
        return _JSONResponse(_error_body(phrase.title().replace(" ", "").replace("-", ""), message),
                            exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("quoteattr: internal error on %s %s", request.method, request.url.path)
        return _JSONResponse(_error_body("InternalError", "internal server error; the server's log has the details"),
                            500)

    def check_pipeline(requested: str | None) -> None:
        if requested is not None and requested not in (name, config.pipeline):
            raise InputValueError(f"this server runs the pipeline {name!r} and loads no other: leave "
                                  f"'pipeline' out or set it to {name!r} (asked for {requested[:100]!r})")

    def attribute(text: str, subjects: tuple[str, ...] | None) -> list[Quote]:
        if len(text) > config.max_chars:
            raise DocumentTooLongError(
                f"the text has {len(text):,} characters, more than this server's limit of "
                f"{config.max_chars:,}: split it into articles or paragraphs first")
        return attribute_quotes(text, subjects, pipeline=config.pipeline)

    def one(doc_id: str, text: str, subjects: tuple[str, ...] | None) -> DocResult:
        """A batch document's result: the library's errors are reported, a bug is logged."""
        try:
            return DocResult(doc_id, tuple(attribute(text, subjects)))
        except QuoteAttrError as exc:
            return DocResult(doc_id, (), DocError(type(exc).__name__, str(exc)))
        except Exception:
            _log.exception("quoteattr: internal error on document %r of a batch", doc_id)
            return DocResult(doc_id, (), DocError("InternalError", "internal server error; the server's log "
                                                                   "has the details"))

    @app.post("/v1/attribute", tags=["attribution"], responses={200: {"model": DocResultModel}, **_ERRORS},
              dependencies=deps, summary="Quotations of one document")
    async def attribute_one(
        body: AttributeRequest,
        mentions: bool = Query(False, description="also give, for each quote, the subjects it mentions "
                                                  "(the page shows stance chips for those only)"),
    ) -> JSONResponse:
        check_pipeline(body.pipeline)
        subjects = check_subjects(body.subjects)
        def run() -> dict[str, Any]:  # in a worker thread: the event loop stays free
            quotes = attribute(body.text, subjects)
            out = DocResult(body.id if body.id is not None else "0", tuple(quotes)).to_dict()
            if mentions:
                out["mentions"] = [[s.subject for s in q.stances if mentioned(body.text, q, s.subject)]
                                   for q in quotes]
            return out

        return _JSONResponse(await anyio.to_thread.run_sync(run, limiter=state["limiter"]))

    @app.post("/v1/attribute/batch", tags=["attribution"], dependencies=deps, summary="Quotations of many documents",
              response_class=StreamingResponse,
              responses={200: {"content": {"application/x-ndjson": {"schema": DocResultModel.model_json_schema()}},
                               "description": "JSON Lines: one DocResult.to_dict() per document, in order"},
                         **_ERRORS})
    async def attribute_batch(body: BatchRequest) -> StreamingResponse:
        check_pipeline(body.pipeline)
        if len(body.documents) > config.max_batch:
            raise BatchTooLongError(f"the batch has {len(body.documents):,} documents, more than this server's "
                                    f"limit of {config.max_batch:,}: send them in several batches")
        shared = check_subjects(body.subjects)
        limiter = state["limiter"]

        async def lines() -> AsyncIterator[bytes]:
            for i, doc in enumerate(body.documents):
                doc_id = str(i if doc.id is None else doc.id)
                try:
                    subjects = shared if doc.subjects is None else check_subjects(doc.subjects)
                except QuoteAttrError as exc:
                    result = DocResult(doc_id, (), DocError(type(exc).__name__, str(exc)))
                else:
                    result = await anyio.to_thread.run_sync(one, doc_id, doc.text, subjects, limiter=limiter)
                yield _json_bytes(result.to_dict()) + b"\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @app.get("/v1/health", tags=["service"], dependencies=deps, summary="Is the server up")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "pipeline": name, "version": __version__}

    @app.get("/v1/info", tags=["service"], dependencies=deps, summary="Version, pipeline, limits, model card")
    async def info() -> dict[str, Any]:
        return {
            "name": "quoteattr",
            "version": __version__,
            "pipeline": {"name": name, "components": state.get("components", [])},
            "limits": {"max_chars": config.max_chars, "max_batch": config.max_batch,
                       "max_bytes": config.max_bytes, "max_subjects": MAX_SUBJECTS},
            "auth": "bearer" if config.token else None,
            "model_card": card,
        }

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff",
                                           "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    return app


def _share_cores(workers: int) -> None:
    """Each of ``workers`` processes gets its share of the cores for PyTorch."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // workers))


def run(config: ServeConfig, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve ``config`` with uvicorn (blocks). Each of ``config.workers`` processes builds the
    application from :data:`CONFIG_ENV` and loads the pipeline once."""
    import uvicorn

    check_exposure(host, config.token)
    os.environ[CONFIG_ENV] = config.to_json()
    uvicorn.run("quoteattr.serve:app_from_env", factory=True, host=host, port=port, workers=config.workers,
                log_level=log_level, server_header=False, proxy_headers=False)
