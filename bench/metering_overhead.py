"""Metering overhead benchmark: what `Meter.call` adds around an AI call (rate-limit hit, atomic
reservation, settlement with its usage row), on PostgreSQL + Redis, with a model that answers at
once; once with reserve and settle as one statement each (the PostgreSQL path), once with the
multi-statement transactions, for comparison. Writes bench/results/metering_overhead.json.

    .venv/bin/python bench/metering_overhead.py [--calls 4000] [--concurrency 1 8 32]

Needs PostgreSQL and Redis (BENCH_POSTGRES_URL, BENCH_REDIS_URL; defaults: this machine's).
A throwaway database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from common import percentile, throwaway_database

from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.redis import create_redis
from huntaze_ai.metering.quota import QuotaLedger
from huntaze_ai.metering.rate_limit import CreatorRateLimiter
from huntaze_ai.metering.service import Meter
from huntaze_ai.users.schemas import UserCreate
from huntaze_ai.users.service import create_user

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
MODEL = "gemini-2.5-pro"
PROMPT = "Fan: hey! loved the new set, any plans for the weekend? " * 8
CREATORS = 50
OUT = Path(__file__).parent / "results" / "metering_overhead.json"


async def _run(meter: Meter, creators: list, calls: int, concurrency: int) -> dict[str, float]:  # type: ignore[type-arg]
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(calls):
        queue.put_nowait(i)

    async def worker() -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            async with meter.call(
                creators[i % len(creators)], "messaging", MODEL, 500, PROMPT
            ) as call:
                call.record_usage(input_tokens=120, output_tokens=80)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return {
        "concurrency": concurrency,
        "calls": calls,
        "calls_per_s": round(calls / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) or 0, 3),
        "p99_ms": round(percentile(latencies, 99) or 0, 3),
        "mean_ms": round(statistics.fmean(latencies), 3),
    }


async def main(calls: int, levels: list[int]) -> dict[str, object]:
    async with throwaway_database("huntaze_bench") as url:
        database = Database.from_url(url)
        redis = create_redis(REDIS_URL)
        settings = Settings(gemini_model=MODEL)
        # Limits high enough that nothing is refused: this measures the bookkeeping, not refusals.
        limiter = CreatorRateLimiter(
            redis,
            limits={"starter": 10**9, "pro": 10**9, "business": 10**9},
            key_prefix=f"huntaze-ai-bench:{url.database}",
        )
        meter = Meter(QuotaLedger(database.sessionmaker, settings), limiter, settings)
        async with database.sessionmaker() as session, session.begin():
            creators = [
                await create_user(
                    session,
                    UserCreate(email=f"bench{i}@example.com", password="x" * 12, plan="business"),
                )
                for i in range(CREATORS)
            ]
        await _run(meter, creators, min(500, calls), max(levels))  # warm pools and caches
        results = [
            {"path": "one statement", **await _run(meter, creators, calls, c)} for c in levels
        ]
        # The same calls through the multi-statement transactions (what SQLite uses, and what
        # PostgreSQL used before): the comparison is measured in the same run, on the same host.
        meter.ledger._autocommit = None
        results += [
            {"path": "transactions", **await _run(meter, creators, calls, c)} for c in levels
        ]
        await redis.aclose()
        await database.dispose()
    return {
        "benchmark": "metering_overhead",
        "what": "Meter.call around an instant model: rate-limit hit (Redis) + reserve + settle "
        "(PostgreSQL, one usage row); one asyncio process",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "creators": CREATORS,
        "results": results,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    report = asyncio.run(main(args.calls, args.concurrency))
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["results"], indent=2))
    print(f"written to {OUT}")
