"""The emulator over HTTP: Gemini REST routes, auth, faults, latency, stats; a thread runner."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from huntaze_ai.emulator import catalog, faults
from huntaze_ai.emulator.answer import Answer, build_answer
from huntaze_ai.emulator.caching import ImplicitCache
from huntaze_ai.emulator.config import EmulatorConfig, FaultKind, seeded_rng
from huntaze_ai.emulator.request import (
    CACHE_BLOCK_TOKENS,
    BadRequest,
    GenerateRequest,
    count_tokens_request,
    parse_generate_request,
)
from huntaze_ai.emulator.stats import EmulatorStats
from huntaze_ai.emulator.tokens import Usage

TIME_HEADER = "x-emulator-time-ms"
_API_VERSIONS = frozenset({"v1", "v1beta", "v1alpha"})
_STARTUP_TIMEOUT_S = 10.0

logger = logging.getLogger(__name__)


class GeminiEmulator:
    """One emulator: its config, its counters and its Starlette `app`."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.stats = EmulatorStats()
        self.cache = ImplicitCache(
            block_tokens=CACHE_BLOCK_TOKENS,
            ttl_s=self.config.cache_ttl_s,
            max_entries=self.config.cache_max_entries,
        )
        # Faults drawn by fail_rate follow the seed; answers depend on the request alone.
        self._fault_rng = seeded_rng(self.config.seed)
        self.app = Starlette(
            routes=[
                Route("/emulator/stats", self._stats, methods=["GET", "DELETE"]),
                Route("/emulator/cache", self._clear_cache, methods=["DELETE"]),
                Route("/{version}/models", self._list_models, methods=["GET"]),
                Route("/{version}/models/{name}", self._model, methods=["GET", "POST"]),
            ],
            exception_handlers={HTTPException: _http_exception},
        )
        self.app.state.emulator = self

    async def _stats(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.stats.reset()
        return JSONResponse(self.stats.snapshot())

    async def _clear_cache(self, request: Request) -> Response:
        self.cache.clear()
        return JSONResponse({"cached_blocks": 0})

    def _check_key(self, request: Request) -> Response | None:
        key = _api_key(request)
        if not key:
            self.stats.auth_failure()
            return faults.missing_key_response()
        if self.config.api_keys is not None and key not in self.config.api_keys:
            self.stats.auth_failure()
            return faults.invalid_key_response()
        return None

    async def _list_models(self, request: Request) -> Response:
        _check_version(request)
        return self._check_key(request) or JSONResponse(catalog.models_list())

    async def _model(self, request: Request) -> Response:
        version = _check_version(request)
        name, _, action = str(request.path_params["name"]).partition(":")
        if request.method == "GET" and not action:
            if denied := self._check_key(request):
                return denied
            if not catalog.is_servable(name):
                return faults.error_response(404, _not_found(name, version))
            return JSONResponse(catalog.model_resource(name))
        if request.method != "POST" or action not in (
            "generateContent",
            "streamGenerateContent",
            "countTokens",
        ):
            raise HTTPException(404)
        started = time.perf_counter()
        self.stats.started(action)
        response: Response | None = None
        try:
            response = await self._post(request, name, action, version, started)
            return response
        finally:
            if not isinstance(response, StreamingResponse | faults.TruncatedResponse):
                self._finish(started, response)

    def _finish(self, started: float, response: Response | None) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.stats.finished(elapsed_ms)
        if response is not None and TIME_HEADER not in response.headers:
            response.headers[TIME_HEADER] = f"{elapsed_ms:.3f}"

    async def _post(
        self, request: Request, model: str, action: str, version: str, started: float
    ) -> Response:
        if denied := self._check_key(request):
            return denied
        if not catalog.is_servable(model):
            return faults.error_response(404, _not_found(model, version))
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            return faults.error_response(400, "Invalid JSON payload received.")
        try:
            if action == "countTokens":
                tokens = count_tokens_request(model, body)
                details = [{"modality": "TEXT", "tokenCount": tokens}]
                return JSONResponse({"totalTokens": tokens, "promptTokensDetails": details})
            parsed = parse_generate_request(model, body)
            fault = faults.resolve_fault(
                request.headers.get(faults.FAULT_HEADER), self.config, self._fault_rng
            )
        except BadRequest as exc:
            return faults.error_response(400, str(exc), exc.details())
        except faults.UnknownFault as exc:
            return faults.error_response(400, str(exc))
        answer = self._answer(request, parsed, fault)
        stream = action == "streamGenerateContent"
        body, usage = answer.stream() if stream else ([answer.response()], answer.usage)
        chunks = [faults.sse(c) for c in body] if stream else []
        latency_s = self.config.latency_ms / 1000
        # A stream spreads the latency over its chunks; the first share is time to first byte.
        await _pause(latency_s / len(chunks) if stream else latency_s)
        if fault is not None:
            self.stats.fault(fault.kind)
            if not fault.is_answer:
                return await self._faulty(request, fault, model, chunks, latency_s, started, answer)
        # An answer shaped by a fault says so, as failures do.
        marked = {faults.FAULT_HEADER: fault.kind.value} if fault is not None else {}
        if not stream:
            self.stats.served(usage, answer.outcome)
            return JSONResponse(body[0], headers=marked)
        headers = {TIME_HEADER: f"{(time.perf_counter() - started) * 1000:.3f}", **marked}
        events = self._events(chunks, latency_s / len(chunks), started, usage, answer.outcome)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    def _answer(
        self, request: Request, parsed: GenerateRequest, fault: faults.Fault | None
    ) -> Answer:
        cached = 0
        if fault is None or fault.is_answer:
            # A real cache is per project; the API key stands for it here.
            scope = hashlib.sha256((_api_key(request) or "").encode()).hexdigest()[:16]
            cached = self.cache.use(scope, parsed.model, parsed.cache_blocks, parsed.prompt_tokens)
        return build_answer(
            self.config.seed,
            parsed,
            call_tools=self.config.call_tools,
            fault=fault,
            triggers=self.config.safety_triggers,
            cached=cached,
        )

    async def _faulty(
        self,
        request: Request,
        fault: faults.Fault,
        model: str,
        chunks: list[bytes],
        latency_s: float,
        started: float,
        answer: Answer,
    ) -> Response:
        if fault.kind is FaultKind.TIMEOUT:
            gave_up = await faults.hold_until_disconnect(request, self.config.timeout_hold_s)
            logger.debug("timeout fault released (client gave up: %s)", gave_up)
            return faults.error_response(504, headers={faults.FAULT_HEADER: fault.kind.value})
        if fault.kind is FaultKind.MALFORMED:
            return faults.malformed_response(stream=bool(chunks))
        if fault.kind is FaultKind.TRUNCATED_STREAM:
            body = chunks or [json.dumps(answer.response()).encode()]
            delay = latency_s / len(chunks) if chunks else 0.0
            self._finish(started, None)
            return faults.truncated_response(body, stream=bool(chunks), delay_s=delay)
        return faults.fault_error_response(fault, model)

    async def _events(
        self, chunks: list[bytes], delay_s: float, started: float, usage: Usage, outcome: str
    ) -> AsyncIterator[bytes]:
        completed = False
        try:
            for index, chunk in enumerate(chunks):
                if index:
                    await _pause(delay_s)
                yield chunk
            completed = True
        finally:
            if completed:
                self.stats.served(usage, outcome)
            self._finish(started, None)

    @contextmanager
    def run_in_thread(self) -> Iterator[str]:
        """Serve on config.host:config.port (0 picks a free port) and yield the base URL."""
        server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=self.config.host,
                port=self.config.port,
                # No logging setup of its own: in-process (the demo), uvicorn's dictConfig and
                # levels would reconfigure the app server's loggers too.
                log_config=None,
                log_level=None,
                access_log=False,
                lifespan="off",
                ws="none",
                # Held (timeout) requests must not keep the thread alive at exit.
                timeout_graceful_shutdown=1,
            )
        )
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                server.run()
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)

        thread = threading.Thread(target=serve, name="gemini-emulator", daemon=True)
        thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                where = f"{self.config.host}:{self.config.port}"
                raise RuntimeError(f"the Gemini emulator did not start on {where}: {failure}")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        try:
            yield f"http://{host}:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=15)


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A Starlette app serving the Gemini REST API; its `state.emulator` has the stats."""
    return GeminiEmulator(config).app


@contextmanager
def run_emulator_in_thread(config: EmulatorConfig | None = None) -> Iterator[str]:
    """Run an emulator in a background thread for the `with` block; yields its base URL."""
    with GeminiEmulator(config).run_in_thread() as url:
        yield url


async def _pause(seconds: float) -> None:
    """At least `seconds`: an event loop may fire a timer up to one clock tick early."""
    deadline = time.perf_counter() + seconds
    await asyncio.sleep(seconds)
    if (left := deadline - time.perf_counter()) > 0:
        await asyncio.sleep(left + 0.001)  # a tick's margin, so the second wait is not short too


def _api_key(request: Request) -> str | None:
    key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
    if not key and (bearer := request.headers.get("authorization", "")).startswith("Bearer "):
        key = bearer.removeprefix("Bearer ")
    return key or None


def _check_version(request: Request) -> str:
    version = str(request.path_params["version"])
    if version not in _API_VERSIONS:
        raise HTTPException(404)
    return version


def _not_found(model: str, version: str) -> str:
    return (
        f"models/{model} is not found for API version {version}, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their "
        "supported methods."
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = "Method not allowed." if status == 405 else f"Not found: {request.url.path}"
    return faults.error_response(status, message)
