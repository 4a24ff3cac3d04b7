"""What pydantic-ai 2.68 + google-genai make of the real Gemini response shapes.

The fixtures (`fixtures/gemini/`, see `replay.py`) are bodies the real Gemini API sent. Each test
replays some to a `GoogleModel` through the real SDK and pins what the AI-call pipeline will rely
on: which exception a blocked or truncated answer raises, and where the billed usage, the finish
reason and the safety ratings are then found. No project code runs here: these tests document
the library, so a library upgrade that changes any of it fails them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import httpx2
import pytest
from google.genai.types import HarmBlockThreshold, HarmCategory
from pydantic import BaseModel
from pydantic_ai import Agent, capture_run_messages
from pydantic_ai.exceptions import (
    ContentFilterError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelRequestRejectedError,
    OutputTokenLimitExceeded,
    UnexpectedModelBehavior,
)
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.google import GoogleModel, GoogleModelSettings
from pydantic_ai.output import NativeOutput
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.usage import UsageLimits

from tests.llm.replay import (
    GENERATE,
    STREAM,
    Fixture,
    fixture_names,
    load_fixture,
    replay_server,
    substitute_payload,
)

MODEL = "gemini-2.5-flash"
ONE_REQUEST = UsageLimits(request_limit=1)
SETTINGS = GoogleModelSettings(
    max_tokens=1424,
    google_thinking_config={"thinking_budget": 512},
    google_safety_settings=[
        {
            "category": HarmCategory.HARM_CATEGORY_SEXUALLY_EXPLICIT,
            "threshold": HarmBlockThreshold.BLOCK_ONLY_HIGH,
        }
    ],
)


class Capital(BaseModel):
    city: str
    country: str


@pytest.fixture(autouse=True)
def _own_price_table() -> None:
    """Shadows an autouse fixture of this name in the package conftest, if there is one (it reset
    a price table of the project's metering): these tests run no project code."""


@pytest.fixture
async def http_client() -> AsyncIterator[httpx2.AsyncClient]:
    """One client per test, closed after it (a provider left to build its own is never closed)."""
    async with httpx2.AsyncClient(timeout=30) as client:
        yield client


ModelAt = Callable[[str], GoogleModel]


@pytest.fixture
def model_at(http_client: httpx2.AsyncClient) -> ModelAt:
    def model(base_url: str) -> GoogleModel:
        provider = GoogleProvider(api_key="x", base_url=base_url, http_client=http_client)
        return GoogleModel(MODEL, provider=provider)

    return model


def _agent(output_type: Any) -> Agent[None, Any]:
    return Agent(output_type=output_type, retries=0)


def _responses(messages: list[ModelMessage]) -> list[ModelResponse]:
    return [m for m in messages if isinstance(m, ModelResponse)]


def _last_response(messages: list[ModelMessage]) -> ModelResponse:
    responses = _responses(messages)
    assert responses, f"no ModelResponse among the captured messages: {messages}"
    return responses[-1]


def _blocked_ratings(response: ModelResponse) -> list[dict[str, Any]]:
    details = response.provider_details or {}
    return [rating for rating in details.get("safety_ratings", []) if rating.get("blocked")]


def _keys(value: Any, inside_args: bool = False) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if not inside_args:
                yield key
            yield from _keys(item, inside_args or key == "args")
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, inside_args)


# --- the fixtures themselves ---------------------------------------------------------------


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_is_a_well_formed_gemini_answer(name: str) -> None:
    fixture = load_fixture(name)
    assert len(fixture.source) > 40, "the source must say which recording and interaction"
    for key in _keys(fixture.responses()):
        assert "_" not in key or key == "@type", f"{name}: {key!r} is not the API's camelCase"
    if fixture.status != 200:
        error = fixture.body["error"]
        assert error["code"] == fixture.status
        assert error["status"] in {"RESOURCE_EXHAUSTED", "INVALID_ARGUMENT"}
        assert error["message"]
        return
    for response in fixture.responses():
        assert "candidates" in response or "promptFeedback" in response
        assert "usageMetadata" in response
        assert response["modelVersion"].startswith("gemini-")
    if fixture.stream:
        prompts = [chunk["usageMetadata"].get("promptTokenCount") for chunk in fixture.chunks]
        assert all(p is not None for p in prompts), "stream events carry cumulative usage"


