"""A streamed answer the client abandons is charged honestly: what the provider had reported
(Gemini streams report cumulative usage on every chunk; the emulator does too), or, before any
report, the prompt as the provider counts it. Never more than the same prompt's finished reply,
one usage row each, nothing left reserved, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from huntaze_ai.kit.db import Database
from huntaze_ai.llm.pipeline import AIPipeline, Prompt, metered_text
from huntaze_ai.llm.provider import LLM, build_llm
from huntaze_ai.messaging.agent import messaging_stream_agent
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import TokenUsage, prompt_token_upper_bound
from huntaze_ai.models import UsageLog
from tests.metering.conftest import PRICES, books, make_meter, make_settings, new_creator

FLASH = "gemini-2.5-flash"
PROMPT = Prompt(
    Feature.MESSAGING,
    "You draft short, warm replies that a creator sends to a fan.",
    '<<<DATA\n{"fan_message": "hey you, what are you up to tonight?"}\nDATA>>>',
    answer_tokens=400,
)


@pytest.fixture(scope="module")
def gemini() -> Iterator[str]:
    # Latency spread over the chunks, so a stream can be left between two of them.
    with run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=400, seed=7)) as url:
        yield url


@pytest.fixture
async def llm(gemini: str) -> AsyncIterator[LLM]:
    llm = build_llm(make_settings(gemini_model=FLASH), base_url=gemini)
    assert llm.gemini is not None
    try:
        yield llm
    finally:
        await llm.gemini.aclose()


async def _rows(database: Database, user_id: int) -> list[UsageLog]:
    async with database.sessionmaker() as session:
        query = select(UsageLog).where(UsageLog.user_id == user_id).order_by(UsageLog.id)
        return list(await session.scalars(query))


async def _finish(ai: AIPipeline, user: object) -> None:
    async with ai.stream(user, messaging_stream_agent, PROMPT) as stream:  # type: ignore[arg-type]
        async for _ in stream.texts():
            pass
        await stream.output()


async def _leave_after(ai: AIPipeline, user: object, chunks: int) -> None:
    """Read `chunks` pieces of the answer, then go, as a client that closed the page: the
    cancellation lands in the body, as ClientGone does in a detached stream."""
    with pytest.raises(asyncio.CancelledError):
        async with ai.stream(user, messaging_stream_agent, PROMPT) as stream:  # type: ignore[arg-type]
            seen = 0
            async for _ in stream.texts() if chunks else _nothing():
                seen += 1
                if seen == chunks:
                    break
            raise asyncio.CancelledError


async def _nothing() -> AsyncIterator[str]:
    return
    yield


async def test_a_stream_left_midway_is_charged_what_the_provider_had_reported(
    database: Database, llm: LLM
) -> None:
    ai = AIPipeline(make_meter(database, make_settings(gemini_model=FLASH)), llm)
    user = await new_creator(database)
    await _finish(ai, user)
    await _leave_after(ai, user, chunks=1)

    finished, left = await _rows(database, user.id)
    assert (finished.outcome, left.outcome) == ("ok", "cancelled")
    # The provider's own counts: the whole prompt, part of the answer.
    assert left.input_tokens == finished.input_tokens
    assert 0 < left.output_tokens < finished.output_tokens
    assert 0 < left.cost_micros < finished.cost_micros
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (2, 0, 0)
    assert b.spent == b.rows_cost


async def test_a_stream_left_before_any_report_is_charged_its_counted_prompt_only(
    database: Database, llm: LLM
) -> None:
    ai = AIPipeline(make_meter(database, make_settings(gemini_model=FLASH)), llm)
    user = await new_creator(database)
    await _finish(ai, user)
    await _leave_after(ai, user, chunks=0)

    finished, left = await _rows(database, user.id)
    assert left.outcome == "cancelled"
    # Counted by the provider (countTokens, not billed), not bounded by bytes.
    assert (left.input_tokens, left.output_tokens) == (finished.input_tokens, 0)
    bound = prompt_token_upper_bound(metered_text(PROMPT, messaging_stream_agent))
    assert left.input_tokens < bound
    assert left.cost_micros == PRICES.cost_micros(FLASH, TokenUsage(finished.input_tokens, 0))
    assert 0 < left.cost_micros < finished.cost_micros
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (2, 0, 0)
    assert b.spent == b.rows_cost


async def test_when_the_prompt_cannot_be_counted_its_upper_bound_is_charged(
    database: Database, gemini: str
) -> None:
    """A provider that cannot count (here: its client already closed) leaves the byte bound,
    the most the prompt can cost, rather than nothing."""
    llm = build_llm(make_settings(gemini_model=FLASH), base_url=gemini)
    assert llm.gemini is not None
    await llm.gemini.aclose()
    ai = AIPipeline(make_meter(database, make_settings(gemini_model=FLASH)), llm)
    user = await new_creator(database)
    with pytest.raises(asyncio.CancelledError):
        async with ai.stream(user, messaging_stream_agent, PROMPT):  # type: ignore[arg-type]
            raise asyncio.CancelledError

    (left,) = await _rows(database, user.id)
    bound = prompt_token_upper_bound(metered_text(PROMPT, messaging_stream_agent))
    assert (left.outcome, left.input_tokens, left.output_tokens) == ("cancelled", bound, 0)
    b = await books(database, user.id)
    assert (b.reserved, b.open_reservations) == (0, 0)
    assert b.spent == b.rows_cost == PRICES.cost_micros(FLASH, TokenUsage(bound, 0))
