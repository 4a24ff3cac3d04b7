"""The AI-call pipeline charges what the provider reports, whatever became of the answer, and
answers on the budget fallback when only that fits (model doubles here; real response shapes in
test_pipeline_replay.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.usage import RequestUsage

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import ContentBlocked, UnusableAnswer, UpstreamError
from huntaze_ai.llm.engines import PydanticAIEngine
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.provider import LLM, AgentModel
from huntaze_ai.llm.thinking import Thinking
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import TokenUsage
from huntaze_ai.metering.quota import QuotaExceeded
from huntaze_ai.models import UsageLog
from tests.metering.conftest import (
    MODEL,
    PRICES,
    books,
    make_meter,
    make_settings,
    new_creator,
)

LITE = "gemini-2.5-flash-lite"
PROMPT = Prompt(Feature.CONTENT, "Write one caption.", "<<<DATA\n{}\nDATA>>>", answer_tokens=200)


class Caption(BaseModel):
    text: str


agent: Agent[None, Caption] = Agent(output_type=Caption, retries=0, name="caption-test")
Answer = Callable[[list[ModelMessage], AgentInfo], ModelResponse]


def _answer(args: dict[str, Any], usage: RequestUsage | None = None) -> Answer:
    def respond(_: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        part = ToolCallPart(tool_name=info.output_tools[0].name, args=json.dumps(args))
        return ModelResponse(
            parts=[part], usage=usage or RequestUsage(input_tokens=300, output_tokens=40)
        )

    return respond


def _refusal(finish: str, details: dict[str, Any], usage: RequestUsage) -> Answer:
    def respond(_: list[ModelMessage], __: AgentInfo) -> ModelResponse:
        return ModelResponse(
            parts=[],
            usage=usage,
            finish_reason=finish,  # type: ignore[arg-type]
            provider_details=details,
        )

    return respond


def _pipeline(database: Database, answer: Answer, **settings: Any) -> AIPipeline:
    meter = make_meter(database, make_settings(**settings))
    return AIPipeline(meter, LLM.uniform(FunctionModel(answer), MODEL))


async def _rows(database: Database, user_id: int) -> list[UsageLog]:
    from sqlalchemy import select

    async with database.sessionmaker() as session:
        return list(await session.scalars(select(UsageLog).where(UsageLog.user_id == user_id)))


SAFETY = {
    "finish_reason": "SAFETY",
    "safety_ratings": [
        {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
        {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True},
    ],
}


async def test_a_safety_block_is_a_422_naming_the_category_and_is_charged_as_billed(
    database: Database,
) -> None:
    user = await new_creator(database)
    billed = RequestUsage(input_tokens=812, output_tokens=0)
    ai = _pipeline(database, _refusal("content_filter", SAFETY, billed))
    with pytest.raises(ContentBlocked) as blocked:
        await ai.run(user, agent, PROMPT)
    assert blocked.value.status_code == 422
    assert blocked.value.body()["category"] == "HARM_CATEGORY_HARASSMENT"
    cost = PRICES.cost_micros(MODEL, TokenUsage(812, 0))
    assert blocked.value.body()["usage"]["cost_usd"] == str(Decimal(cost) / 1_000_000)
    b = await books(database, user.id)
    assert (b.spent, b.rows, b.rows_cost, b.reserved) == (cost, 1, cost, 0)
    assert [r.outcome for r in await _rows(database, user.id)] == ["blocked"]


async def test_a_recitation_block_without_ratings_names_the_finish_reason(
    database: Database,
) -> None:
    user = await new_creator(database)
    details = {"finish_reason": "RECITATION"}
    ai = _pipeline(database, _refusal("content_filter", details, RequestUsage(input_tokens=100)))
    with pytest.raises(ContentBlocked, match="RECITATION"):
        await ai.run(user, agent, PROMPT)


async def test_thoughts_that_eat_every_output_token_are_a_502_charged_for_the_thoughts(
    database: Database,
) -> None:
    user = await new_creator(database)
    # 2.5 models bill thoughts as output: all of maxOutputTokens went to thinking.
    billed = RequestUsage(input_tokens=500, output_tokens=1_424)
    ai = _pipeline(database, _refusal("length", {"finish_reason": "MAX_TOKENS"}, billed))
    with pytest.raises(UnusableAnswer, match="ran out of output tokens") as failed:
        await ai.run(user, agent, PROMPT)
    assert failed.value.status_code == 502
    cost = PRICES.cost_micros(MODEL, TokenUsage(500, 1_424))
    b = await books(database, user.id)
    assert (b.spent, b.rows_cost, b.reserved) == (cost, cost, 0)
    assert [r.outcome for r in await _rows(database, user.id)] == ["truncated"]


async def test_output_that_fails_the_schema_is_charged_as_billed_with_its_own_outcome(
    database: Database,
) -> None:
    user = await new_creator(database)
    ai = _pipeline(
        database, _answer({"wrong": "shape"}, RequestUsage(input_tokens=400, output_tokens=30))
    )
    with pytest.raises(UnusableAnswer) as failed:
        await ai.run(user, agent, PROMPT)
    assert failed.value.code == "provider_error"
    cost = PRICES.cost_micros(MODEL, TokenUsage(400, 30))
    assert (await books(database, user.id)).spent == cost > 0
    assert [r.outcome for r in await _rows(database, user.id)] == ["invalid_output"]


async def test_a_provider_http_error_got_no_answer_and_stays_free(database: Database) -> None:
    from pydantic_ai.exceptions import ModelHTTPError

    def fail(_: list[ModelMessage], __: AgentInfo) -> ModelResponse:
        raise ModelHTTPError(503, MODEL, {"error": {"status": "UNAVAILABLE"}})

    user = await new_creator(database)
    with pytest.raises(UpstreamError):
        await _pipeline(database, fail).run(user, agent, PROMPT)
    b = await books(database, user.id)
    assert (b.spent, b.rows, b.reserved) == (0, 1, 0)
    assert [r.outcome for r in await _rows(database, user.id)] == ["provider_error"]


async def test_a_pydantic_ai_model_gets_the_token_room_its_settings_and_no_retries(
    database: Database,
) -> None:
    seen: list[Any] = []

    def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append(info.model_settings)
        return _answer({"text": "hi"})(messages, info)

    meter = make_meter(database)
    model = AgentModel(
        "gemini-2.5-flash",
        PydanticAIEngine(FunctionModel(respond), {"temperature": 0.5}),
        Thinking(budget=0),
    )
    ai = AIPipeline(meter, LLM(dict.fromkeys(Feature, model), emulated=True, base_url=None))
    out = await ai.run(await new_creator(database), agent, PROMPT)
    assert out.output.text == "hi"
    (sent,) = seen
    assert sent["temperature"] == 0.5
    assert sent["max_tokens"] == PROMPT.answer_tokens  # no thinking room needed at budget 0
    assert sent["max_retries"] == 0
    pro = AgentModel(MODEL, PydanticAIEngine(FunctionModel(respond)), Thinking(budget=128))
    assert pro.max_output_tokens(200) == 328


async def test_the_fallback_answers_when_only_it_fits_the_quota_and_says_so(
    database: Database,
) -> None:
    primary = AgentModel(MODEL, PydanticAIEngine(FunctionModel(_answer({"text": "from pro"}))))
    fallback = AgentModel(LITE, PydanticAIEngine(FunctionModel(_answer({"text": "from lite"}))))
    worst_pro = PRICES.worst_case_micros(MODEL, _metered(), 200)
    worst_lite = PRICES.worst_case_micros(LITE, _metered(), 200)
    assert worst_lite < worst_pro
    # Room for the fallback's worst case, not for the agent's model's.
    quota = Decimal(worst_lite + (worst_pro - worst_lite) // 2) / 1_000_000
    meter = make_meter(database, make_settings(quota_starter_usd=quota))
    llm = LLM(
        dict.fromkeys(Feature, primary),
        emulated=True,
        base_url=None,
        fallbacks={Feature.CONTENT: fallback},
    )
    user = await new_creator(database)
    out = await AIPipeline(meter, llm).run(user, agent, PROMPT)
    assert out.output.text == "from lite"
    assert out.usage()["model"] == LITE
    assert out.usage()["fallback"] is True
    assert [r.model for r in await _rows(database, user.id)] == [LITE]
    # Without a fallback the same call is refused, as before.
    other = await new_creator(database)
    no_fallback = AIPipeline(meter, LLM(dict.fromkeys(Feature, primary), True, None))
    with pytest.raises(QuotaExceeded):
        await no_fallback.run(other, agent, PROMPT)


def _metered() -> str:
    from huntaze_ai.llm.pipeline import metered_text

    return metered_text(PROMPT, agent)
