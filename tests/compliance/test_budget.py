"""The hand check's budget: a moving window per creator and hour, shared through Redis, and its
CPU off the event loop."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid

import httpx
import redis.asyncio as aioredis
from sqlalchemy.engine import URL

from huntaze_ai.compliance.budget import CheckBudget, TooManyChecks
from huntaze_ai.compliance.offload import GuardProcess
from huntaze_ai.compliance.service import check_message
from huntaze_ai.kit.db import Database
from huntaze_ai.main import create_app
from tests.apphelpers import app_client, creator_headers, settings_for

CHECK = "/api/ai/compliance/check"
# The slowest input found for the guard: a forbidden word spelled out letter by letter, 10,000
# characters of it (about 100 ms of CPU on the development machine).
HOSTILE = " ".join("whatsapp" * 1250)[:10_000]


async def test_checks_beyond_the_hourly_budget_are_429_with_retry_after_per_creator(
    database_url: URL, database: Database
) -> None:
    _, first = await creator_headers(database)
    _, second = await creator_headers(database)
    async with app_client(settings_for(database_url, compliance_checks_per_hour=3)) as client:
        allowed = [(await client.post(CHECK, json={"text": "hi"}, headers=first)) for _ in "abc"]
        refused = await client.post(CHECK, json={"text": "hi"}, headers=first)
        other = await client.post(CHECK, json={"text": "hi"}, headers=second)

    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["error"] == "rate_limited"
    assert body["limit"] == 3
    assert 0 < body["retry_after_s"] <= 3600
    assert refused.headers["Retry-After"] == str(body["retry_after_s"])
    assert other.status_code == 200  # one creator's budget is not another's


async def test_the_budget_is_shared_by_every_instance_through_redis(redis_url: str) -> None:
    prefix = f"huntaze-ai-test:{uuid.uuid4().hex[:8]}"
    client = aioredis.Redis.from_url(redis_url)
    try:
        one = CheckBudget(client, "closed", per_hour=2, key_prefix=prefix)
        two = CheckBudget(client, "closed", per_hour=2, key_prefix=prefix)
        await one.spend(7)
        await two.spend(7)
        try:
            await one.spend(7)
        except TooManyChecks as exc:
            refused = exc
        await two.spend(8)  # another creator
    finally:
        await client.aclose()
    assert refused.retry_after_s > 0


async def test_the_guard_runs_in_another_process_that_is_replaced_when_it_dies() -> None:
    guard = GuardProcess()
    try:
        first = await guard.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        second = await guard.run(os.getpid)
        verdict = (await guard.run(check_message, "text me on whatsapp")).verdict
    finally:
        await guard.aclose()
    assert first != os.getpid()
    assert second not in (first, os.getpid())
    assert verdict == "block"


def busy(seconds: float) -> int:
    """Pure CPU for `seconds`, like a hostile check (module level: the guard imports it)."""
    end = time.perf_counter() + seconds
    spins = 0
    while time.perf_counter() < end:
        spins += 1
    return spins


async def test_a_busy_guard_process_leaves_the_event_loop_free() -> None:
    guard = GuardProcess()
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    try:
        await guard.run(os.getpid)  # started before the clock runs
        ticker = asyncio.create_task(tick())
        await asyncio.gather(*(guard.run(busy, 0.15) for _ in range(3)))
        ticker.cancel()
    finally:
        await guard.aclose()
    # 0.45 s of CPU went by; inline, the loop would have stood still for 0.15 s at a time.
    assert len(gaps) > 50
    assert max(gaps) < 0.1, max(gaps)


class SpyGuard(GuardProcess):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    async def run(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.texts.append(args[0])
        return await super().run(fn, *args, **kwargs)


async def test_the_hand_check_runs_in_the_guard_process(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    spy = SpyGuard()
    app = create_app(settings_for(database_url))
    async with app.router.lifespan_context(app):
        app.state.guard_process = spy
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post(CHECK, json={"text": HOSTILE}, headers=headers)
        await spy.aclose()
    assert response.status_code == 200
    assert response.json()["verdict"] == "block"
    assert spy.texts == [HOSTILE]