def _first(predicate: Any) -> str:
    for name in fixture_names():
        if predicate(load_fixture(name)):
            return name
    raise AssertionError("no fixture has that shape")


def _candidate(fixture: Fixture, index: int = -1) -> dict[str, Any]:
    candidates: list[dict[str, Any]] = fixture.responses()[index].get("candidates") or [{}]
    return candidates[0]


def _usage(fixture: Fixture, index: int = -1) -> dict[str, Any]:
    usage: dict[str, Any] = fixture.responses()[index].get("usageMetadata") or {}
    return usage


@pytest.mark.parametrize(
    ("shape", "predicate"),
    [
        (
            "an answer with thoughts billed",
            lambda f: (
                f.status == 200
                and not f.stream
                and _candidate(f).get("finishReason") == "STOP"
                and _usage(f).get("thoughtsTokenCount", 0) > 0
            ),
        ),
        (
            "a SAFETY-blocked candidate, one rating blocked, prompt tokens billed",
            lambda f: (
                _candidate(f).get("finishReason") == "SAFETY"
                and any(r.get("blocked") for r in _candidate(f).get("safetyRatings", []))
                and _usage(f).get("promptTokenCount", 0) > 0
            ),
        ),
        (
            "MAX_TOKENS, no parts, only thoughts billed",
            lambda f: (
                _candidate(f).get("finishReason") == "MAX_TOKENS"
                and not _candidate(f).get("content", {}).get("parts")
                and _usage(f).get("thoughtsTokenCount", 0) > 0
                and "candidatesTokenCount" not in _usage(f)
            ),
        ),
        (
            "a blocked prompt with usage and no candidates",
            lambda f: (
                "blockReason" in f.responses()[-1].get("promptFeedback", {})
                and "candidates" not in f.responses()[-1]
                and _usage(f).get("promptTokenCount", 0) > 0
            ),
        ),
        (
            "a stream whose last event carries the final counts",
            lambda f: (
                f.stream
                and len(f.chunks) > 2
                and _usage(f)["candidatesTokenCount"] > _usage(f, 0)["candidatesTokenCount"]
            ),
        ),
        ("a stream ending in SAFETY", lambda f: f.stream and "SAFETY" in str(_candidate(f))),
        ("cached prompt tokens", lambda f: _usage(f).get("cachedContentTokenCount", 0) > 0),
        ("HTTP 429 RESOURCE_EXHAUSTED", lambda f: f.status == 429),
        ("HTTP 400 for thinking budget 0", lambda f: f.status == 400 and "Budget 0" in str(f.body)),
    ],
)
def test_the_fixtures_cover_the_shapes_the_pipeline_meets(shape: str, predicate: Any) -> None:
    assert _first(predicate)


# --- answers (generateContent) -------------------------------------------------------------


