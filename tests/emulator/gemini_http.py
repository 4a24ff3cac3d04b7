"""Calling the emulator's Gemini REST API over real HTTP, as the tests of this package do."""

from __future__ import annotations

import json
from typing import Any

import httpx

from huntaze_ai.emulator import FAULT_HEADER

KEY = {"x-goog-api-key": "test-key"}


def body(text: str = "Plan the week of posts for my fans", **extra: Any) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def post(
    url: str,
    payload: dict[str, Any],
    model: str = "gemini-2.5-flash",
    *,
    stream: bool = False,
    fault: str | None = None,
    key: str = "test-key",
) -> httpx.Response:
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    headers = {"x-goog-api-key": key, **({FAULT_HEADER: fault} if fault else {})}
    return httpx.post(
        f"{url}/v1beta/models/{model}:{action}", json=payload, headers=headers, timeout=30
    )


def generate(url: str, payload: dict[str, Any], model: str = "gemini-2.5-flash", **kw: Any) -> Any:
    response = post(url, payload, model, **kw)
    assert response.status_code == 200, response.text
    return response.json()


def stream_events(
    url: str, payload: dict[str, Any], model: str = "gemini-2.5-flash", **kw: Any
) -> Any:
    response = post(url, payload, model, stream=True, **kw)
    assert response.status_code == 200, response.text
    raw = [e for e in response.content.split(b"\r\n\r\n") if e]
    return [json.loads(e.removeprefix(b"data: ")) for e in raw]


def thinking(budget: int | None = None, level: str | None = None, **config: Any) -> dict[str, Any]:
    """A generationConfig with this thinkingConfig."""
    thinking_config: dict[str, Any] = {}
    if budget is not None:
        thinking_config["thinkingBudget"] = budget
    if level is not None:
        thinking_config["thinkingLevel"] = level
    return {"generationConfig": {**config, "thinkingConfig": thinking_config}}


def data_block(data: dict[str, Any]) -> str:
    """The fenced data block the app's agents send in the user message (llm/prompts.py)."""
    return f"<<<DATA\n{json.dumps(data, ensure_ascii=False, indent=1)}\nDATA>>>"
