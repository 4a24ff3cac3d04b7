"""Hourly rate limits: exact on memory and on Redis, and both fail modes when Redis dies."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest
import redis
import redis.asyncio as aioredis

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.redis import create_redis
from huntaze_ai.metering.quota import QuotaExceeded
from huntaze_ai.metering.rate_limit import (
    CreatorRateLimiter,
    RateLimiterUnavailable,
    RateLimitExceeded,
    check_creator_rate_limit,
)
from tests.metering.conftest import MODEL, books, make_meter, make_settings, new_creator
from tests.ports import free_port

SMALL = {"starter": 5, "pro": 10, "business": 20}


def _prefix() -> str:
    # Each test counts in its own keys: Redis outlives test sessions on a developer machine.
    return f"huntaze-ai-test:{uuid.uuid4().hex[:8]}"


async def _admitted(limiter: CreatorRateLimiter, creator_id: int, plan: str, n: int) -> int:
    admitted = 0
    for _ in range(n):
        try:
            await limiter.hit(creator_id, plan)  # type: ignore[arg-type]
            admitted += 1
        except RateLimitExceeded:
            pass
    return admitted


@pytest.mark.parametrize("plan", ["starter", "pro", "business"])
async def test_in_process_limits_admit_exactly_the_plans_hourly_allowance(plan: str) -> None:
    limiter = CreatorRateLimiter(limits=SMALL)
    assert await _admitted(limiter, 1, plan, SMALL[plan] + 7) == SMALL[plan]  # type: ignore[index]


def test_the_default_allowances_are_the_designs() -> None:
    assert CreatorRateLimiter().limits == {"starter": 50, "pro": 100, "business": 500}


async def test_a_refusal_says_when_to_retry_and_status_counts_down() -> None:
    limiter = CreatorRateLimiter(limits=SMALL)
    assert (await limiter.status(9, "starter")).remaining == 5
    for _ in range(5):
        await check_creator_rate_limit(limiter, 9, "starter")
    status = await limiter.status(9, "starter")
    assert status.remaining == 0
    with pytest.raises(RateLimitExceeded, match="Rate limit exceeded") as refused:
        await check_creator_rate_limit(limiter, 9, "starter")
    assert 3590 <= refused.value.retry_after_s <= 3600
    assert refused.value.headers() == {"Retry-After": str(refused.value.retry_after_s)}
    assert refused.value.body()["retry_after_s"] == refused.value.retry_after_s
    # Creators do not share a window.
    await check_creator_rate_limit(limiter, 10, "starter")


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = create_redis(redis_url)
    yield client
    await client.aclose()


async def test_redis_limits_are_exact_and_keys_stay_in_one_cluster_slot(
    redis_url: str, redis_client: aioredis.Redis
) -> None:
    prefix = _prefix()
    limiter = CreatorRateLimiter(redis_client, limits=SMALL, key_prefix=prefix)
    assert limiter.shared
    assert await _admitted(limiter, 42, "pro", 25) == 10
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(f"{prefix}*")]
    finally:
        client.close()
    assert keys
    assert all("{creator:42}" in key for key in keys)


@pytest.fixture
def own_redis() -> Iterator[dict[str, object]]:
    """A Redis server this test owns, so it can be stopped and started mid-test."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server binary not installed")
    port = free_port()
    cmd = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    state: dict[str, object] = {"url": f"redis://127.0.0.1:{port}/0"}
    # Fast timeouts: a dead server must turn into a quick refusal in these tests.

    def start() -> None:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state["proc"] = proc
        client = redis.Redis(port=port, socket_connect_timeout=0.2)
        try:
            for _ in range(100):
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
            raise RuntimeError("own redis-server did not start")
        finally:
            client.close()

    def stop() -> None:
        proc = state["proc"]
        assert isinstance(proc, subprocess.Popen)
        proc.kill()
        proc.wait()

    state["start"], state["stop"] = start, stop
    start()
    yield state
    stop()


@pytest.fixture
async def own_redis_client(own_redis: dict[str, object]) -> AsyncIterator[aioredis.Redis]:
    client = create_redis(str(own_redis["url"]))
    yield client
    await client.aclose()


async def test_fail_closed_refuses_calls_while_redis_is_down_and_recovers(
    database: Database, own_redis: dict[str, object], own_redis_client: aioredis.Redis
) -> None:
    limiter = CreatorRateLimiter(own_redis_client, "closed", limits=SMALL, redis_retry_interval_s=0)
    meter = make_meter(database, limiter=limiter)
    user = await new_creator(database)
    async with meter.call(user, "content", MODEL, 100, "hello") as call:
        call.record_usage(input_tokens=5, output_tokens=5)

    own_redis["stop"]()  # type: ignore[operator]
    with pytest.raises(RateLimiterUnavailable) as refused:
        async with meter.call(user, "content", MODEL, 100, "hello"):
            pytest.fail("must not run while the limiter cannot count")
    assert refused.value.status_code == 503
    assert refused.value.code == "dependency_unavailable"
    b = await books(database, user.id)
    assert (b.rows, b.reserved, b.open_reservations) == (1, 0, 0)

    own_redis["start"]()  # type: ignore[operator]
    async with meter.call(user, "content", MODEL, 100, "hello") as call:
        call.record_usage(input_tokens=5, output_tokens=5)
    assert (await books(database, user.id)).rows == 2


async def test_fail_open_falls_back_to_in_process_limits_and_money_stays_capped(
    database: Database, own_redis: dict[str, object], own_redis_client: aioredis.Redis
) -> None:
    limiter = CreatorRateLimiter(own_redis_client, "open", limits=SMALL)
    settings = make_settings(quota_starter_usd=Decimal("0.01"))
    meter = make_meter(database, settings, limiter=limiter)
    user = await new_creator(database)
    own_redis["stop"]()  # type: ignore[operator]

    outcomes = []
    for _ in range(8):
        try:
            async with meter.call(user, "content", MODEL, 100, "hello") as call:
                call.record_usage(input_tokens=69, output_tokens=100)
            outcomes.append("ok")
        except RateLimitExceeded:
            outcomes.append("rate_limited")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
    # The in-process window still limits (5/hour); the database quota still holds the money
    # (the quota decides first, so only calls it admits reach the window).
    assert outcomes.count("rate_limited") == 3
    assert limiter.fallback_hits == 8
    assert limiter.redis_errors >= 1
    b = await books(database, user.id)
    assert b.spent <= 10_000
    assert b.reserved == 0
    assert b.rows_cost == b.spent
    # Past the quota, calls are refused before the window counts them.
    for _ in range(3):
        with pytest.raises(QuotaExceeded):
            async with meter.call(user, "content", MODEL, 10_000, "hello"):
                pytest.fail("must not run")
    assert limiter.fallback_hits == 8
