"""What the benchmarks share: a throwaway PostgreSQL database (migrated or empty) and
percentiles."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import URL, make_url

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def empty_database(prefix: str) -> AsyncIterator[URL]:
    """A new, empty database on the benchmark server, dropped afterwards whatever happens. The
    caller migrates it (bench/load.py runs each checkout's own `db upgrade`)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def throwaway_database(prefix: str) -> AsyncIterator[URL]:
    """A new database at head (this tree's migrations), dropped afterwards whatever happens."""
    from huntaze_ai.kit.migrations import upgrade  # only the benchmarks that migrate load it

    async with empty_database(prefix) as url:
        await asyncio.to_thread(upgrade, url)
        yield url


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile, None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]
