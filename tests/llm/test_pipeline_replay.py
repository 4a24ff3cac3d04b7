"""The pipeline against response shapes the real Gemini API sent (fixtures/gemini, replay.py),
through the app's own model setup: spend = sum of usage rows = what the responses billed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr
from pydantic_ai import Agent, NativeOutput
from sqlalchemy import select

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import ContentBlocked, UnusableAnswer, UpstreamError
from huntaze_ai.llm.models import load_model_plan
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.provider import open_llm
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import TokenUsage
from huntaze_ai.models import UsageLog
from tests.llm.replay import Fixture, Recorder, load_fixture, replay_server
from tests.metering.conftest import books, make_meter, make_settings, new_creator

PROMPT = Prompt(Feature.SALES, "Name a city.", "<<<DATA\n{}\nDATA>>>", answer_tokens=200)


class City(BaseModel):
    city: str
    country: str


tool_agent: Agent[None, City] = Agent(output_type=City, retries=0, name="city-tool")
json_agent: Agent[None, City] = Agent(output_type=NativeOutput(City), retries=0, name="city-json")


def billed(fixture: Fixture) -> TokenUsage:
    """What Google bills for a response: its last usageMetadata (streams are cumulative), the
    prompt (tool-use prompt tokens included) as input, the candidates and thoughts as output."""
    usage: dict[str, Any] = {}
    for response in fixture.responses():
        usage = response.get("usageMetadata") or usage
    prompt = usage.get("promptTokenCount", 0) + usage.get("toolUsePromptTokenCount", 0)
    output = usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0)
    return TokenUsage(prompt, output, usage.get("cachedContentTokenCount", 0))


@asynccontextmanager
async def replaying(
    database: Database, fixtures: Iterable[str], model: str, **settings: Any
) -> AsyncIterator[tuple[AIPipeline, Recorder]]:
    """The app's pipeline, built as at start-up, talking to a replay of `fixtures`."""
    with replay_server(fixtures) as (url, recorder):
        config = make_settings(
            gemini_api_key=SecretStr("replay"),
            gemini_base_url=url,
            gemini_model=None,
            sales_model=model,
            **settings,
        )
        plan, prices = load_model_plan(config)
        async with open_llm(config, plan) as llm:
            yield AIPipeline(make_meter(database, config, prices=prices), llm), recorder


async def _outcomes(database: Database, user_id: int) -> list[str]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(UsageLog.outcome).where(UsageLog.user_id == user_id).order_by(UsageLog.id)
        )
        return list(rows)


CASES = [
    # fixture, agent, model, what the pipeline raises (None: the answer), outcome
    ("generate_text_json_thinking_pro", tool_agent, "gemini-2.5-pro", None, "ok"),
    (
        "generate_max_tokens_partial_text_flash",
        json_agent,
        "gemini-2.5-flash",
        UnusableAnswer,
        "truncated",
    ),
    (
        "generate_cached_content_flash",
        json_agent,
        "gemini-2.5-flash",
        UnusableAnswer,
        "invalid_output",
    ),
    ("generate_safety_blocked_flash", tool_agent, "gemini-2.5-flash", ContentBlocked, "blocked"),
    (
        "generate_prompt_blocked_prohibited_content",
        tool_agent,
        "gemini-2.5-flash",
        ContentBlocked,
        "blocked",
    ),
    (
        "generate_max_tokens_thoughts_only_pro",
        tool_agent,
        "gemini-2.5-pro",
        UnusableAnswer,
        "truncated",
    ),
    ("generate_text_json_thinking_pro", json_agent, "gemini-2.5-pro", None, "ok"),
    ("error_429_resource_exhausted_flash", tool_agent, "gemini-2.5-flash", UpstreamError, None),
    ("stream_text_json_cumulative_usage_flash", json_agent, "gemini-2.5-flash", None, "ok"),
    (
        "stream_safety_after_json_text_flash",
        json_agent,
        "gemini-2.5-flash",
        ContentBlocked,
        "blocked",
    ),
    (
        "stream_prompt_blocked_prohibited_content",
        json_agent,
        "gemini-2.5-flash",
        ContentBlocked,
        "blocked",
    ),
    (
        "stream_max_tokens_thoughts_only_pro",
        json_agent,
        "gemini-2.5-pro",
        UnusableAnswer,
        "truncated",
    ),
]


