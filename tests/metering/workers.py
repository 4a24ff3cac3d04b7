"""Entry points run in separate OS processes by test_multiprocess.py (spawned, so each has its own
interpreter, engine, pool and Redis connections, as separate app instances would)."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import make_url

from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.redis import create_redis
from huntaze_ai.metering.pricing import Prices, prompt_token_upper_bound
from huntaze_ai.metering.quota import QuotaExceeded, QuotaLedger
from huntaze_ai.metering.rate_limit import CreatorRateLimiter, RateLimitExceeded
from huntaze_ai.metering.service import Meter

MODEL = "gemini-2.5-pro"
PROMPT = "a fan message that is long enough to cost something " * 5
MAX_OUT = 300


class _Creator:
    def __init__(self, user_id: int) -> None:
        self.id = user_id
        self.ai_plan = "starter"
        self.subscription_tier: str | None = None


def run_calls(
    db_url: str,
    redis_url: str,
    key_prefix: str,
    user_id: int,
    calls: int,
    quota_usd: str,
    barrier: Any,
    results: Any,
) -> None:
    try:
        counts = asyncio.run(
            _run_calls(db_url, redis_url, key_prefix, user_id, calls, quota_usd, barrier)
        )
    except BaseException as exc:  # reported to the test, which fails with it
        counts = {f"crashed: {exc!r}": 1}
    results.put(counts)


async def _run_calls(
    db_url: str,
    redis_url: str,
    key_prefix: str,
    user_id: int,
    calls: int,
    quota_usd: str,
    barrier: Any,
) -> dict[str, int]:
    settings = Settings(gemini_model=MODEL, quota_starter_usd=Decimal(quota_usd))
    database = Database.from_url(make_url(db_url))
    redis = create_redis(redis_url)
    limiter = CreatorRateLimiter(redis, "closed", key_prefix=key_prefix)
    meter = Meter(QuotaLedger(database.sessionmaker, settings), limiter, Prices([MODEL]))
    creator = _Creator(user_id)

    async def one() -> str:
        try:
            async with meter.call(creator, "messaging", MODEL, MAX_OUT, PROMPT) as call:
                await asyncio.sleep(0.001)
                call.record_usage(
                    input_tokens=prompt_token_upper_bound(PROMPT), output_tokens=MAX_OUT
                )
        except RateLimitExceeded:
            return "rate_limited"
        except QuotaExceeded:
            return "quota_exceeded"
        return "ok"

    # Warm the pool, then start together so the processes really contend for the same rows.
    async with database.engine.connect():
        pass
    await asyncio.to_thread(barrier.wait, 120)
    try:
        results = await asyncio.gather(*(one() for _ in range(calls)))
    finally:
        await redis.aclose()
        await database.dispose()
    return dict(Counter(results))


def hold_reservation(db_url: str, user_id: int, quota_usd: str, ready: Any) -> None:
    """Reserve inside a call and hang there until killed, like a process that dies mid-call."""
    asyncio.run(_hold(db_url, user_id, quota_usd, ready))


async def _hold(db_url: str, user_id: int, quota_usd: str, ready: Any) -> None:
    settings = Settings(gemini_model=MODEL, quota_starter_usd=Decimal(quota_usd))
    database = Database.from_url(make_url(db_url))
    ledger = QuotaLedger(database.sessionmaker, settings)
    meter = Meter(ledger, CreatorRateLimiter(), Prices([MODEL]))
    async with meter.call(_Creator(user_id), "messaging", MODEL, MAX_OUT, PROMPT):
        ready.set()
        await asyncio.Event().wait()
