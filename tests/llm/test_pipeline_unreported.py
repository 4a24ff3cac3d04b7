"""A stream the provider never reported usage for (an OpenAI-compatible endpoint sends it on its
last chunk only) is charged within its reservation, on both databases: left mid-way, the prompt's
bound and the text's bytes capped at maxOutputTokens; finished, the reservation as `unmeasured`,
as a whole answer without usage is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from decimal import Decimal

import pytest
from sqlalchemy import select

from huntaze_ai.kit.db import Database
from huntaze_ai.llm.pipeline import AIPipeline, Prompt, metered_text
from huntaze_ai.llm.provider import build_llm
from huntaze_ai.messaging.agent import messaging_stream_agent
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import ModelPrice, Prices, prompt_token_upper_bound
from huntaze_ai.models import UsageLog
from tests.llm.fake_openai import MODEL, STREAM_CONTENT, FakeOpenAI
from tests.metering.conftest import books, make_meter, make_settings, new_creator

PRICES = Prices([MODEL], {MODEL: ModelPrice(Decimal("0.15"), Decimal("0.45"))})
# Room for 100 output tokens, while the fake streams 571 bytes of JSON: a client that leaves
# after 300 bytes has seen more bytes than the model may write tokens.
PROMPT = Prompt(Feature.MESSAGING, "Draft a reply.", "<<<DATA\nhi\nDATA>>>", answer_tokens=100)
MAX_OUTPUT = 100
PROMPT_BOUND = prompt_token_upper_bound(metered_text(PROMPT, messaging_stream_agent))
RESERVED = PRICES.worst_case_micros(MODEL, metered_text(PROMPT, messaging_stream_agent), MAX_OUTPUT)


@pytest.fixture(scope="module")
def reports_at_the_end() -> Iterator[str]:
    with FakeOpenAI(chunk_chars=20, chunk_delay_s=0.01).run_in_thread() as url:
        yield url


@pytest.fixture(scope="module")
def never_reports() -> Iterator[str]:
    with FakeOpenAI(stream_usage=False).run_in_thread() as url:
        yield url


@asynccontextmanager
async def _pipeline(database: Database, url: str) -> AsyncIterator[AIPipeline]:
    settings = make_settings(llm_provider="openai", openai_base_url=url, openai_model=MODEL)
    llm = build_llm(settings)
    model = llm.agents[Feature.MESSAGING].engine.client_model()
    assert model is not None
    async with model:
        yield AIPipeline(make_meter(database, settings, prices=PRICES), llm)


async def _row(database: Database, user_id: int) -> UsageLog:
    async with database.sessionmaker() as session:
        (row,) = await session.scalars(select(UsageLog).where(UsageLog.user_id == user_id))
    return row


async def test_a_stream_left_before_its_usage_report_is_charged_no_more_than_its_reservation(
    database: Database, reports_at_the_end: str
) -> None:
    assert len(STREAM_CONTENT.encode()) > 300 > MAX_OUTPUT
    user = await new_creator(database)
    async with _pipeline(database, reports_at_the_end) as ai:
        with pytest.raises(asyncio.CancelledError):
            async with ai.stream(user, messaging_stream_agent, PROMPT) as stream:
                async for written in stream.texts():
                    if len(written.encode()) > 300:
                        break
                raise asyncio.CancelledError  # the client left, as in a detached stream

    row = await _row(database, user.id)
    assert row.outcome == "cancelled"
    # The reservation's own bounds: the prompt's, and no more output than the model may write.
    assert (row.input_tokens, row.output_tokens) == (PROMPT_BOUND, MAX_OUTPUT)
    assert row.cost_micros == RESERVED
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (1, 0, 0)
    assert b.spent == b.rows_cost == RESERVED


async def test_a_stream_that_finishes_without_a_usage_report_is_charged_its_reservation_unmeasured(
    database: Database, never_reports: str
) -> None:
    user = await new_creator(database)
    async with (
        _pipeline(database, never_reports) as ai,
        ai.stream(user, messaging_stream_agent, PROMPT) as stream,
    ):
        async for _ in stream.texts():
            pass
        assert (await stream.output()).confidence == 0.9

    row = await _row(database, user.id)
    # What a whole answer without usage is charged (Meter._cost): the text's bytes would miss
    # any thoughts, so the bill is unknown and the worst case is charged.
    assert (row.outcome, row.cost_micros) == ("unmeasured", RESERVED)
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (1, 0, 0)
    assert b.spent == b.rows_cost == RESERVED