async def _run(ai: AIPipeline, user: Any, agent: Agent[None, City], stream: bool) -> City:
    if not stream:
        return (await ai.run(user, agent, PROMPT)).output
    async with ai.stream(user, agent, PROMPT) as streamed:
        async for _ in streamed.texts():
            pass
        return await streamed.output()


@pytest.mark.parametrize(("name", "agent", "model", "raises", "outcome"), CASES)
async def test_each_real_answer_is_charged_what_it_billed_with_its_outcome(
    database: Database,
    name: str,
    agent: Agent[None, City],
    model: str,
    raises: type[Exception] | None,
    outcome: str | None,
) -> None:
    fixture = load_fixture(name)
    user = await new_creator(database)
    async with replaying(database, [name], model) as (ai, _):
        if raises is None:
            assert (await _run(ai, user, agent, fixture.stream)).city
        else:
            with pytest.raises(raises):
                await _run(ai, user, agent, fixture.stream)
        expected = 0 if outcome is None else ai.meter.prices.cost_micros(model, billed(fixture))
    b = await books(database, user.id)
    assert (b.spent, b.rows_cost, b.rows, b.reserved) == (expected, expected, 1, 0)
    assert await _outcomes(database, user.id) == [outcome or "provider_error"]
    if outcome not in (None, "ok"):
        assert expected > 0  # a billed failure is never free


async def test_a_month_of_real_answers_sums_to_exactly_what_google_billed(
    database: Database,
) -> None:
    flash = [c for c in CASES if c[2] == "gemini-2.5-flash"]
    user = await new_creator(database)
    async with replaying(database, [c[0] for c in flash], "gemini-2.5-flash") as (ai, _):
        for name, agent, _model, raises, _ in flash:
            if raises is None:
                await _run(ai, user, agent, load_fixture(name).stream)
                continue
            with pytest.raises(raises):
                await _run(ai, user, agent, load_fixture(name).stream)
        prices = ai.meter.prices
        google_billed = sum(
            prices.cost_micros("gemini-2.5-flash", billed(load_fixture(c[0])))
            for c in flash
            if c[4] is not None
        )
    b = await books(database, user.id)
    assert b.spent == b.rows_cost == google_billed > 0
    assert b.rows == len(flash)


async def test_the_blocked_category_is_the_rating_google_marked_blocked(
    database: Database,
) -> None:
    user = await new_creator(database)
    async with replaying(database, ["generate_safety_blocked_flash"], "gemini-2.5-flash") as (
        ai,
        _,
    ):
        with pytest.raises(ContentBlocked) as blocked:
            await ai.run(user, tool_agent, PROMPT)
    assert blocked.value.category == "HARM_CATEGORY_HATE_SPEECH"
    assert blocked.value.body()["usage"]["input_tokens"] == 14


async def test_each_request_carries_the_thinking_bound_safety_thresholds_and_token_room(
    database: Database,
) -> None:
    user = await new_creator(database)
    async with replaying(
        database,
        ["generate_text_json_thinking_pro", "generate_text_json_thinking_pro"],
        "gemini-2.5-pro",
        sales_thinking="512",
        gemini_safety_harassment="BLOCK_LOW_AND_ABOVE",
    ) as (ai, recorder):
        await ai.run(user, tool_agent, PROMPT)
        flash = Prompt(Feature.CONTENT, PROMPT.instructions, PROMPT.user_content, 100)
        await ai.run(user, tool_agent, flash)
    pro, content = recorder.requests
    assert (pro.model, content.model) == ("gemini-2.5-pro", "gemini-2.5-flash")
    assert pro.thinking_config == {"thinkingBudget": 512}
    assert pro.max_output_tokens == PROMPT.answer_tokens + 512
    assert content.thinking_config == {"thinkingBudget": 0}
    assert content.max_output_tokens == 100
    sent = {s["category"]: s["threshold"] for s in pro.safety_settings or []}
    assert sent["HARM_CATEGORY_HARASSMENT"] == "BLOCK_LOW_AND_ABOVE"
    assert sent["HARM_CATEGORY_SEXUALLY_EXPLICIT"] == "BLOCK_NONE"
    assert len(sent) == 5
