"""The real SDKs (pydantic-ai and google-genai) against the emulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from enum import StrEnum

import pytest
from google import genai
from google.genai import types
from pydantic import BaseModel, Field
from pydantic_ai import Agent, NativeOutput, UnexpectedModelBehavior, capture_run_messages
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models.google import GoogleModel, GoogleModelSettings
from pydantic_ai.providers.google import GoogleProvider

from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread

PROMPT = "Suggest replies for fans asking about the beach photoshoot this weekend"


class Tone(StrEnum):
    WARM = "warm"
    PLAYFUL = "playful"
    FLIRTY = "flirty"


class Suggestion(BaseModel):
    reply: str = Field(min_length=3, max_length=200)
    tone: Tone
    confidence: float = Field(ge=0, le=1)
    hashtags: list[str] = Field(max_length=3)


class Suggestions(BaseModel):
    suggestions: list[Suggestion] = Field(min_length=1, max_length=4)
    priority: int = Field(ge=1, le=5)
    follow_up: str | None = None


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_emulator_in_thread(EmulatorConfig(port=0)) as base:
        yield base


@pytest.fixture
async def model(url: str) -> AsyncIterator[GoogleModel]:
    # Entering the model closes its HTTP client afterwards: an open socket would fail the run.
    async with GoogleModel(
        "gemini-2.5-pro", provider=GoogleProvider(api_key="test", base_url=url)
    ) as entered:
        yield entered


async def test_agent_structured_output_through_the_output_tool_validates_with_usage(
    model: GoogleModel,
) -> None:
    result = await Agent(model, output_type=Suggestions).run(PROMPT)
    assert isinstance(result.output, Suggestions)
    assert 1 <= len(result.output.suggestions) <= 4
    assert result.usage.input_tokens > 0
    assert result.usage.output_tokens > 0
    assert result.usage.requests == 1
    assert result.usage.details.get("thoughts_tokens", 0) >= 0


async def test_agent_native_output_json_schema_mode_validates(model: GoogleModel) -> None:
    result = await Agent(model, output_type=NativeOutput(Suggestions)).run(PROMPT)
    assert isinstance(result.output, Suggestions)
    assert result.usage.input_tokens > 0
    assert result.usage.output_tokens > 0


async def test_agent_plain_text_is_made_of_the_prompt_words(model: GoogleModel) -> None:
    result = await Agent(model).run(PROMPT)
    words = set(result.output.lower().replace(".", " ").replace("!", " ").split())
    assert words & {"replies", "fans", "beach", "photoshoot", "weekend", "suggest", "asking"}


async def test_agent_stream_text_ends_with_usage_from_the_last_chunk(model: GoogleModel) -> None:
    async with Agent(model).run_stream(PROMPT) as stream:
        pieces = [piece async for piece in stream.stream_text(delta=True, debounce_by=None)]
        usage = stream.usage
    assert len(pieces) > 1
    assert usage.input_tokens > 0
    assert usage.output_tokens > 0
    assert stream.response.finish_reason == "stop"


async def test_agent_stream_of_structured_output_validates(model: GoogleModel) -> None:
    async with Agent(model, output_type=NativeOutput(Suggestions)).run_stream(PROMPT) as stream:
        output = await stream.get_output()
    assert isinstance(output, Suggestions)


async def test_max_tokens_on_a_model_not_thinking_cuts_the_output_and_finishes_by_length(
    url: str,
) -> None:
    provider = GoogleProvider(api_key="test", base_url=url)
    async with GoogleModel("gemini-2.5-flash", provider=provider) as flash:
        agent = Agent(flash, output_type=Suggestions)
        settings: GoogleModelSettings = {
            "max_tokens": 20,
            "google_thinking_config": {"thinking_budget": 0},
        }
        result = await agent.run(PROMPT, model_settings=settings)
    assert isinstance(result.output, Suggestions)
    assert result.usage.output_tokens <= 20
    assert result.response.finish_reason == "length"
    assert (result.response.provider_details or {}).get("finish_reason") == "MAX_TOKENS"


async def test_thoughts_that_spend_max_tokens_leave_no_output_but_their_usage(
    model: GoogleModel,
) -> None:
    # 2.5 Pro thinks hundreds of tokens at least: with 20 to spend, nothing is left to answer.
    with capture_run_messages() as messages, pytest.raises(UnexpectedModelBehavior):
        await Agent(model, output_type=Suggestions).run(PROMPT, model_settings={"max_tokens": 20})
    response = messages[-1]
    assert isinstance(response, ModelResponse)
    assert response.parts == []
    assert response.finish_reason == "length"
    assert response.usage.output_tokens == 20  # all thoughts, billed
    assert response.usage.details["thoughts_tokens"] == 20


async def test_an_agent_tool_is_called_once_before_the_output(model: GoogleModel) -> None:
    agent = Agent(model, output_type=Suggestions)
    calls: list[str] = []

    @agent.tool_plain
    def fan_count(platform: str) -> int:
        """How many fans the creator has on a platform."""
        calls.append(platform)
        return 1200

    result = await agent.run(PROMPT)
    assert len(calls) == 1
    assert isinstance(result.output, Suggestions)
    assert result.usage.requests == 2


async def test_google_genai_client_parses_schema_output_and_streams_usage_last(url: str) -> None:
    client = genai.Client(api_key="test", http_options=types.HttpOptions(base_url=url))
    config = types.GenerateContentConfig(
        response_mime_type="application/json", response_schema=Suggestions
    )
    response = await client.aio.models.generate_content(
        model="gemini-2.5-flash", contents=PROMPT, config=config
    )
    assert isinstance(response.parsed, Suggestions)
    assert response.usage_metadata is not None
    assert (response.usage_metadata.prompt_token_count or 0) > 0

    chunks = [
        chunk
        async for chunk in await client.aio.models.generate_content_stream(
            model="gemini-2.5-flash", contents=PROMPT
        )
    ]
    assert len(chunks) > 1
    counts = [c.usage_metadata.candidates_token_count or 0 for c in chunks if c.usage_metadata]
    assert len(counts) == len(chunks)  # the usage so far, on every chunk
    assert counts == sorted(counts)
    assert counts[-1] > counts[0] > 0
    await client.aio.aclose()
