"""A stream ends while its quota reservation holds, however steadily the provider trickles it:
each engine (Gemini's client, the OpenAI-compatible one) gives the whole stream a deadline of half
the reservation's lifetime, besides the timeout on each wait for a piece. The lifetime is short
here (2 s) and the provider sends a piece every 0.1 s, far within the 60 s a piece may take, for
4 s: longer than the reservation lives. A plain answer is bounded as a whole too. On both
databases."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
import uvicorn
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from huntaze_ai.content.agent import caption_agents
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import UpstreamTimeout
from huntaze_ai.llm.pipeline import AIPipeline, Prompt, metered_text
from huntaze_ai.llm.provider import build_llm
from huntaze_ai.messaging.agent import messaging_stream_agent
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import ModelPrice, Prices, TokenUsage
from huntaze_ai.models import QuotaReservation, UsageLog
from tests.llm.fake_openai import MODEL, FakeOpenAI
from tests.metering.conftest import PRICES, books, make_meter, make_settings, new_creator

FLASH = "gemini-2.5-flash"
TTL = timedelta(seconds=2)  # so a stream's deadline is 1 s
PIECES, EVERY_S = 40, 0.1
PROMPT = Prompt(Feature.MESSAGING, "Draft a reply.", "<<<DATA\nhi\nDATA>>>", answer_tokens=400)
CAPTION = Prompt(Feature.CONTENT, "Write a caption.", "<<<DATA\nbeach\nDATA>>>", answer_tokens=400)
REPLY = json.dumps({"reply": "Hey love, thank you for the sweet words! " * 4, "confidence": 0.9})


async def _trickle(request: Request) -> StreamingResponse:
    """Gemini's streamGenerateContent, one piece of the reply every EVERY_S, each chunk with
    the usage so far (as Gemini reports it)."""
    step = -(-len(REPLY) // PIECES)

    async def chunks() -> AsyncIterator[str]:
        for index in range(PIECES):
            piece = REPLY[index * step : (index + 1) * step]
            usage = {"promptTokenCount": 120, "candidatesTokenCount": index + 1}
            candidate = {"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}
            if index == PIECES - 1:
                candidate["finishReason"] = "STOP"
            yield f"data: {json.dumps({'candidates': [candidate], 'usageMetadata': usage})}\r\n\r\n"
            await asyncio.sleep(EVERY_S)

    return StreamingResponse(chunks(), media_type="text/event-stream")


@contextmanager
def _serve(app: Starlette) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="trickling-gemini", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the fake stopped"
        assert time.monotonic() < deadline, "the fake did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def trickling_gemini() -> Iterator[str]:
    route = Route("/v1beta/models/{name:path}", _trickle, methods=["POST"])
    with _serve(Starlette(routes=[route])) as url:
        yield url


@pytest.fixture(scope="module")
def trickling_openai() -> Iterator[str]:
    fake = FakeOpenAI(chunk_chars=-(-571 // PIECES), chunk_delay_s=EVERY_S)
    with fake.run_in_thread() as url:
        yield url


async def _timed_out(ai: AIPipeline, user: object) -> float:
    """Read the whole stream, expecting a 504; how long it took."""
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        async with ai.stream(user, messaging_stream_agent, PROMPT) as stream:  # type: ignore[arg-type]
            async for _ in stream.texts():
                pass
            await stream.output()
    return time.monotonic() - started


async def _settled_while_held(database: Database, user_id: int) -> UsageLog:
    """The one call's row, after checking it was settled before its reservation expired and
    left nothing held."""
    async with database.sessionmaker() as session:
        (held,) = await session.scalars(
            select(QuotaReservation).where(QuotaReservation.user_id == user_id)
        )
        (row,) = await session.scalars(select(UsageLog).where(UsageLog.user_id == user_id))
    assert held.settled_at is not None
    assert held.settled_at < held.expires_at
    b = await books(database, user_id)
    assert (b.rows, b.reserved, b.open_reservations) == (1, 0, 0)
    assert b.spent == b.rows_cost == row.cost_micros
    return row


async def test_a_trickling_gemini_stream_ends_before_its_reservation_expires(
    database: Database, trickling_gemini: str
) -> None:
    settings = make_settings(gemini_model=FLASH)
    llm = build_llm(settings, base_url=trickling_gemini)
    assert llm.gemini is not None
    ai = AIPipeline(make_meter(database, settings, reservation_ttl=TTL), llm)
    user = await new_creator(database)
    try:
        took = await _timed_out(ai, user)
    finally:
        await llm.gemini.aclose()
    assert took < TTL.total_seconds() < PIECES * EVERY_S

    row = await _settled_while_held(database, user.id)
    # Charged what Gemini had reported when the deadline cut it: part of the answer.
    assert row.outcome == "timeout"
    assert 0 < row.output_tokens < PIECES
    usage = TokenUsage(row.input_tokens, row.output_tokens)
    assert row.cost_micros == PRICES.cost_micros(FLASH, usage) > 0


async def test_a_trickling_openai_stream_ends_before_its_reservation_expires(
    database: Database, trickling_openai: str
) -> None:
    settings = make_settings(
        llm_provider="openai", openai_base_url=trickling_openai, openai_model=MODEL
    )
    prices = Prices([MODEL], {MODEL: ModelPrice(Decimal("0.15"), Decimal("0.45"))})
    llm = build_llm(settings)
    model = llm.agents[Feature.MESSAGING].engine.client_model()
    assert model is not None
    ai = AIPipeline(make_meter(database, settings, prices=prices, reservation_ttl=TTL), llm)
    user = await new_creator(database)
    async with model:
        took = await _timed_out(ai, user)
    assert took < TTL.total_seconds() < PIECES * EVERY_S

    row = await _settled_while_held(database, user.id)
    # No usage yet (it comes on the last chunk): the bound of what was received, within the hold.
    assert row.outcome == "timeout"
    reserved = prices.worst_case_micros(MODEL, metered_text(PROMPT, messaging_stream_agent), 400)
    assert 0 < row.cost_micros <= reserved


@pytest.fixture(scope="module")
def slow_openai() -> Iterator[str]:
    """A plain (non-streamed) answer trickled: a piece of its JSON every EVERY_S for about 2 s."""
    fake = FakeOpenAI(trickle=True, chunk_chars=24, chunk_delay_s=EVERY_S)
    with fake.run_in_thread() as url:
        yield url


async def test_a_slow_plain_openai_answer_times_out_within_the_call_timeout(
    database: Database, slow_openai: str
) -> None:
    """The SDK's timeout bounds each read; the call as a whole is bounded too, as Gemini's is,
    so an endpoint that trickles its answer cannot outlive the call's reservation."""
    settings = make_settings(llm_provider="openai", openai_base_url=slow_openai, openai_model=MODEL)
    prices = Prices([MODEL], {MODEL: ModelPrice(Decimal("0.15"), Decimal("0.45"))})
    llm = dataclasses.replace(build_llm(settings), timeout_s=0.5)
    model = llm.agents[Feature.CONTENT].engine.client_model()
    assert model is not None
    ai = AIPipeline(make_meter(database, settings, prices=prices, reservation_ttl=TTL), llm)
    user = await new_creator(database)
    started = time.monotonic()
    async with model:
        with pytest.raises(UpstreamTimeout):
            await ai.run(user, caption_agents[1], CAPTION)
    assert time.monotonic() - started < TTL.total_seconds()

    row = await _settled_while_held(database, user.id)
    assert row.outcome == "timeout"
    reserved = prices.worst_case_micros(MODEL, metered_text(CAPTION, caption_agents[1]), 400)
    assert 0 <= row.cost_micros <= reserved
