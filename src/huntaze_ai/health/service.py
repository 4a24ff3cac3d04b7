"""Readiness checks: is this instance able to serve (database at head, Redis when configured)?"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import text

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.migrations import current_revision, head_revision

if TYPE_CHECKING:
    import redis.asyncio as aioredis

CHECK_TIMEOUT_S = 2.0


async def check_database(database: Database) -> str | None:
    """None when the database answers and is migrated to head, else what is wrong."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await current_revision(conn)
    except Exception as exc:  # any driver error means "not ready"; the reason is reported
        return f"unreachable: {type(exc).__name__}"
    head = head_revision()
    if current != head:
        return f"schema at {current or 'empty'}, head is {head}: run `huntaze-ai db upgrade`"
    return None


async def check_redis(client: aioredis.Redis) -> str | None:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await client.ping()
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"
    return None


async def readiness(database: Database, redis: aioredis.Redis | None) -> dict[str, str]:
    checks = {"database": check_database(database)}
    if redis is not None:
        checks["redis"] = check_redis(redis)
    results = await asyncio.gather(*checks.values())
    return {name: result or "ok" for name, result in zip(checks, results, strict=True)}
