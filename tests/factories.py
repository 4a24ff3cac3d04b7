"""Small `create_*` helpers for tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import Database
from huntaze_ai.models import MarketingCampaign, User
from huntaze_ai.users.schemas import UserCreate
from huntaze_ai.users.service import create_user as create_user_service

DEFAULT_PASSWORD = "correct horse battery"


async def create_user(
    session: AsyncSession, *, email: str | None = None, plan: str = "starter"
) -> User:
    email = email or f"creator-{uuid.uuid4().hex[:10]}@example.com"
    return await create_user_service(
        session,
        UserCreate(email=email, password=DEFAULT_PASSWORD, plan=plan),  # type: ignore[arg-type]
    )


async def count_campaigns(database: Database, user_id: int) -> int:
    async with database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(MarketingCampaign)
            .where(MarketingCampaign.user_id == user_id)
        )
    return int(count or 0)


@contextmanager
def statements_sent(database: Database) -> Iterator[list[str]]:
    """Every statement that reaches PostgreSQL's driver while inside: those SQLAlchemy executes
    and those a HotStatement sends on asyncpg directly (its query logger, which reports on the
    loop's next turn: `await asyncio.sleep(0)` before counting)."""
    from sqlalchemy import event

    sent: list[str] = []
    engine = database.engine.sync_engine

    def through_sqlalchemy(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    def logged(record: Any) -> None:
        # asyncpg looks a connection's unknown types up once (with JIT switched off around it):
        # its own bookkeeping, not the app's statements.
        if "pg_catalog.pg_type" not in record.query and "set_config('jit'" not in record.query:
            sent.append(record.query)

    def watch(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.driver_connection.add_query_logger(logged)

    def unwatch(_dbapi_connection: Any, record: Any) -> None:
        if record.driver_connection is not None:
            record.driver_connection.remove_query_logger(logged)

    event.listen(engine, "before_cursor_execute", through_sqlalchemy)
    event.listen(engine.pool, "checkout", watch)
    event.listen(engine.pool, "checkin", unwatch)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", through_sqlalchemy)
        event.remove(engine.pool, "checkout", watch)
        event.remove(engine.pool, "checkin", unwatch)
