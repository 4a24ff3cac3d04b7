"""A tiny OpenAI-compatible server (Ollama / vLLM stand-in) for tests through the real OpenAI SDK.

`POST /v1/chat/completions` answers with a call to the request's output tool (pydantic-ai's
`final_result`), filled with caption drafts for as many variants as its schema demands, and a
`usage` block; `GET /v1/models` lists the served model. `fail_status` makes every chat request an
error; `requests` records the chat requests' bodies.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

MODEL = "llama3.1:8b"


@dataclass
class FakeOpenAI:
    model: str = MODEL
    prompt_tokens: int = 1_234
    completion_tokens: int = 567
    fail_status: int | None = None
    api_key: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)

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

    async def _chat(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        if not self._authorized(request):
            return _error(401, "invalid api key")
        if self.fail_status is not None:
            return _error(self.fail_status, "the model crashed")
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
        return JSONResponse(
            {
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
        )

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
