"""A tiny OpenAI-compatible server (Ollama / vLLM stand-in) for tests through the real OpenAI SDK.

`POST /v1/chat/completions` answers with a call to the request's output tool (pydantic-ai's
`final_result`), filled with caption drafts for as many variants as its schema demands, and a
`usage` block; `GET /v1/models` lists the served model. `fail_status` makes every chat request an
error; `requests` records the chat requests' bodies.

A streamed request (`"stream": true`) is answered as OpenAI streams: `stream_content` in pieces of
`chunk_chars`, one every `chunk_delay_s`, then the usage on a last chunk of its own (none with
`stream_usage=False`, as an endpoint that never reports it). `trickle=True` sends a plain answer's
JSON the same way, in pieces of `chunk_chars` every `chunk_delay_s`: a slow endpoint whose every
read arrives well within the SDK's timeout.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

MODEL = "llama3.1:8b"
# A fan reply as the messaging agent's JSON: 571 bytes.
STREAM_CONTENT = json.dumps(
    {"reply": "Hey love, thank you so much for the sweet words! " * 11, "confidence": 0.9}
)


@dataclass
class FakeOpenAI:
    model: str = MODEL
    prompt_tokens: int = 1_234
    completion_tokens: int = 567
    fail_status: int | None = None
    api_key: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    stream_content: str = STREAM_CONTENT
    chunk_chars: int = 40
    chunk_delay_s: float = 0.0
    stream_usage: bool = True
    trickle: bool = False

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )

    def _authorized(self, request: Request) -> bool:
        return self.api_key is None or (
            request.headers.get("authorization") == f"Bearer {self.api_key}"
        )

    async def _models(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return _error(401, "invalid api key")
        return JSONResponse(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "me"}]}
        )

    async def _chat(self, request: Request) -> JSONResponse | StreamingResponse:
        body = await request.json()
        self.requests.append(body)
        if not self._authorized(request):
            return _error(401, "invalid api key")
        if self.fail_status is not None:
            return _error(self.fail_status, "the model crashed")
        if body.get("stream"):
            return StreamingResponse(self._chunks(body["model"]), media_type="text/event-stream")
        tool = body["tools"][0]["function"]
        count = tool["parameters"]["properties"]["captions"].get("minItems", 1)
        drafts = [
            {
                "text": f"Golden light, salt in the air: variant {i + 1}",
                "hashtags": ["beach", "goldenhour", "sunset", "summer", "ocean", "vibes"],
            }
            for i in range(count)
        ]
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": tool["name"], "arguments": json.dumps({"captions": drafts})},
        }
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens,
            },
        }
        if self.trickle:
            return StreamingResponse(
                self._pieces(json.dumps(answer)), media_type="application/json"
            )
        return JSONResponse(answer)

    async def _pieces(self, text: str) -> AsyncIterator[str]:
        for start in range(0, len(text), self.chunk_chars):
            yield text[start : start + self.chunk_chars]
            await asyncio.sleep(self.chunk_delay_s)

    async def _chunks(self, model: str) -> AsyncIterator[str]:
        def chunk(choices: list[dict[str, Any]], **extra: Any) -> str:
            body = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}
            return f"data: {json.dumps({**body, 'model': model, 'choices': choices, **extra})}\n\n"

        text, step = self.stream_content, self.chunk_chars
        for start in range(0, len(text), step):
            delta = {"content": text[start : start + step]}
            yield chunk([{"index": 0, "delta": delta, "finish_reason": None}])
            await asyncio.sleep(self.chunk_delay_s)
        yield chunk([{"index": 0, "delta": {}, "finish_reason": "stop"}])
        if self.stream_usage:
            usage = {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens,
            }
            yield chunk([], usage=usage)
        yield "data: [DONE]\n\n"

    @contextmanager
    def run_in_thread(self) -> Iterator[str]:
        """Serve on a free port for the `with` block; yields the base URL (ending in /v1)."""
        server = uvicorn.Server(
            uvicorn.Config(
                self.app(),
                host="127.0.0.1",
                port=0,
                log_config=None,
                log_level=None,
                access_log=False,
                lifespan="off",
                ws="none",
            )
        )
        thread = threading.Thread(target=server.run, name="fake-openai", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            server.should_exit = True
            thread.join(timeout=5)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "server_error", "code": None}}, status_code=status
    )
