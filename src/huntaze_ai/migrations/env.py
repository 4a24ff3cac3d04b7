"""Alembic environment: async engine, URL from the caller (kit.migrations) or from settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import URL, Connection

from huntaze_ai import models  # noqa: F401 - registers every table on Base.metadata
from huntaze_ai.kit.db import Base, create_engine

config = context.config
target_metadata = Base.metadata


def _url() -> URL:
    url: URL | None = config.attributes.get("url")
    if url is None:
        from huntaze_ai.config import get_settings

        url = get_settings().async_database_url
    return url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:  # a failed migration too: its connection would otherwise outlive the command
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_async())