async def test_a_structured_answer_bills_thoughts_as_output_priced_as_the_answering_model(
    model_at: ModelAt,
) -> None:
    with replay_server(["generate_final_result_thinking_pro"]) as (url, recorder):
        result = await _agent(Capital).run(
            "capital?", model=model_at(url), model_settings=SETTINGS, usage_limits=ONE_REQUEST
        )

    assert result.output == Capital(city="Paris", country="France")
    usage = result.usage
    assert (usage.requests, usage.input_tokens, usage.cache_read_tokens) == (1, 57, 0)
    assert usage.output_tokens == 15 + 111  # candidatesTokenCount + thoughtsTokenCount
    assert usage.output_reasoning_tokens == 111
    # The response names the model that answered (modelVersion), not the one asked for, and
    # genai-prices prices that one: gemini-2.5-pro's $1.25 / $10 per 1M, not flash's.
    assert result.response.model_name == "gemini-2.5-pro"
    assert usage.cost == Decimal(57 * 125 + 126 * 1000) / 10**8

    [sent] = recorder.requests
    assert (sent.version, sent.model, sent.action) == ("v1beta", MODEL, GENERATE)
    assert sent.headers["x-goog-api-key"] == "x"
    assert sent.max_output_tokens == 1424
    # The thinking config's own keys go out snake_case; the request's camelCase.
    assert sent.thinking_config == {"thinking_budget": 512}
    assert sent.safety_settings == [
        {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "threshold": "BLOCK_ONLY_HIGH"}
    ]
    [declaration] = sent.body["tools"][0]["functionDeclarations"]
    assert declaration["name"] == "final_result"
    assert sent.body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}


async def test_json_text_is_the_structured_output_with_native_output(model_at: ModelAt) -> None:
    with replay_server(["generate_text_json_thinking_pro"]) as (url, recorder):
        result = await _agent(NativeOutput(Capital)).run(
            "capital?", model=model_at(url), model_settings=SETTINGS, usage_limits=ONE_REQUEST
        )

    assert result.output == Capital(city="Paris", country="France")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (15, 8 + 285)
    config = recorder.requests[0].generation_config
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["required"] == ["city", "country"]


async def test_cached_prompt_tokens_are_cache_reads_and_tool_use_prompt_tokens_are_input(
    model_at: ModelAt,
) -> None:
    with replay_server(["generate_cached_content_flash"]) as (url, _):
        result = await _agent(str).run("6 x 7?", model=model_at(url), usage_limits=ONE_REQUEST)

    assert result.output == "42"
    usage = result.usage
    assert usage.cache_read_tokens == 3  # cachedContentTokenCount, a part of promptTokenCount
    assert usage.input_tokens == 19 + 63  # promptTokenCount + toolUsePromptTokenCount
    assert usage.output_tokens == 4 + 56  # candidatesTokenCount + thoughtsTokenCount
    assert usage.details["tool_use_prompt_tokens"] == 63


async def test_a_safety_blocked_candidate_raises_content_filter_error_with_billed_usage(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["generate_safety_blocked_flash"]) as (url, recorder),
        capture_run_messages() as messages,
        pytest.raises(ContentFilterError) as raised,
    ):
        await _agent(Capital).run(
            "a joke", model=model_at(url), model_settings=SETTINGS, usage_limits=ONE_REQUEST
        )

    assert isinstance(raised.value, UnexpectedModelBehavior)
    assert "SAFETY" in str(raised.value)
    response = _last_response(messages)
    assert response.parts == []
    assert (response.usage.input_tokens, response.usage.output_tokens) == (14, 0)
    assert response.finish_reason == "content_filter"
    details = response.provider_details or {}
    assert details["finish_reason"] == "SAFETY"
    [blocked] = _blocked_ratings(response)
    # google-genai enums, equal to the API's strings.
    assert (blocked["category"], blocked["probability"]) == ("HARM_CATEGORY_HATE_SPEECH", "LOW")
    assert len(details["safety_ratings"]) == 4
    # The exception's body is the same responses as JSON: the usage is there too.
    [dumped] = json.loads(str(raised.value.body))
    assert dumped["usage"]["input_tokens"] == 14
    assert dumped["provider_details"]["finish_reason"] == "SAFETY"
    assert recorder.requests[0].safety_settings is not None


