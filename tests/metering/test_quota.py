"""The monthly quota ledger on both databases: reserve, settle, release, expiry, months, alerts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from huntaze_ai.kit.db import Database
from huntaze_ai.metering.quota import (
    DuplicateRequest,
    QuotaExceeded,
    QuotaLedger,
    UsageRecord,
    month_bounds,
    month_start,
)
from huntaze_ai.models import QuotaAlert
from tests.factories import statements_sent
from tests.metering.conftest import books, make_settings, new_creator

Clock = Callable[[datetime], None]


def record(cost: int, outcome: str = "ok") -> UsageRecord:
    return UsageRecord("messaging", "gemini-2.5-pro", 100, 0, 50, cost, 12, outcome)


def ledger_for(database: Database, **quota_usd: object) -> QuotaLedger:
    return QuotaLedger(database.sessionmaker, make_settings(**quota_usd))


async def test_a_settled_call_moves_money_from_reserved_to_spent_with_one_usage_row(
    database: Database,
) -> None:
    ledger = ledger_for(database)
    user = await new_creator(database)
    held = await ledger.reserve(user.id, "starter", 5_000, "r-1")
    assert (await books(database, user.id)).reserved == 5_000

    spent = await ledger.finish(held, record(3_210))

    b = await books(database, user.id)
    assert spent == b.spent == 3_210
    assert b.reserved == 0
    assert (b.rows, b.rows_cost) == (1, 3_210)
    assert b.open_reservations == 0


async def test_a_reservation_past_the_limit_is_refused_and_changes_nothing(
    database: Database,
) -> None:
    ledger = ledger_for(database, quota_starter_usd=Decimal("0.01"))  # 10_000 micro-USD
    user = await new_creator(database)
    first = await ledger.reserve(user.id, "starter", 6_000, "a")
    with pytest.raises(QuotaExceeded) as refused:
        await ledger.reserve(user.id, "starter", 4_001, "b")
    body = refused.value.body()
    assert body["error"] == "quota_exceeded"
    # Nothing is spent: the month is not exceeded, this request just does not fit.
    assert body["message"] == "Not enough quota left for this request"
    assert body["limit_usd"] == "0.010000"
    assert body["spent_usd"] == "0.000000"
    assert (body["reserved_usd"], body["needed_usd"]) == ("0.006000", "0.004001")
    assert refused.value.status_code == 402
    b = await books(database, user.id)
    assert (b.reserved, b.open_reservations) == (6_000, 1)
    # Exactly up to the limit is allowed.
    await ledger.reserve(user.id, "starter", 4_000, "c")
    await ledger.finish(first, record(0, "provider_error"))
    assert (await books(database, user.id)).reserved == 4_000


async def test_a_first_call_larger_than_the_whole_quota_is_refused(database: Database) -> None:
    ledger = ledger_for(database, quota_starter_usd=Decimal("0.01"))
    user = await new_creator(database)
    with pytest.raises(QuotaExceeded):
        await ledger.reserve(user.id, "starter", 10_001, "huge")
    assert (await books(database, user.id)).reserved == 0


async def test_a_failed_call_releases_its_reservation_and_charges_nothing(
    database: Database,
) -> None:
    ledger = ledger_for(database)
    user = await new_creator(database)
    held = await ledger.reserve(user.id, "starter", 9_999, "f")
    await ledger.finish(held, record(0, "provider_error"))
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost) == (0, 0, 1, 0)


async def test_a_replayed_request_id_is_refused_and_not_charged_twice(database: Database) -> None:
    ledger = ledger_for(database)
    user = await new_creator(database)
    held = await ledger.reserve(user.id, "starter", 1_000, "same-id")
    with pytest.raises(DuplicateRequest):
        await ledger.reserve(user.id, "starter", 1_000, "same-id")
    await ledger.finish(held, record(700))
    with pytest.raises(DuplicateRequest):
        await ledger.reserve(user.id, "starter", 1_000, "same-id")
    b = await books(database, user.id)
    assert (b.spent, b.reserved, b.rows) == (700, 0, 1)


async def test_a_request_id_replayed_after_the_idempotency_window_is_still_refused(
    database: Database, frozen_clock: Clock
) -> None:
    ledger = ledger_for(database)
    user = await new_creator(database)
    start = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    frozen_clock(start)
    held = await ledger.reserve(user.id, "starter", 1_000, "late-replay")
    await ledger.finish(held, record(700))
    frozen_clock(start + timedelta(days=8))
    assert await ledger.purge_settled() >= 1  # the reservation that refused replays is gone
    with pytest.raises(DuplicateRequest):
        await ledger.reserve(user.id, "starter", 1_000, "late-replay")
    b = await books(database, user.id, at=start)
    assert (b.spent, b.reserved, b.rows, b.open_reservations) == (700, 0, 1, 0)


async def test_an_expired_reservation_is_swept_back_and_unblocks_the_creator(
    database: Database, frozen_clock: Clock
) -> None:
    ledger = ledger_for(database, quota_starter_usd=Decimal("0.01"))
    user = await new_creator(database)
    start = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    frozen_clock(start)
    await ledger.reserve(user.id, "starter", 10_000, "stuck")  # its process "dies" here
    with pytest.raises(QuotaExceeded):
        await ledger.reserve(user.id, "starter", 1, "blocked")

    frozen_clock(start + ledger.reservation_ttl - timedelta(seconds=1))
    assert await ledger.sweep() == 0

    frozen_clock(start + ledger.reservation_ttl + timedelta(seconds=1))
    # No explicit sweep: a refused reservation sweeps the creator's expired holds and retries.
    await ledger.reserve(user.id, "starter", 1, "after-expiry")
    b = await books(database, user.id, at=start)
    assert (b.spent, b.reserved, b.open_reservations) == (0, 1, 1)


async def test_settling_after_expiry_still_records_the_spend_without_double_freeing(
    database: Database, frozen_clock: Clock
) -> None:
    ledger = ledger_for(database)
    user = await new_creator(database)
    start = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    frozen_clock(start)
    held = await ledger.reserve(user.id, "starter", 5_000, "slow")
    frozen_clock(start + ledger.reservation_ttl + timedelta(minutes=1))
    assert await ledger.sweep() == 1
    await ledger.finish(held, record(1_234))
    b = await books(database, user.id, at=start)
    assert (b.spent, b.reserved, b.rows_cost) == (1_234, 0, 1_234)


async def test_the_first_of_the_month_at_midnight_utc_starts_a_fresh_budget(
    database: Database, frozen_clock: Clock
) -> None:
    ledger = ledger_for(database, quota_starter_usd=Decimal("0.01"))
    user = await new_creator(database)
    last_instant = datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=UTC)
    frozen_clock(last_instant)
    held = await ledger.reserve(user.id, "starter", 10_000, "november")
    await ledger.finish(held, record(10_000))
    with pytest.raises(QuotaExceeded) as refused:
        await ledger.reserve(user.id, "starter", 1, "still-november")
    assert refused.value.body()["resets_at"] == "2026-12-01T00:00:00+00:00"

    frozen_clock(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    december = await ledger.reserve(user.id, "starter", 10_000, "december")
    assert december.period.isoformat() == "2026-12-01"
    assert (await books(database, user.id, at=last_instant)).spent == 10_000
    assert (await books(database, user.id)).reserved == 10_000


async def test_a_call_straddling_midnight_is_logged_in_the_month_that_admitted_it(
    database: Database, frozen_clock: Clock
) -> None:
    ledger = ledger_for(database)
    user = await new_creator(database)
    frozen_clock(datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC))
    held = await ledger.reserve(user.id, "starter", 5_000, "straddle")
    frozen_clock(datetime(2026, 2, 1, 0, 0, 5, tzinfo=UTC))
    await ledger.finish(held, record(2_000))
    jan = await books(database, user.id, at=datetime(2026, 1, 15, tzinfo=UTC))
    feb = await books(database, user.id, at=datetime(2026, 2, 15, tzinfo=UTC))
    assert (jan.spent, jan.reserved, feb.spent) == (2_000, 0, 0)


def test_month_bounds_cover_december_into_january() -> None:
    start, end = month_bounds(month_start(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)))
    assert start == datetime(2026, 12, 1, tzinfo=UTC)
    assert end == datetime(2027, 1, 1, tzinfo=UTC)


async def test_alerts_fire_once_at_80_and_95_percent_per_month(database: Database) -> None:
    ledger = ledger_for(database, quota_starter_usd=Decimal("0.01"))
    user = await new_creator(database)
    for i, cost in enumerate([7_000, 900, 200, 500, 300]):  # 70%, 79%, 81%, 86%, 89%
        await ledger.finish(await ledger.reserve(user.id, "starter", cost, f"a{i}"), record(cost))
    for i, cost in enumerate([600, 100]):  # 95%, 96%
        await ledger.finish(await ledger.reserve(user.id, "starter", cost, f"b{i}"), record(cost))
    async with database.sessionmaker() as session:
        alerts = (
            await session.scalars(select(QuotaAlert).where(QuotaAlert.user_id == user.id))
        ).all()
    assert sorted((a.threshold_percent, a.spent_micros) for a in alerts) == [
        (80, 8_100),
        (95, 9_500),
    ]


async def test_assert_within_monthly_quota_says_exceeded_only_once_the_month_is_spent(
    database: Database,
) -> None:
    ledger = ledger_for(database)  # starter: $10
    user = await new_creator(database)
    await ledger.finish(
        await ledger.reserve(user.id, "starter", 10_000_000, "x"), record(9_995_000)
    )
    await ledger.assert_within_monthly_quota(user.id, "starter", Decimal("0.005"))
    with pytest.raises(QuotaExceeded, match="Not enough quota left for this request"):
        await ledger.assert_within_monthly_quota(user.id, "starter", "0.01")
    await ledger.finish(await ledger.reserve(user.id, "starter", 5_000, "y"), record(5_000))
    with pytest.raises(QuotaExceeded, match="Monthly quota exceeded"):
        await ledger.assert_within_monthly_quota(user.id, "starter", "0.000001")
    # The pro plan's $50 is the limit for the same spend on another plan.
    await ledger.assert_within_monthly_quota(user.id, "pro", "0.01")


async def test_on_postgresql_reserve_and_settle_are_one_round_trip_each(
    database: Database,
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps the multi-statement transactions (no network round trips)")
    ledger = ledger_for(database)
    user = await new_creator(database)
    with statements_sent(database) as statements:
        held = await ledger.reserve(user.id, "starter", 5_000, "one-trip")
        await asyncio.sleep(0)
        reserved_with = len(statements)
        await ledger.finish(held, record(1_000))
        await asyncio.sleep(0)
    assert reserved_with == 1
    assert len(statements) == 2, [s[:80] for s in statements]
    after = await books(database, user.id)
    assert (after.spent, after.reserved, after.rows, after.rows_cost) == (1_000, 0, 1, 1_000)
