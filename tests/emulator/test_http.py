"""The Gemini REST surface over real HTTP: routes, keys, usage accounting, SSE, determinism."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from huntaze_ai.emulator import (
    FAULT_HEADER,
    TIME_HEADER,
    EmulatorConfig,
    GeminiEmulator,
    create_app,
    run_emulator_in_thread,
)

KEY = {"x-goog-api-key": "test-key"}
PRO = "/v1beta/models/gemini-2.5-pro"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_emulator_in_thread(EmulatorConfig(port=0)) as base:
        yield base


def _body(
    text: str = "Draft a caption for the beach photoshoot this weekend", **extra: Any
) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def _generate(url: str, body: dict[str, Any], model: str = "gemini-2.5-pro") -> dict[str, Any]:
    response = httpx.post(f"{url}/v1beta/models/{model}:generateContent", json=body, headers=KEY)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _sse_events(raw: bytes) -> list[dict[str, Any]]:
    events = [e for e in raw.split(b"\r\n\r\n") if e]
    assert all(e.startswith(b"data: ") for e in events)
    return [json.loads(e.removeprefix(b"data: ")) for e in events]


def test_plain_text_answer_counts_prompt_and_answer_at_four_characters_a_token(url: str) -> None:
    system = "You write short, warm replies."
    prompt = "Draft a caption for the beach photoshoot this weekend"
    body = _body(prompt, systemInstruction={"parts": [{"text": system}]})
    data = _generate(url, body)
    candidate = data["candidates"][0]
    text = candidate["content"]["parts"][0]["text"]
    usage = data["usageMetadata"]
    assert candidate["finishReason"] == "STOP"
    assert usage["promptTokenCount"] == math.ceil((len(system) + len(prompt)) / 4)
    assert usage["candidatesTokenCount"] == math.ceil(len(text) / 4)
    thoughts = usage["thoughtsTokenCount"]  # 2.5 Pro always thinks, a hundred or more
    assert 100 <= thoughts <= 4000
    assert (
        usage["totalTokenCount"]
        == usage["promptTokenCount"] + usage["candidatesTokenCount"] + thoughts
    )
    assert data["modelVersion"] == "gemini-2.5-pro"
    assert {"beach", "photoshoot", "caption", "weekend"} & set(
        text.lower().replace(".", " ").split()
    )


def test_tool_declarations_count_toward_the_prompt(url: str) -> None:
    tools = [{"functionDeclarations": [{"name": "lookup", "parameters": {"type": "object"}}]}]
    bare = _generate(url, _body("hello there fans"))["usageMetadata"]["promptTokenCount"]
    with_tools = _generate(
        url,
        _body(
            "hello there fans", tools=tools, toolConfig={"functionCallingConfig": {"mode": "NONE"}}
        ),
    )
    assert with_tools["usageMetadata"]["promptTokenCount"] == bare + math.ceil(
        len(json.dumps(tools)) / 4
    )


def test_models_without_thinking_report_no_thoughts(url: str) -> None:
    assert "thoughtsTokenCount" not in _generate(url, _body(), "gemini-2.0-flash")["usageMetadata"]
    no_budget = _body(generationConfig={"thinkingConfig": {"thinkingBudget": 0}})
    assert (
        "thoughtsTokenCount" not in _generate(url, no_budget, "gemini-2.5-flash")["usageMetadata"]
    )


def test_snake_case_request_keys_are_read_like_camel_case(url: str) -> None:
    schema = {
        "type": "object",
        "properties": {
            "caption": {"type": "string"},
            "hashtags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["caption", "hashtags"],
    }
    body = _body(
        system_instruction={"parts": [{"text": "Be brief."}]},
        generation_config={
            "response_mime_type": "application/json",
            "response_json_schema": schema,
        },
    )
    data = _generate(url, body)
    value = json.loads(data["candidates"][0]["content"]["parts"][0]["text"])
    assert set(value) == {"caption", "hashtags"}
    assert data["usageMetadata"]["promptTokenCount"] > math.ceil(len(json.dumps(schema)) / 4)


def test_function_declarations_get_a_function_call_filling_their_schema(url: str) -> None:
    parameters = {
        "type": "object",
        "properties": {
            "mood": {"type": "string", "enum": ["happy", "calm"]},
            "count": {"type": "integer", "minimum": 2, "maximum": 4},
        },
        "required": ["mood", "count"],
    }
    tools = [
        {"function_declarations": [{"name": "final_result", "parameters_json_schema": parameters}]}
    ]
    data = _generate(
        url, _body(tools=tools, tool_config={"function_calling_config": {"mode": "ANY"}})
    )
    call = data["candidates"][0]["content"]["parts"][0]["functionCall"]
    assert call["name"] == "final_result"
    assert call["args"]["mood"] in ("happy", "calm")
    assert 2 <= call["args"]["count"] <= 4


NO_THINKING = {"thinkingConfig": {"thinkingBudget": 0}}


@pytest.mark.parametrize("max_tokens", [1, 5, 20, 60])
def test_max_output_tokens_cuts_the_answer_of_a_model_not_thinking_and_says_max_tokens(
    url: str, max_tokens: int
) -> None:
    config = {"maxOutputTokens": max_tokens, **NO_THINKING}
    data = _generate(url, _body(generationConfig=config), "gemini-2.5-flash")
    usage = data["usageMetadata"]
    assert "thoughtsTokenCount" not in usage
    assert usage["candidatesTokenCount"] <= max_tokens
    assert data["candidates"][0]["finishReason"] == "MAX_TOKENS"
    text = data["candidates"][0]["content"]["parts"][0]["text"]
    assert math.ceil(len(text) / 4) <= usage["candidatesTokenCount"]


def test_max_output_tokens_cut_json_output_where_the_limit_falls_and_bill_every_token(
    url: str,
) -> None:
    schema = {
        "type": "object",
        "properties": {"ideas": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
        "required": ["ideas"],
    }
    config = {"responseMimeType": "application/json", "responseSchema": schema, **NO_THINKING}
    flash = "gemini-2.5-flash"
    natural = _generate(url, _body(generationConfig=config), flash)
    capped = _generate(url, _body(generationConfig={**config, "maxOutputTokens": 12}), flash)
    text = capped["candidates"][0]["content"]["parts"][0]["text"]
    # As Gemini does: the JSON stops mid-way, unparseable.
    assert text.startswith('{"ideas": ["')
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert capped["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert natural["candidates"][0]["finishReason"] == "STOP"
    usage = capped["usageMetadata"]
    assert usage["candidatesTokenCount"] + usage.get("thoughtsTokenCount", 0) == 12


def test_stream_is_sse_with_cumulative_usage_on_every_chunk_and_final_counts_last(
    url: str,
) -> None:
    body = _body()
    response = httpx.post(f"{url}{PRO}:streamGenerateContent?alt=sse", json=body, headers=KEY)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _sse_events(response.content)
    assert len(events) > 1
    # As real Gemini streams: every chunk has the usage so far; thoughts are known from the first.
    usages = [e["usageMetadata"] for e in events]
    written = [u["candidatesTokenCount"] for u in usages]
    assert written == sorted(written)
    assert written[0] < written[-1]
    assert {u["thoughtsTokenCount"] for u in usages} == {usages[-1]["thoughtsTokenCount"]}
    assert all("finishReason" not in e["candidates"][0] for e in events[:-1])
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
    streamed = "".join(e["candidates"][0]["content"]["parts"][0]["text"] for e in events)
    unary = _generate(url, body)
    assert streamed == unary["candidates"][0]["content"]["parts"][0]["text"]
    assert events[-1]["usageMetadata"] == unary["usageMetadata"]


def test_same_seed_and_request_give_the_same_response_and_another_seed_does_not(url: str) -> None:
    body = _body()
    assert _generate(url, body) == _generate(url, body)
    with (
        run_emulator_in_thread(EmulatorConfig(port=0, seed=0)) as same,
        run_emulator_in_thread(EmulatorConfig(port=0, seed=1)) as other,
    ):
        assert _generate(same, body) == _generate(url, body)
        assert _generate(other, body)["candidates"] != _generate(url, body)["candidates"]


def test_a_missing_key_is_permission_denied(url: str) -> None:
    for method, path in [("POST", f"{PRO}:generateContent"), ("GET", "/v1beta/models")]:
        response = httpx.request(method, f"{url}{path}", json=_body())
        assert response.status_code == 403
        assert response.json()["error"]["status"] == "PERMISSION_DENIED"


def test_the_key_may_come_as_a_query_parameter(url: str) -> None:
    response = httpx.post(f"{url}{PRO}:generateContent?key=abc", json=_body())
    assert response.status_code == 200


async def test_a_configured_key_list_rejects_other_keys_as_api_key_invalid() -> None:
    app = create_app(EmulatorConfig(api_keys=frozenset({"good"})))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://emu"
    ) as client:
        bad = await client.get("/v1beta/models", headers={"x-goog-api-key": "bad"})
        good = await client.get("/v1beta/models", headers={"x-goog-api-key": "good"})
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert good.status_code == 200


def test_models_are_listed_and_fetched_for_a_key_check(url: str) -> None:
    listed = httpx.get(f"{url}/v1beta/models", headers=KEY).json()["models"]
    assert "models/gemini-2.5-pro" in [m["name"] for m in listed]
    one = httpx.get(f"{url}{PRO}", headers=KEY)
    assert one.status_code == 200
    assert "generateContent" in one.json()["supportedGenerationMethods"]
    missing = httpx.get(f"{url}/v1beta/models/gpt-4o", headers=KEY)
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == "NOT_FOUND"


def test_count_tokens_matches_the_prompt_count_of_generate(url: str) -> None:
    body = _body()
    counted = httpx.post(f"{url}{PRO}:countTokens", json=body, headers=KEY).json()
    assert counted["totalTokens"] == _generate(url, body)["usageMetadata"]["promptTokenCount"]


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"{not json", KEY),
        (json.dumps({"contents": []}).encode(), KEY),
        (json.dumps(_body()).encode(), {**KEY, FAULT_HEADER: "meteor_strike"}),
    ],
    ids=["bad-json", "no-contents", "unknown-fault"],
)
def test_invalid_requests_are_400_invalid_argument(
    url: str, content: bytes, headers: dict[str, str]
) -> None:
    response = httpx.post(f"{url}{PRO}:generateContent", content=content, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_latency_is_added_timed_in_a_header_and_totalled_in_stats() -> None:
    emulator = GeminiEmulator(EmulatorConfig(port=0, latency_ms=150))
    with emulator.run_in_thread() as base:
        started = time.perf_counter()
        response = httpx.post(f"{base}{PRO}:generateContent", json=_body(), headers=KEY)
        elapsed = time.perf_counter() - started
        stream = httpx.post(f"{base}{PRO}:streamGenerateContent?alt=sse", json=_body(), headers=KEY)
        stats = httpx.get(f"{base}/emulator/stats").json()
    assert elapsed >= 0.15
    assert float(response.headers[TIME_HEADER]) >= 150
    assert TIME_HEADER in stream.headers
    assert stats["model_time_ms_total"] >= 300
    times = stats["model_time_ms"]
    assert times["samples"] == 2
    assert 150 <= times["p50"] <= times["p99"]
    assert stats == emulator.stats.snapshot()


def test_stats_count_requests_faults_and_tokens_and_can_be_reset() -> None:
    emulator = GeminiEmulator(EmulatorConfig(port=0))
    with emulator.run_in_thread() as base:
        ok = _generate(base, _body())
        httpx.post(
            f"{base}{PRO}:generateContent",
            json=_body(),
            headers={**KEY, FAULT_HEADER: "rate_limited"},
        )
        httpx.post(f"{base}{PRO}:generateContent", json=_body())
        stats = httpx.get(f"{base}/emulator/stats").json()
        reset = httpx.delete(f"{base}/emulator/stats").json()
    assert stats["requests"] == 3
    assert stats["requests_by_endpoint"] == {"generateContent": 3}
    assert stats["faults"]["rate_limited"] == 1
    assert stats["auth_failures"] == 1
    assert stats["responses_served"] == 1
    assert stats["tokens"]["total"] == ok["usageMetadata"]["totalTokenCount"]
    assert stats["in_flight"] == 0
    assert reset["requests"] == 0