async def test_an_unknown_finish_reason_warns_and_still_is_a_content_filter(
    model_at: ModelAt,
) -> None:
    # Vertex's Model Armor answers MODEL_ARMOR, which google-genai 2.34's FinishReason lacks: it
    # warns (an error under `-W error`) and keeps the raw value; pydantic-ai still maps it.
    unknown = "MODEL_ARMOR is not a valid FinishReason"
    with (
        replay_server(["generate_candidate_blocked_model_armor_vertex"]) as (url, _),
        capture_run_messages() as messages,
        pytest.warns(UserWarning, match=unknown),
        pytest.raises(ContentFilterError),
    ):
        await _agent(Capital).run("x", model=model_at(url), usage_limits=ONE_REQUEST)

    response = _last_response(messages)
    assert response.finish_reason == "content_filter"
    assert (response.provider_details or {})["finish_reason"] == "MODEL_ARMOR"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (19, 6 + 27)


async def test_max_tokens_spent_on_thoughts_raises_token_limit_error_with_thoughts_billed(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["generate_max_tokens_thoughts_only_pro"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(OutputTokenLimitExceeded) as raised,
    ):
        await _agent(Capital).run(
            "capital?",
            model=model_at(url),
            model_settings=SETTINGS,
            usage_limits=ONE_REQUEST,
        )

    assert isinstance(raised.value, UnexpectedModelBehavior)
    assert not isinstance(raised.value, ContentFilterError)
    assert "(1424) exceeded before any response" in str(raised.value)
    assert raised.value.body is None  # unlike ContentFilterError: usage only in the messages
    response = _last_response(messages)
    assert response.parts == []
    assert response.finish_reason == "length"
    assert (response.provider_details or {})["finish_reason"] == "MAX_TOKENS"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (15, 2)
    assert response.usage.output_reasoning_tokens == 2


async def test_max_tokens_with_cut_off_text_is_an_answer_for_text_output(model_at: ModelAt) -> None:
    with replay_server(["generate_max_tokens_partial_text_flash"]) as (url, _):
        result = await _agent(str).run("capital?", model=model_at(url), usage_limits=ONE_REQUEST)

    # No exception: a text agent gets the truncated text; only the response says so.
    assert result.output == "The capital of France is"
    assert result.response.finish_reason == "length"
    assert (result.usage.input_tokens, result.usage.output_tokens) == (15, 5)


async def test_max_tokens_with_cut_off_text_raises_for_structured_output(model_at: ModelAt) -> None:
    with (
        replay_server(["generate_max_tokens_partial_text_flash"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(OutputTokenLimitExceeded, match="incomplete JSON"),
    ):
        await _agent(Capital).run("capital?", model=model_at(url), usage_limits=ONE_REQUEST)

    assert _last_response(messages).usage.output_tokens == 5


async def test_a_blocked_prompt_raises_content_filter_error_with_block_reason_and_usage(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["generate_prompt_blocked_prohibited_content"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(ContentFilterError, match="Block reason: 'PROHIBITED_CONTENT'"),
    ):
        await _agent(Capital).run("x", model=model_at(url), usage_limits=ONE_REQUEST)

    response = _last_response(messages)
    assert response.finish_reason == "content_filter"
    assert response.provider_details == {"block_reason": "PROHIBITED_CONTENT"}
    assert (response.usage.input_tokens, response.usage.output_tokens) == (9, 0)
    assert response.model_name == "gemini-3.7-flash"  # modelVersion, not the model asked for


async def test_a_blocked_prompt_whose_usage_has_no_counts_reads_as_zero_tokens(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["generate_prompt_blocked_model_armor_vertex"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(ContentFilterError, match="MODEL_ARMOR"),
    ):
        await _agent(Capital).run("x", model=model_at(url), usage_limits=ONE_REQUEST)

    response = _last_response(messages)
    details = response.provider_details or {}
    assert details["block_reason"] == "MODEL_ARMOR"
    assert details["block_reason_message"].startswith("The prompt violated")
    assert (response.usage.input_tokens, response.usage.output_tokens) == (0, 0)


async def test_http_429_is_a_rate_limit_error_with_retry_delay_and_no_response(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["error_429_resource_exhausted_flash"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(ModelRateLimitError) as raised,
    ):
        await _agent(Capital).run("x", model=model_at(url), usage_limits=ONE_REQUEST)

    error = raised.value
    assert isinstance(error, ModelHTTPError)
    assert error.status_code == 429
    assert error.provider_error_code == "RESOURCE_EXHAUSTED"
    assert error.retry_after == 26.0  # google.rpc.RetryInfo's retryDelay
    assert _responses(messages) == []  # nothing answered, nothing to bill


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("error_400_thinking_budget_zero_pro", "Budget 0 is invalid"),
        ("error_400_input_too_long_flash", "exceeds the maximum number of tokens"),
    ],
)
async def test_http_400_is_a_rejected_request(name: str, message: str, model_at: ModelAt) -> None:
    with (
        replay_server([name]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(ModelRequestRejectedError) as raised,
    ):
        await _agent(Capital).run("x", model=model_at(url), usage_limits=ONE_REQUEST)

    error = raised.value
    assert isinstance(error, ModelHTTPError)
    assert error.status_code == 400
    assert error.provider_error_code == "INVALID_ARGUMENT"
    assert message in str(error.body)
    assert _responses(messages) == []


# --- streams (streamGenerateContent?alt=sse) ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "output_type", "output", "input_tokens", "output_tokens"),
    [
        ("stream_text_cumulative_usage_flash", str, "\n".join(map(str, range(1, 31))), 18, 80 + 35),
        (
            "stream_text_json_cumulative_usage_flash",
            NativeOutput(Capital),
            Capital(city="Paris", country="France"),
            18,
            80 + 35,
        ),
        (
            "stream_final_result_thinking_gemini3",
            Capital,
            Capital(city="Mexico City", country="Mexico"),
            29,
            10 + 110,
        ),
        # promptTokenCount is 55 on the first events and 165 on the last: the last one counts.
        (
            "stream_text_prompt_count_rises_gemini3",
            str,
            "The capital of Mexico is Mexico City.",
            165,
            8,
        ),
    ],
)
async def test_a_stream_is_billed_the_cumulative_usage_of_its_last_event(
    name: str,
    output_type: Any,
    output: Any,
    input_tokens: int,
    output_tokens: int,
    model_at: ModelAt,
) -> None:
    with replay_server([name]) as (url, recorder):
        async with _agent(output_type).run_stream(
            "q", model=model_at(url), model_settings=SETTINGS, usage_limits=ONE_REQUEST
        ) as result:
            assert await result.get_output() == output
        usage = result.usage

    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (
        1,
        input_tokens,
        output_tokens,
    )
    assert result.response.finish_reason == "stop"
    [sent] = recorder.requests
    assert (sent.action, sent.query) == (STREAM, {"alt": "sse"})
    assert sent.max_output_tokens == 1424


async def test_a_stream_ending_in_safety_is_no_error_for_text_output(model_at: ModelAt) -> None:
    """Observed: no exception. The text streamed before the block is the output; only the final
    response (finish_reason 'content_filter', provider_details) tells it was blocked."""
    with (
        replay_server(["stream_safety_after_text_flash"]) as (url, _),
        capture_run_messages() as messages,
    ):
        async with _agent(str).run_stream(
            "count", model=model_at(url), usage_limits=ONE_REQUEST
        ) as result:
            output = await result.get_output()
        usage = result.usage
        response = result.response

    assert output == "\n".join(map(str, range(1, 30))) + "\n3"  # cut off inside "30"
    assert response.finish_reason == "content_filter"
    assert (response.provider_details or {})["finish_reason"] == "SAFETY"
    [blocked] = _blocked_ratings(response)
    assert blocked["category"] == "HARM_CATEGORY_HATE_SPEECH"
    assert (usage.input_tokens, usage.output_tokens) == (18, 79 + 35)
    captured = _last_response(messages)
    assert (captured.finish_reason, captured.usage) == (response.finish_reason, response.usage)


async def test_a_stream_ending_in_safety_fails_native_output_validation(model_at: ModelAt) -> None:
    """Observed: the cut-off JSON fails validation; the error is a plain UnexpectedModelBehavior
    raised by get_output, and `result.usage` / the captured response still hold the billed usage
    and the SAFETY details."""
    with (
        replay_server(["stream_safety_after_json_text_flash"]) as (url, _),
        capture_run_messages() as messages,
    ):
        async with _agent(NativeOutput(Capital)).run_stream(
            "capital?", model=model_at(url), usage_limits=ONE_REQUEST
        ) as result:
            with pytest.raises(UnexpectedModelBehavior, match="validation failed") as raised:
                await result.get_output()
            usage = result.usage

    assert not isinstance(raised.value, ContentFilterError)
    assert (usage.input_tokens, usage.output_tokens) == (18, 79 + 35)
    response = _last_response(messages)
    assert response.finish_reason == "content_filter"
    assert (response.provider_details or {})["finish_reason"] == "SAFETY"
    assert _blocked_ratings(response)


async def test_a_stream_ending_in_safety_with_text_for_tool_output_is_a_retry_error(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["stream_safety_after_text_flash"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(UnexpectedModelBehavior, match="maximum output retries") as raised,
    ):
        async with _agent(Capital).run_stream(
            "count", model=model_at(url), usage_limits=ONE_REQUEST
        ) as result:
            await result.get_output()

    assert not isinstance(raised.value, ContentFilterError)
    response = _last_response(messages)
    assert response.finish_reason == "content_filter"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (18, 79 + 35)


async def test_a_streamed_blocked_prompt_raises_content_filter_error_on_entering(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["stream_prompt_blocked_prohibited_content"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(ContentFilterError, match="PROHIBITED_CONTENT"),
    ):
        async with _agent(Capital).run_stream("x", model=model_at(url), usage_limits=ONE_REQUEST):
            pytest.fail("the stream was entered")

    response = _last_response(messages)
    assert (response.provider_details or {})["block_reason"] == "PROHIBITED_CONTENT"
    assert response.usage.input_tokens == 9


async def test_a_streamed_thoughts_only_max_tokens_raises_on_entering(model_at: ModelAt) -> None:
    with (
        replay_server(["stream_max_tokens_thoughts_only_pro"]) as (url, _),
        capture_run_messages() as messages,
        pytest.raises(OutputTokenLimitExceeded),
    ):
        async with _agent(Capital).run_stream(
            "capital?", model=model_at(url), usage_limits=ONE_REQUEST
        ):
            pytest.fail("the stream was entered")

    response = _last_response(messages)
    assert response.finish_reason == "length"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (15, 2)


async def test_a_streamed_http_error_leaves_an_empty_interrupted_response(
    model_at: ModelAt,
) -> None:
    with (
        replay_server(["error_429_resource_exhausted_flash"]) as (url, recorder),
        capture_run_messages() as messages,
        pytest.raises(ModelRateLimitError),
    ):
        async with _agent(Capital).run_stream("x", model=model_at(url), usage_limits=ONE_REQUEST):
            pytest.fail("the stream was entered")

    assert recorder.requests[0].action == STREAM
    # Unlike the non-streamed call, the messages end with a placeholder response: no parts,
    # zero usage, state 'interrupted'. Nothing was billed.
    response = _last_response(messages)
    assert (response.parts, response.state) == ([], "interrupted")
    assert (response.usage.input_tokens, response.usage.output_tokens) == (0, 0)


# --- the replay server ---------------------------------------------------------------------


async def test_a_request_beyond_the_queue_is_a_loud_500_and_fails_the_check(
    model_at: ModelAt,
) -> None:
    with replay_server(["generate_final_result_thinking_pro"], check=False) as (url, recorder):
        agent, model = _agent(Capital), model_at(url)
        await agent.run("one", model=model, usage_limits=ONE_REQUEST)
        with pytest.raises(ModelHTTPError) as raised:
            await agent.run("two", model=model, usage_limits=ONE_REQUEST)

    assert raised.value.status_code == 500
    assert "no fixture is left" in str(raised.value.body)
    assert len(recorder.requests) == 2
    assert recorder.requests[1].error == recorder.errors[0]
    with pytest.raises(AssertionError, match="no fixture is left"):
        recorder.check()


def test_leaving_with_an_unrequested_fixture_fails() -> None:
    unrequested = r"never requested: \['generate_safety_blocked_flash'\]"
    with (
        pytest.raises(AssertionError, match=unrequested),
        replay_server(["generate_safety_blocked_flash"]),
    ):
        pass


def test_a_fixture_of_the_wrong_kind_or_route_is_refused() -> None:
    queued = ["stream_text_cumulative_usage_flash", "stream_text_cumulative_usage_flash"]
    with replay_server(queued, check=False) as (url, recorder):
        wrong_kind = httpx.post(f"{url}/v1beta/models/{MODEL}:generateContent", json={})
        no_sse = httpx.post(f"{url}/v1beta/models/{MODEL}:streamGenerateContent", json={})
        wrong_route = httpx.get(f"{url}/v1beta/models")

    assert [r.status_code for r in (wrong_kind, no_sse, wrong_route)] == [500, 500, 500]
    assert "is a streamed answer" in wrong_kind.json()["error"]["message"]
    assert "without alt=sse" in no_sse.json()["error"]["message"]
    assert "is not a Gemini" in wrong_route.json()["error"]["message"]
    assert len(recorder.errors) == 3
    assert recorder.pending == []


def test_a_stream_is_replayed_as_sse_events() -> None:
    fixture = load_fixture("stream_text_cumulative_usage_flash")
    with replay_server([fixture]) as (url, _):
        answer = httpx.post(f"{url}/v1beta/models/{MODEL}:streamGenerateContent?alt=sse", json={})

    assert answer.headers["content-type"].startswith("text/event-stream")
    events = [e for e in answer.text.split("\r\n\r\n") if e]
    assert [json.loads(e.removeprefix("data: ")) for e in events] == list(fixture.chunks)


async def test_a_substituted_payload_keeps_the_recorded_shape_and_usage(model_at: ModelAt) -> None:
    recorded = load_fixture("generate_function_call_thinking_pro")
    fixture = substitute_payload(
        recorded, {"city": "Lyon", "country": "France"}, tool_name="final_result"
    )
    part = fixture.body["candidates"][0]["content"]["parts"][0]
    assert part["functionCall"] == {
        "args": {"city": "Lyon", "country": "France"},
        "name": "final_result",
    }
    assert (
        part["thoughtSignature"]
        == recorded.body["candidates"][0]["content"]["parts"][0]["thoughtSignature"]
    )
    assert fixture.body["usageMetadata"] == recorded.body["usageMetadata"]
    assert (
        recorded.body["candidates"][0]["content"]["parts"][0]["functionCall"]["name"]
        == "get_capital"
    )

    stream = substitute_payload(
        load_fixture("stream_text_cumulative_usage_flash"), {"city": "Rome", "country": "Italy"}
    )
    with replay_server([fixture, stream]) as (url, _):
        result = await _agent(Capital).run("q", model=model_at(url), usage_limits=ONE_REQUEST)
        async with _agent(NativeOutput(Capital)).run_stream(
            "q", model=model_at(url), usage_limits=ONE_REQUEST
        ) as streamed:
            streamed_output = await streamed.get_output()

    assert result.output == Capital(city="Lyon", country="France")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (57, 15 + 111)
    assert streamed_output == Capital(city="Rome", country="Italy")
    assert (streamed.usage.input_tokens, streamed.usage.output_tokens) == (18, 80 + 35)


def test_a_fixture_without_a_payload_part_cannot_be_substituted() -> None:
    with pytest.raises(ValueError, match="no text or functionCall part"):
        substitute_payload(load_fixture("generate_safety_blocked_flash"), {"city": "x"})
