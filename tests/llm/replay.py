"""Replay real Gemini response shapes to the real google-genai client, and record what it sent.

The fixtures under `fixtures/gemini/` are response bodies of the real Gemini API, transcribed
from public recordings of real traffic (each file's "source" says which recording and which
interaction, and says so when a fixture is a variant or was constructed). A fixture file is

    {"source": "...", "status": 200, "stream": false, "body": {...}}      an answer or an error
    {"source": "...", "status": 200, "stream": true, "chunks": [{...}]}   one JSON per SSE event

`replay_server` serves queued fixtures in order, one per request, on the two Gemini REST routes
(`POST /{version}/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`):

    with replay_server(["generate_safety_blocked_flash"]) as (base_url, recorder):
        provider = GoogleProvider(api_key="x", base_url=base_url)
        model = GoogleModel("gemini-2.5-flash", provider=provider)
        ...                                    # run the pipeline against `model`
    recorder.requests[0].model                 # "gemini-2.5-flash"
    recorder.requests[0].safety_settings       # what was sent

A request with no fixture left, on another route, or of the wrong kind (a streamed answer queued
for a non-streamed request, or the reverse) is answered HTTP 500 with a message saying so, in
Google's error shape, and recorded in `recorder.errors`; leaving the `with` block then fails the
test (also when queued fixtures were never asked for), unless `check=False`.

`substitute_payload(load_fixture(name), {...})` puts a test's own structured output into a
recorded answer, its shape and usage unchanged. Give `GoogleProvider` an `http_client` that the
test closes (an `httpx2.AsyncClient` with a timeout above httpx's 5 s, or pydantic-ai warns): the
client a provider builds itself is never closed, which warnings-as-errors reports as an unclosed
socket in some later test.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

FIXTURES_DIR = Path(__file__).parent / "fixtures" / "gemini"

GENERATE = "generateContent"
STREAM = "streamGenerateContent"
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_STARTUP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Fixture:
    """One recorded answer: an HTTP status and either a JSON body or the JSON of each SSE event."""

    name: str
    source: str
    status: int
    stream: bool
    body: Any = None
    chunks: tuple[dict[str, Any], ...] = ()

    def responses(self) -> list[dict[str, Any]]:
        """The GenerateContentResponse objects it holds: the body, or each event of a stream."""
        return list(self.chunks) if self.stream else [self.body]


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES_DIR.glob("*.json"))


def load_fixture(name: str) -> Fixture:
    """The fixture `fixtures/gemini/<name>.json` (a fresh copy: changing it changes no other)."""
    path = FIXTURES_DIR / f"{name.removesuffix('.json')}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no fixture {path.name}; there are: {', '.join(fixture_names())}")
    data = json.loads(path.read_text(encoding="utf-8"))
    expected = {"source", "status", "stream", "chunks" if data.get("stream") else "body"}
    if set(data) != expected:
        raise ValueError(
            f"fixture {path.name} has keys {sorted(data)}, expected {sorted(expected)}"
        )
    if not isinstance(data["status"], int) or not isinstance(data["stream"], bool):
        raise ValueError(f"fixture {path.name}: status must be an int and stream a bool")
    if data["stream"] and (not isinstance(data["chunks"], list) or not data["chunks"]):
        raise ValueError(f"fixture {path.name}: a stream needs a non-empty list of chunks")
    return Fixture(
        name=path.stem,
        source=data["source"],
        status=data["status"],
        stream=data["stream"],
        body=data.get("body"),
        chunks=tuple(data.get("chunks") or ()),
    )


def substitute_payload(fixture: Fixture, payload: Any, *, tool_name: str | None = None) -> Fixture:
    """A copy of `fixture` whose structured payload is `payload`, shape and usage unchanged.

    The first answer part that carries a `functionCall` or (non-thought) `text` is rewritten: a
    function call gets `payload` (a dict) as its `args` (and `tool_name` as its name, if given); a
    text part gets `payload` itself if it is a string, else its JSON. In a stream, the text parts
    of later events are emptied (events, finish reasons and usage stay), so the whole payload
    arrives in the first one.
    """
    responses = copy.deepcopy(fixture.responses())
    found: dict[str, Any] | None = None
    for response in responses:
        for part in _answer_parts(response):
            if found is None and "functionCall" in part:
                if not isinstance(payload, Mapping):
                    raise TypeError(f"{fixture.name}: a functionCall's args must be a dict")
                part["functionCall"]["args"] = dict(payload)
                if tool_name is not None:
                    part["functionCall"]["name"] = tool_name
                found = part
            elif found is None and "text" in part and not part.get("thought"):
                part["text"] = payload if isinstance(payload, str) else json.dumps(payload)
                found = part
            elif (
                found is not None and "text" in found and "text" in part and not part.get("thought")
            ):
                part["text"] = ""
    if found is None:
        raise ValueError(f"fixture {fixture.name} has no text or functionCall part to substitute")
    if fixture.stream:
        return replace(fixture, chunks=tuple(responses))
    return replace(fixture, body=responses[0])


def _answer_parts(response: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(response, dict):
        return
    for candidate in response.get("candidates") or []:
        yield from (candidate.get("content") or {}).get("parts") or []


def _either(mapping: Any, camel: str, snake: str) -> Any:
    """google-genai sends most request keys camelCase but some snake_case: read both."""
    if not isinstance(mapping, dict):
        return None
    return mapping[camel] if camel in mapping else mapping.get(snake)


@dataclass
class RecordedRequest:
    """One request the replay server received, and what it answered."""

    method: str
    path: str
    version: str | None
    model: str | None
    action: str | None
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    fixture: str | None = None
    error: str | None = None

    @property
    def generation_config(self) -> dict[str, Any]:
        value: dict[str, Any] = _either(self.body, "generationConfig", "generation_config") or {}
        return value

    @property
    def max_output_tokens(self) -> int | None:
        value: int | None = _either(self.generation_config, "maxOutputTokens", "max_output_tokens")
        return value

    @property
    def thinking_config(self) -> dict[str, Any] | None:
        """As sent: google-genai spells its keys snake_case (`thinking_budget`)."""
        value: dict[str, Any] | None = _either(
            self.generation_config, "thinkingConfig", "thinking_config"
        )
        return value

    @property
    def safety_settings(self) -> list[dict[str, Any]] | None:
        value: list[dict[str, Any]] | None = _either(self.body, "safetySettings", "safety_settings")
        return value


@dataclass
class Recorder:
    """The queue of fixtures still to serve, every request received, and every refusal."""

    queue: deque[Fixture] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def pending(self) -> list[str]:
        with self._lock:
            return [fixture.name for fixture in self.queue]

    @property
    def served(self) -> list[str]:
        """The fixtures answered so far, in order."""
        return [r.fixture for r in self.requests if r.fixture is not None and r.error is None]

    def take(self, request: RecordedRequest) -> Fixture | None:
        """The fixture that answers `request` (recorded), or None with the refusal recorded."""
        with self._lock:
            self.requests.append(request)
            fixture, refusal = self._match(request, len(self.requests))
            if fixture is not None:
                request.fixture = fixture.name
            if refusal is not None:
                request.error = refusal
                self.errors.append(refusal)
                return None
            return fixture

    def _match(self, request: RecordedRequest, number: int) -> tuple[Fixture | None, str | None]:
        if request.action not in (GENERATE, STREAM):
            return None, (
                f"replay server: request {number} ({request.method} {request.path}) is not a "
                f"Gemini {GENERATE} or {STREAM} call"
            )
        if not self.queue:
            return None, (
                f"replay server: request {number} ({request.action} on {request.model}) arrived "
                f"but no fixture is left; the {number - 1} before it were answered with: "
                f"{[r.fixture for r in self.requests[:-1]]}"
            )
        fixture = self.queue.popleft()
        wants_stream = request.action == STREAM
        if fixture.status == 200 and fixture.stream != wants_stream:
            kind = "a streamed" if fixture.stream else "a non-streamed"
            return fixture, (
                f"replay server: request {number} is {request.action} but the fixture queued for "
                f"it, {fixture.name}, is {kind} answer"
            )
        if wants_stream and request.query.get("alt") != "sse":
            return fixture, (
                f"replay server: request {number} is {STREAM} without alt=sse (query "
                f"{request.query}); only SSE streams are replayed"
            )
        return fixture, None

    def check(self) -> None:
        """Fail when a request was refused or a queued fixture was never asked for."""
        problems = list(self.errors)
        if pending := self.pending:
            problems.append(f"replay server: fixtures queued but never requested: {pending}")
        if problems:
            raise AssertionError("\n".join(problems))


def _sse(chunks: Sequence[dict[str, Any]]) -> Iterator[bytes]:
    for chunk in chunks:
        yield f"data: {json.dumps(chunk)}\r\n\r\n".encode()


def _app(recorder: Recorder) -> Starlette:
    async def generate(request: Request) -> Response:
        target = request.path_params["target"]
        model, _, action = target.partition(":")
        return await answer(request, request.path_params["version"], model, action)

    async def anything_else(request: Request) -> Response:
        return await answer(request, None, None, None)

    async def answer(
        request: Request, version: str | None, model: str | None, action: str | None
    ) -> Response:
        raw = await request.body()
        body: Any
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            version=version,
            model=model,
            action=action,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        fixture = recorder.take(recorded)
        if fixture is None:
            error = {"code": 500, "message": recorded.error, "status": "INTERNAL"}
            return JSONResponse({"error": error}, status_code=500)
        if fixture.status != 200 or not fixture.stream:
            return JSONResponse(fixture.body, status_code=fixture.status)
        return StreamingResponse(_sse(fixture.chunks), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/{version}/models/{target}", generate, methods=["POST"]),
            Route("/{rest:path}", anything_else, methods=_ALL_METHODS),
        ]
    )


@contextmanager
def replay_server(
    fixtures: Iterable[Fixture | str], *, check: bool = True
) -> Iterator[tuple[str, Recorder]]:
    """Serve `fixtures` (Fixture objects or fixture names) in order on 127.0.0.1, a free port.

    Yields the base URL (for `GoogleProvider(base_url=...)`) and the `Recorder`. With `check`,
    leaving the block normally fails when a request was refused or a fixture was left unserved.
    """
    queue = deque(f if isinstance(f, Fixture) else load_fixture(f) for f in fixtures)
    recorder = Recorder(queue=queue)
    server = uvicorn.Server(
        uvicorn.Config(
            _app(recorder),
            host="127.0.0.1",
            port=0,
            log_config=None,
            log_level=None,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_graceful_shutdown=1,
        )
    )
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run()
        except BaseException as exc:  # reported below
            failure.append(exc)

    thread = threading.Thread(target=serve, name="gemini-replay", daemon=True)
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the Gemini replay server did not start: {failure}")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", recorder
    finally:
        server.should_exit = True
        thread.join(timeout=15)
    if check:
        recorder.check()
