"""`Meter.call`, the one entry point: invariants 1–3 under concurrency, faults and cancellation."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import anyio
import pytest

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import InvalidRequest, UpstreamError, UpstreamTimeout
from huntaze_ai.metering.pricing import (
    TokenUsage,
    UnknownModelPrice,
    cost_micros,
    prompt_token_upper_bound,
)
from huntaze_ai.metering.quota import DuplicateRequest, QuotaExceeded
from huntaze_ai.metering.rate_limit import CreatorRateLimiter, RateLimitExceeded
from tests.metering.conftest import (
    MODEL,
    PRICES,
    books,
    make_meter,
    make_settings,
    new_creator,
)

PROMPT = "Fan: hey, loved your last post! what are you up to this weekend?" * 4
MAX_OUT = 400


async def test_a_successful_call_is_charged_its_real_cost_not_the_reservation(
    database: Database,
) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    async with meter.call(user, "messaging", MODEL, MAX_OUT, PROMPT) as call:
        assert (await books(database, user.id)).reserved == call.reserved_micros > 0
        call.record_usage(input_tokens=80, output_tokens=120, cached_input_tokens=0)
    assert call.cost_micros == 1_300  # 80 × $1.25/M + 120 × $10/M
    assert call.summary() == {
        "model": MODEL,
        "input_tokens": 80,
        "output_tokens": 120,
        "cost_usd": "0.001300",
        "fallback": False,
    }
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost) == (1_300, 0, 1, 1_300)


async def test_200_concurrent_calls_never_overspend_and_leave_the_books_exact(
    database: Database,
) -> None:
    # Every call really costs its worst case, so a limit of 40 worst cases admits exactly 40:
    # any race between the check and the reservation shows up as a 41st success.
    worst = PRICES.worst_case_micros(MODEL, PROMPT, MAX_OUT)
    limit_micros = worst * 40
    settings = make_settings(quota_starter_usd=Decimal(limit_micros) / 1_000_000)
    meter = make_meter(database, settings)
    user = await new_creator(database)

    async def one() -> str:
        try:
            async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT) as call:
                await asyncio.sleep(0)  # let every other call interleave here
                call.record_usage(
                    input_tokens=prompt_token_upper_bound(PROMPT), output_tokens=MAX_OUT
                )
        except QuotaExceeded:
            return "rejected"
        return "ok"

    results = await asyncio.gather(*(one() for _ in range(200)))
    ok, rejected = results.count("ok"), results.count("rejected")
    b = await books(database, user.id)
    assert ok + rejected == 200
    assert ok == 40
    assert b.spent == limit_micros
    assert b.reserved == 0
    assert b.open_reservations == 0
    assert b.rows == ok
    assert b.rows_cost == b.spent


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (UpstreamError("boom"), "provider_error"),
        (UpstreamTimeout(), "timeout"),
        (RuntimeError("bug in the agent"), "error"),
    ],
)
async def test_a_failing_call_charges_nothing_and_releases_its_reservation(
    database: Database, error: Exception, outcome: str
) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    with pytest.raises(type(error)):
        async with meter.call(user, "sales", MODEL, MAX_OUT, PROMPT) as call:
            raise error
    assert call.outcome == outcome
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost, b.open_reservations) == (0, 0, 1, 0, 0)


async def test_a_stream_that_breaks_is_charged_for_what_was_produced(database: Database) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    with pytest.raises(UpstreamError):
        async with meter.call(user, "messaging", MODEL, MAX_OUT, PROMPT) as call:
            call.record_usage(input_tokens=100, output_tokens=10)
            call.record_usage(input_tokens=100, output_tokens=60)  # cumulative, last wins
            raise UpstreamError("stream cut")
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows_cost) == (725, 0, 725)


async def test_a_call_cancelled_mid_flight_releases_its_reservation_and_pays_its_prompt(
    database: Database,
) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    inside = asyncio.Event()

    async def call_forever() -> None:
        async with meter.call(user, "analytics", MODEL, MAX_OUT, PROMPT):
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(call_forever())
    await inside.wait()
    assert (await books(database, user.id)).reserved > 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    b = await books(database, user.id)
    assert (b.reserved, b.rows, b.open_reservations) == (0, 1, 0)
    # No usage was reported, but the provider may have the prompt: its upper bound is charged.
    expected = cost_micros(MODEL, TokenUsage(prompt_token_upper_bound(PROMPT), 0))
    assert b.spent == b.rows_cost == expected > 0


async def test_a_client_disconnect_cancel_scope_cannot_interrupt_the_settlement(
    database: Database,
) -> None:
    """Starlette cancels a disconnected client's handler with an anyio cancel scope, which
    re-cancels every await inside it; the settlement must still complete."""
    meter = make_meter(database)
    user = await new_creator(database)
    with anyio.move_on_after(0.05):
        async with meter.call(user, "messaging", MODEL, MAX_OUT, PROMPT) as call:
            call.record_usage(input_tokens=100, output_tokens=100)
            await anyio.sleep(10)
    await meter.drain()
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows, b.open_reservations) == (1_125, 0, 1, 0)


async def test_a_response_without_usage_is_charged_the_worst_case(database: Database) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT) as call:
        pass
    assert call.outcome == "unmeasured"
    assert (await books(database, user.id)).spent == call.reserved_micros


async def test_a_client_request_id_is_idempotent_and_scoped_to_its_creator(
    database: Database,
) -> None:
    meter = make_meter(database)
    alice, bob = await new_creator(database), await new_creator(database)
    async with meter.call(alice, "content", MODEL, MAX_OUT, PROMPT, request_id="req-1") as call:
        call.record_usage(input_tokens=10, output_tokens=10)
    with pytest.raises(DuplicateRequest):
        async with meter.call(alice, "content", MODEL, MAX_OUT, PROMPT, request_id="req-1"):
            pytest.fail("a replayed request must not run")
    # Bob's "req-1" is a different request.
    async with meter.call(bob, "content", MODEL, MAX_OUT, PROMPT, request_id="req-1") as call:
        call.record_usage(input_tokens=10, output_tokens=10)
    assert (await books(database, alice.id)).rows == 1
    assert (await books(database, bob.id)).rows == 1
    with pytest.raises(InvalidRequest):
        async with meter.call(alice, "content", MODEL, MAX_OUT, PROMPT, request_id="x" * 41):
            pass


async def test_a_rate_limited_call_runs_nothing_and_holds_no_money(database: Database) -> None:
    limiter = CreatorRateLimiter(limits={"starter": 2, "pro": 2, "business": 2})
    meter = make_meter(database, limiter=limiter)
    user = await new_creator(database)
    for _ in range(2):
        async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT) as call:
            call.record_usage(input_tokens=1, output_tokens=1)
    with pytest.raises(RateLimitExceeded) as refused:
        async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT):
            pytest.fail("must not run")
    assert 0 < refused.value.retry_after_s <= 3600
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (2, 0, 0)


async def test_a_model_the_meter_was_not_given_a_price_for_is_refused_before_reserving(
    database: Database,
) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    with pytest.raises(UnknownModelPrice):
        async with meter.call(user, "content", "gemini-9-ultra", MAX_OUT, PROMPT):
            pytest.fail("must not run")
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (0, 0, 0)


async def test_a_call_refused_for_quota_leaves_the_hourly_limit_alone(database: Database) -> None:
    worst = PRICES.worst_case_micros(MODEL, PROMPT, MAX_OUT)
    settings = make_settings(quota_starter_usd=Decimal(worst - 1) / 1_000_000)
    limiter = CreatorRateLimiter(limits={"starter": 2, "pro": 2, "business": 2})
    meter = make_meter(database, settings, limiter)
    user = await new_creator(database)
    for _ in range(5):  # refused for quota, again and again
        with pytest.raises(QuotaExceeded):
            async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT):
                pytest.fail("must not run")
    status = await limiter.status(user.id, "starter")
    assert status.remaining == 2


async def test_a_call_refused_by_the_rate_limit_gives_its_reservation_back_and_its_id(
    database: Database,
) -> None:
    limiter = CreatorRateLimiter(limits={"starter": 1, "pro": 1, "business": 1})
    meter = make_meter(database, limiter=limiter)
    user = await new_creator(database)
    async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT) as call:
        call.record_usage(input_tokens=10, output_tokens=10)
    spent = (await books(database, user.id)).spent
    with pytest.raises(RateLimitExceeded):
        async with meter.call(user, "content", MODEL, MAX_OUT, PROMPT, "retry-me"):
            pytest.fail("must not run")
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows, b.open_reservations) == (spent, 0, 1, 0)
    # Nothing ran under that id, so it is not spent: once the hour frees up it may run.
    other = make_meter(database)
    async with other.call(user, "content", MODEL, MAX_OUT, PROMPT, "retry-me") as call:
        call.record_usage(input_tokens=10, output_tokens=10)
    assert (await books(database, user.id)).rows == 2
