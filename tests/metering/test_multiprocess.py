"""Invariants 1, 2 and 4 across OS processes sharing the database and Redis."""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit import clock
from huntaze_ai.kit.db import Database
from huntaze_ai.metering.quota import QuotaLedger
from tests.metering import workers
from tests.metering.conftest import PRICES, books, make_settings, new_creator

pytestmark = pytest.mark.slow

PROCESSES = 3
CALLS_PER_PROCESS = 40  # 120 calls against a rate limit of 50 (starter)


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


CALLS = PROCESSES * CALLS_PER_PROCESS


@pytest.mark.parametrize(
    ("quota_cases", "expected"),
    [
        # The quota binds: 20 worst cases fit, and the refused calls never count as requests.
        (20, {"ok": 20, "quota_exceeded": CALLS - 20}),
        # The rate limit binds: exactly 50 run; the other reservations are given back.
        (1_000, {"ok": 50, "rate_limited": CALLS - 50}),
    ],
)
async def test_three_processes_admit_exactly_the_quota_or_the_rate_limit_and_never_overspend(
    database_url: URL,
    database: Database,
    redis_url: str,
    quota_cases: int,
    expected: dict[str, int],
) -> None:
    if database_url.get_backend_name() == "sqlite":
        pytest.skip("app instances share PostgreSQL in production; SQLite is single-host")
    user = await new_creator(database)
    worst = PRICES.worst_case_micros(workers.MODEL, workers.PROMPT, workers.MAX_OUT)
    quota_micros = worst * quota_cases
    quota_usd = str(Decimal(quota_micros) / 1_000_000)
    prefix = f"huntaze-ai-test:{uuid.uuid4().hex[:8]}"
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    args = (_url(database_url), redis_url, prefix, user.id, CALLS_PER_PROCESS, quota_usd)
    procs = [
        ctx.Process(target=workers.run_calls, args=(*args, barrier, results))
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    # A worker that crashes shows up as a timeout here, then as its exit code below.
    # A loaded machine may take a while to spawn and import three interpreters.
    per_process = [await asyncio.to_thread(results.get, True, 150) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    total: Counter[str] = Counter()
    for counts in per_process:
        total.update(counts)

    assert dict(total) == expected
    if expected["ok"] > CALLS_PER_PROCESS:
        # More calls ran than one process made: the processes really shared the window.
        assert sum(1 for c in per_process if c.get("ok")) >= 2, per_process
    b = await books(database, user.id)
    assert b.spent == worst * expected["ok"]  # every call that ran cost its worst case
    assert (b.reserved, b.open_reservations) == (0, 0)
    assert (b.rows, b.rows_cost) == (expected["ok"], b.spent)


async def test_a_killed_process_reservation_expires_and_is_swept(
    fresh_database_url: URL, frozen_clock: Callable[[datetime], None]
) -> None:
    from huntaze_ai.kit.migrations import upgrade

    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, fresh_database_url)
    database = Database.from_url(fresh_database_url)
    try:
        user = await new_creator(database)
        worst = PRICES.worst_case_micros(workers.MODEL, workers.PROMPT, workers.MAX_OUT)
        quota_usd = str(Decimal(worst) / 1_000_000)  # room for exactly one call
        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Event()
        proc = ctx.Process(
            target=workers.hold_reservation,
            args=(_url(fresh_database_url), user.id, quota_usd, ready),
        )
        proc.start()
        try:
            assert ready.wait(timeout=60), "worker never reserved"
        finally:
            proc.kill()
            proc.join()
        assert proc.exitcode == -9
        b = await books(database, user.id)
        assert (b.reserved, b.open_reservations) == (worst, 1)

        ledger = QuotaLedger(
            database.sessionmaker, make_settings(quota_starter_usd=Decimal(quota_usd))
        )
        frozen_clock(clock.utcnow() + ledger.reservation_ttl + timedelta(seconds=1))
        assert await ledger.sweep() == 1
        b = await books(database, user.id)
        assert (b.spent, b.reserved, b.open_reservations) == (0, 0, 0)
        # The creator's whole budget is usable again.
        await ledger.reserve(user.id, "starter", worst, "after-crash")
    finally:
        await database.dispose()
