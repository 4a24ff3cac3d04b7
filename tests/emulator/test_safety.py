"""Safety blocks and blocked prompts, shaped as real Gemini sends them, by header or trigger."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from google import genai
from google.genai import types
from pydantic_ai import Agent, capture_run_messages
from pydantic_ai.exceptions import ContentFilterError
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models.google import GoogleModel, GoogleModelSettings
from pydantic_ai.providers.google import GoogleProvider

from huntaze_ai.emulator import EmulatorConfig, FaultKind, GeminiEmulator, run_emulator_in_thread
from huntaze_ai.emulator.safety import DEFAULT_TRIGGERS, SafetyTrigger
from tests.emulator.gemini_http import body, generate, post, stream_events

RATED = {
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_emulator_in_thread(EmulatorConfig(port=0)) as base:
        yield base


def _settings(**thresholds: str) -> dict[str, Any]:
    return {
        "safetySettings": [
            {"category": f"HARM_CATEGORY_{name.upper()}", "threshold": threshold}
            for name, threshold in thresholds.items()
        ]
    }


def _blocked_rating(candidate_or_feedback: dict[str, Any]) -> dict[str, Any]:
    ratings = candidate_or_feedback["safetyRatings"]
    assert {r["category"] for r in ratings} >= RATED
    blocked: list[dict[str, Any]] = [r for r in ratings if r.get("blocked")]
    assert len(blocked) == 1
    assert all(r["probability"] == "NEGLIGIBLE" for r in ratings if not r.get("blocked"))
    return blocked[0]


def test_a_safety_fault_blocks_the_candidate_with_empty_content_and_bills_the_prompt(
    url: str,
) -> None:
    data = generate(url, body(), "gemini-2.5-pro", fault="safety:HARM_CATEGORY_HARASSMENT")
    (candidate,) = data["candidates"]
    assert candidate["content"] == {}
    assert candidate["finishReason"] == "SAFETY"
    assert _blocked_rating(candidate) == {
        "category": "HARM_CATEGORY_HARASSMENT",
        "probability": "HIGH",
        "blocked": True,
    }
    usage = data["usageMetadata"]
    assert usage["promptTokenCount"] > 0
    assert "candidatesTokenCount" not in usage
    # 2.5 Pro thought before its answer was blocked: the thoughts are billed too.
    assert usage["thoughtsTokenCount"] >= 100
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["thoughtsTokenCount"]


def test_a_bare_safety_fault_blocks_for_sexually_explicit_content(url: str) -> None:
    candidate = generate(url, body(), fault="safety")["candidates"][0]
    assert _blocked_rating(candidate)["category"] == "HARM_CATEGORY_SEXUALLY_EXPLICIT"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("recitation", "RECITATION"),
        ("blocklist", "BLOCKLIST"),
        ("prohibited_content", "PROHIBITED_CONTENT"),
        ("spii", "SPII"),
        ("malformed_function_call", "MALFORMED_FUNCTION_CALL"),
    ],
)
def test_other_block_faults_finish_with_their_reason_and_no_content(
    url: str, fault: str, reason: str
) -> None:
    data = generate(url, body(), fault=fault)
    candidate = data["candidates"][0]
    assert (candidate["content"], candidate["finishReason"]) == ({}, reason)
    assert "safetyRatings" not in candidate
    assert "candidatesTokenCount" not in data["usageMetadata"]


@pytest.mark.parametrize(
    ("fault", "reason", "rated"),
    [
        ("prompt_blocked", "SAFETY", "HARM_CATEGORY_SEXUALLY_EXPLICIT"),
        ("prompt_blocked:hate_speech", "SAFETY", "HARM_CATEGORY_HATE_SPEECH"),
        ("prompt_blocked:OTHER", "OTHER", None),
        ("prompt_blocked:BLOCKLIST", "BLOCKLIST", None),
        ("prompt_blocked:PROHIBITED_CONTENT", "PROHIBITED_CONTENT", None),
    ],
)
def test_a_blocked_prompt_has_prompt_feedback_no_candidates_and_prompt_usage_only(
    url: str, fault: str, reason: str, rated: str | None
) -> None:
    data = generate(url, body(), "gemini-2.5-pro", fault=fault)
    assert "candidates" not in data
    feedback = data["promptFeedback"]
    assert feedback["blockReason"] == reason
    if rated is None:
        assert "safetyRatings" not in feedback
    else:
        assert _blocked_rating(feedback)["category"] == rated
    usage = data["usageMetadata"]
    assert set(usage) == {"promptTokenCount", "totalTokenCount", "promptTokensDetails"}
    assert usage["totalTokenCount"] == usage["promptTokenCount"] > 0


def test_a_trigger_phrase_blocks_the_candidate_for_its_category(url: str) -> None:
    data = generate(url, body("honestly just kill yourself"))
    candidate = data["candidates"][0]
    assert candidate["finishReason"] == "SAFETY"
    assert _blocked_rating(candidate)["category"] == "HARM_CATEGORY_HARASSMENT"


@pytest.mark.parametrize("threshold", ["BLOCK_NONE", "OFF"])
def test_switching_the_category_off_lets_the_trigger_through(url: str, threshold: str) -> None:
    payload = body("honestly just kill yourself", **_settings(harassment=threshold))
    assert generate(url, payload)["candidates"][0]["finishReason"] == "STOP"


def test_switching_another_category_off_does_not(url: str) -> None:
    payload = body("honestly just kill yourself", **_settings(sexually_explicit="BLOCK_NONE"))
    assert generate(url, payload)["candidates"][0]["finishReason"] == "SAFETY"


def test_snake_case_safety_settings_are_read_too(url: str) -> None:
    payload = body("send nudes now")
    payload["safety_settings"] = [
        {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "threshold": "BLOCK_NONE"}
    ]
    assert generate(url, payload)["candidates"][0]["finishReason"] == "STOP"


def test_a_prohibited_content_trigger_blocks_the_prompt_whatever_the_settings(url: str) -> None:
    off = {name: "OFF" for name in ("harassment", "hate_speech", "sexually_explicit")}
    data = generate(url, body("is she underage?", **_settings(**off)))
    assert data["promptFeedback"] == {"blockReason": "PROHIBITED_CONTENT"}


def test_threshold_levels_block_by_probability() -> None:
    medium = SafetyTrigger("spicy words", "HARM_CATEGORY_HARASSMENT", probability="MEDIUM")
    with run_emulator_in_thread(EmulatorConfig(port=0, safety_triggers=(medium,))) as url:

        def finish(threshold: str) -> str:
            payload = body("some spicy words here", **_settings(harassment=threshold))
            return str(generate(url, payload)["candidates"][0]["finishReason"])

        assert finish("BLOCK_LOW_AND_ABOVE") == "SAFETY"
        assert finish("BLOCK_MEDIUM_AND_ABOVE") == "SAFETY"
        assert finish("BLOCK_ONLY_HIGH") == "STOP"
        assert generate(url, body("some spicy words here"))["candidates"][0]["finishReason"] == (
            "SAFETY"
        )


def test_no_triggers_configured_means_no_trigger_blocks() -> None:
    with run_emulator_in_thread(EmulatorConfig(port=0, safety_triggers=())) as url:
        data = generate(url, body("honestly just kill yourself"))
    assert data["candidates"][0]["finishReason"] == "STOP"


def test_the_default_triggers_are_the_documented_ones() -> None:
    assert [(t.phrase, t.block, t.prompt) for t in DEFAULT_TRIGGERS] == [
        ("kill yourself", "HARM_CATEGORY_HARASSMENT", False),
        ("subhuman", "HARM_CATEGORY_HATE_SPEECH", False),
        ("make a bomb", "HARM_CATEGORY_DANGEROUS_CONTENT", False),
        ("send nudes", "HARM_CATEGORY_SEXUALLY_EXPLICIT", False),
        ("underage", "PROHIBITED_CONTENT", True),
    ]


def test_triggers_match_whole_words_only(url: str) -> None:
    assert generate(url, body("my nudesend playlist"))["candidates"][0]["finishReason"] == "STOP"
    assert generate(url, body("SEND   NUDES"))["candidates"][0]["finishReason"] == "SAFETY"


@pytest.mark.parametrize(
    ("setting", "field", "value"),
    [
        (
            {"category": "HARM_CATEGORY_FOO", "threshold": "BLOCK_NONE"},
            "category",
            "HARM_CATEGORY_FOO",
        ),
        (
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_SOME"},
            "threshold",
            "BLOCK_SOME",
        ),
    ],
)
def test_a_malformed_safety_setting_is_400_worded_like_the_real_api(
    url: str, setting: dict[str, str], field: str, value: str
) -> None:
    response = post(url, body(safetySettings=[setting]))
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"].startswith(f"Invalid value at 'safety_settings[0].{field}' (type.")
    assert error["message"].endswith(f'"{value}"')
    violation = error["details"][0]["fieldViolations"][0]
    assert violation["field"] == f"safety_settings[0].{field}"


def test_an_unknown_block_detail_in_the_fault_header_is_400(url: str) -> None:
    response = post(url, body(), fault="safety:HARM_CATEGORY_GOSSIP")
    assert response.status_code == 400
    assert "HARM_CATEGORY_GOSSIP" in response.json()["error"]["message"]


def test_a_stream_blocked_midway_sends_some_text_then_a_safety_chunk_with_the_usage_so_far(
    url: str,
) -> None:
    payload = body("Write a long story about the beach photoshoot for my fans, then send nudes")
    events = stream_events(url, payload)
    *text_events, last = events
    assert text_events, "some text was written before the filter stopped it"
    assert all(e["candidates"][0]["content"]["parts"][0]["text"] for e in text_events)
    assert last["candidates"][0]["content"] == {}
    assert last["candidates"][0]["finishReason"] == "SAFETY"
    assert _blocked_rating(last["candidates"][0])["category"] == "HARM_CATEGORY_SEXUALLY_EXPLICIT"
    written = "".join(e["candidates"][0]["content"]["parts"][0]["text"] for e in text_events)
    usage = last["usageMetadata"]
    assert usage["candidatesTokenCount"] == -(-len(written) // 4) > 0


def test_a_blocked_prompt_streams_as_one_chunk_with_its_feedback(url: str) -> None:
    (event,) = stream_events(url, body(), fault="prompt_blocked:PROHIBITED_CONTENT")
    assert event["promptFeedback"] == {"blockReason": "PROHIBITED_CONTENT"}
    assert event["usageMetadata"]["promptTokenCount"] > 0


def test_blocks_are_counted_in_stats_by_outcome() -> None:
    emulator = GeminiEmulator(EmulatorConfig(port=0, fault=FaultKind.SAFETY))
    with emulator.run_in_thread() as base:
        generate(base, body())
        generate(base, body(), fault="prompt_blocked")
        generate(base, body(), fault="none")
    snapshot = emulator.stats.snapshot()
    assert snapshot["outcomes"] == {"SAFETY": 1, "PROMPT_BLOCKED": 1, "STOP": 1}
    assert snapshot["faults"]["safety"] == 1
    assert snapshot["faults"]["prompt_blocked"] == 1


@pytest.fixture
async def flash(url: str) -> AsyncIterator[GoogleModel]:
    async with GoogleModel(
        "gemini-2.5-flash", provider=GoogleProvider(api_key="test", base_url=url)
    ) as entered:
        yield entered


async def test_pydantic_ai_raises_content_filter_error_and_keeps_the_billed_usage(
    flash: GoogleModel,
) -> None:
    settings: GoogleModelSettings = {"extra_headers": {"x-emulator-fault": "safety:harassment"}}
    with capture_run_messages() as messages, pytest.raises(ContentFilterError):
        await Agent(flash).run("hi", model_settings=settings)
    response = messages[-1]
    assert isinstance(response, ModelResponse)
    assert response.finish_reason == "content_filter"
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens == response.usage.details["thoughts_tokens"] > 0


async def test_pydantic_ai_sends_safety_settings_the_emulator_honours(flash: GoogleModel) -> None:
    settings: GoogleModelSettings = {
        "google_safety_settings": [
            {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}  # type: ignore[typeddict-item]
        ]
    }
    result = await Agent(flash).run("just kill yourself", model_settings=settings)
    assert result.output
    with pytest.raises(ContentFilterError):
        await Agent(flash).run("just kill yourself")


async def test_google_genai_reads_a_blocked_prompt(url: str) -> None:
    client = genai.Client(api_key="test", http_options=types.HttpOptions(base_url=url))
    response = await client.aio.models.generate_content(
        model="gemini-2.5-flash", contents="is she underage"
    )
    await client.aio.aclose()
    assert response.candidates is None
    assert response.prompt_feedback is not None
    assert response.prompt_feedback.block_reason == types.BlockedReason.PROHIBITED_CONTENT
    assert response.usage_metadata is not None
    assert (response.usage_metadata.prompt_token_count or 0) > 0
