"""Injected faults: each kind gives the HTTP behaviour of a failing Gemini, and the SDK raises."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pydantic_ai import (
    Agent,
    ModelAPIError,
    ModelAuthenticationError,
    ModelHTTPError,
    ModelRateLimitError,
)
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.settings import ModelSettings

from huntaze_ai.emulator import FAULT_HEADER, EmulatorConfig, FaultKind, GeminiEmulator

KEY = {"x-goog-api-key": "test-key"}
BODY = {"contents": [{"role": "user", "parts": [{"text": "Plan the week of posts for my fans"}]}]}
GENERATE = "/v1beta/models/gemini-2.5-pro:generateContent"
STREAM = "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse"


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[GeminiEmulator, str]]:
    instance = GeminiEmulator(EmulatorConfig(port=0, timeout_hold_s=30))
    with instance.run_in_thread() as base:
        yield instance, base


@pytest.fixture
def url(emulator: tuple[GeminiEmulator, str]) -> str:
    return emulator[1]


@pytest.fixture
async def model(url: str) -> AsyncIterator[GoogleModel]:
    provider = GoogleProvider(api_key="test", base_url=url)
    async with GoogleModel("gemini-2.5-pro", provider=provider) as entered:
        yield entered


def _post(url: str, fault: str, path: str = GENERATE) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=BODY, headers={**KEY, FAULT_HEADER: fault})


def _fault_settings(fault: str, timeout: float | None = None) -> ModelSettings:
    settings = ModelSettings(extra_headers={FAULT_HEADER: fault})
    if timeout is not None:
        settings["timeout"] = timeout
    return settings


@pytest.mark.parametrize(
    ("fault", "status", "google_status"),
    [
        ("http_error", 500, "INTERNAL"),
        ("http_error:503", 503, "UNAVAILABLE"),
        ("rate_limited", 429, "RESOURCE_EXHAUSTED"),
    ],
)
@pytest.mark.parametrize("path", [GENERATE, STREAM], ids=["unary", "stream"])
def test_error_faults_answer_with_a_gemini_error_body(
    url: str, fault: str, status: int, google_status: str, path: str
) -> None:
    response = _post(url, fault, path)
    assert response.status_code == status
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (status, google_status)
    assert error["message"]


def test_a_rate_limit_says_when_to_retry(url: str) -> None:
    details = _post(url, "rate_limited").json()["error"]["details"]
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"} in details


async def test_the_sdk_raises_http_errors_for_500_and_429(model: GoogleModel) -> None:
    agent = Agent(model)
    with pytest.raises(ModelHTTPError) as server_error:
        await agent.run("hi", model_settings=_fault_settings("http_error"))
    assert server_error.value.status_code == 500
    with pytest.raises(ModelRateLimitError) as rate_limited:
        await agent.run("hi", model_settings=_fault_settings("rate_limited"))
    assert isinstance(rate_limited.value, ModelHTTPError)
    assert rate_limited.value.status_code == 429


@pytest.mark.parametrize("path", [GENERATE, STREAM], ids=["unary", "stream"])
def test_malformed_is_a_200_whose_body_is_not_json(url: str, path: str) -> None:
    response = _post(url, "malformed", path)
    assert response.status_code == 200
    payload = response.content.removeprefix(b"data: ")
    with pytest.raises(json.JSONDecodeError):
        json.loads(payload)


async def test_the_sdk_raises_on_a_malformed_body(model: GoogleModel) -> None:
    with pytest.raises(ModelAPIError, match="JSON"):
        await Agent(model).run("hi", model_settings=_fault_settings("malformed"))


def test_timeout_holds_the_request_past_the_client_timeout_and_frees_it_on_disconnect(
    emulator: tuple[GeminiEmulator, str],
) -> None:
    instance, url = emulator
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{url}{GENERATE}", json=BODY, headers={**KEY, FAULT_HEADER: "timeout"}, timeout=0.5
        )
    assert time.perf_counter() - started < 5
    deadline = time.monotonic() + 5
    while instance.stats.snapshot()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.stats.snapshot()["in_flight"] == 0


async def test_the_sdk_times_out_on_a_held_request(model: GoogleModel) -> None:
    with pytest.raises(ModelAPIError) as timed_out:
        await Agent(model).run("hi", model_settings=_fault_settings("timeout", timeout=0.5))
    assert "Timeout" in str(timed_out.value) or "timeout" in type(timed_out.value).__name__.lower()


def test_truncated_stream_sends_chunks_then_drops_the_connection_before_the_final_counts(
    url: str,
) -> None:
    received = b""
    with (
        pytest.raises(httpx.RemoteProtocolError),
        httpx.stream(
            "POST", f"{url}{STREAM}", json=BODY, headers={**KEY, FAULT_HEADER: "truncated_stream"}
        ) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_bytes():
            received += chunk
    events = [json.loads(e.removeprefix(b"data: ")) for e in received.split(b"\r\n\r\n") if e]
    assert events
    # Only the usage so far arrived: the chunk that finishes (and has the final counts) never did.
    assert all("finishReason" not in e["candidates"][0] for e in events)
    whole = httpx.post(f"{url}{STREAM}", json=BODY, headers=KEY).text
    final = json.loads(whole.strip().split("\r\n\r\n")[-1].removeprefix("data: "))
    written = events[-1]["usageMetadata"]["candidatesTokenCount"]
    assert written < final["usageMetadata"]["candidatesTokenCount"]


async def test_the_sdk_stream_fails_on_a_truncated_stream(model: GoogleModel) -> None:
    with pytest.raises(ModelAPIError):
        async with Agent(model).run_stream(
            "hi", model_settings=_fault_settings("truncated_stream")
        ) as stream:
            async for _ in stream.stream_text():
                pass


async def test_the_sdk_rejects_a_key_the_emulator_does_not_accept() -> None:
    with GeminiEmulator(
        EmulatorConfig(port=0, api_keys=frozenset({"right"}))
    ).run_in_thread() as base:
        async with GoogleModel(
            "gemini-2.5-pro", provider=GoogleProvider(api_key="wrong", base_url=base)
        ) as model:
            with pytest.raises(ModelAuthenticationError):
                await Agent(model).run("hi")


def test_fail_rate_one_fails_every_request_with_the_configured_status_unless_told_none() -> None:
    config = EmulatorConfig(port=0, fail_rate=1.0, fail_status=503)
    with GeminiEmulator(config).run_in_thread() as base:
        statuses = [
            httpx.post(f"{base}{GENERATE}", json=BODY, headers=KEY).status_code for _ in range(3)
        ]
        spared = _post(base, "none")
    assert statuses == [503, 503, 503]
    assert spared.status_code == 200


def test_drawn_faults_follow_the_seed() -> None:
    def run(seed: int) -> list[int]:
        config = EmulatorConfig(port=0, fail_rate=0.5, fail_status=429, seed=seed)
        with GeminiEmulator(config).run_in_thread() as base:
            return [
                httpx.post(f"{base}{GENERATE}", json=BODY, headers=KEY).status_code
                for _ in range(12)
            ]

    first = run(7)
    assert first == run(7)
    assert set(first) == {200, 429}


def test_a_configured_fault_applies_to_every_request() -> None:
    config = EmulatorConfig(port=0, fault=FaultKind.MALFORMED)
    emulator = GeminiEmulator(config)
    with emulator.run_in_thread() as base:
        responses = [httpx.post(f"{base}{GENERATE}", json=BODY, headers=KEY) for _ in range(2)]
    assert all(r.headers[FAULT_HEADER] == "malformed" for r in responses)
    assert emulator.stats.snapshot()["faults"]["malformed"] == 2


@pytest.mark.parametrize(
    "bad",
    [{"fail_rate": 1.5}, {"fail_status": 200}, {"latency_ms": -1}, {"fail_kinds": ()}],
)
def test_an_impossible_config_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        EmulatorConfig(**bad)
