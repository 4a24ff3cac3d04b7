"""What the benchmarks share: a throwaway PostgreSQL database (migrated or empty), percentiles,
the CPU model every figure is quoted with, and the tables they keep in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

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


def cpu_model() -> str:
    """The CPU's model name, as every figure must be quoted with (this machine kind's hardware
    changes between sessions)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def replace_table(doc: Path, start: str, end: str, table: str) -> None:
    """Put `table` between the `start` and `end` markers of `doc`, or append it with them."""
    text = doc.read_text(encoding="utf-8")
    block = f"{start}\n{table}\n{end}"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")
