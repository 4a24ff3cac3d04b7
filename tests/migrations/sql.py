"""Raw SQL for migration tests: rows written as an older revision had them, read back after."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database


async def execute(url: URL, *statements: str) -> list[tuple[object, ...]]:
    """Run the statements in one transaction; the rows of the last one that returns any."""
    database = Database.from_url(url)
    try:
        async with database.engine.begin() as conn:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = await conn.execute(text(statement))
                if result.returns_rows:
                    rows = [tuple(r) for r in result]
            return rows
    finally:
        await database.dispose()
