"""Engines, sessions and the column types every model shares.

The request's session (`SessionDep`, `ReaderDep`) is in kit/session_deps.py: this module does not
import FastAPI, so a CLI command that only opens the database does not pay for the web stack.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Executable, MetaData, event
from sqlalchemy.engine import URL, Dialect, Row
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "Database", "UTCDateTime", "create_engine"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every backend (SQLite keeps no offset, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it is a round trip per checkout, doubling the cost of the quota's short
    # transactions. A connection killed by a database restart fails one request (a 503, and the
    # pool is invalidated); recycling bounds how old a connection gets.
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(url, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    # WAL: readers never block the writer, so a request reading in its own session cannot stall
    # the quota ledger's write transactions. The ledger's transactions all start with a write,
    # which takes SQLite's write lock at once and queues on busy_timeout instead of failing.
    # pysqlite's own transaction handling is replaced by an explicit BEGIN (SQLAlchemy's recipe)
    # so SAVEPOINTs and transactional reads behave as on PostgreSQL.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # For one-statement reads on every request (the token lookup): on PostgreSQL these sessions
    # run in autocommit, one round trip instead of BEGIN, SELECT, COMMIT. On SQLite (no network)
    # they are ordinary sessions.
    reader: async_sessionmaker[AsyncSession]

    @classmethod
    def from_url(cls, url: URL, **kwargs: Any) -> Database:
        engine = create_engine(url, **kwargs)
        reads = engine
        if engine.dialect.name == "postgresql":
            reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        return cls(
            engine,
            async_sessionmaker(engine, expire_on_commit=False),
            async_sessionmaker(reads, expire_on_commit=False),
        )

    async def dispose(self) -> None:
        await self.engine.dispose()


@functools.lru_cache(maxsize=8)
def _autocommit(engine: AsyncEngine) -> AsyncEngine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


async def run_alone(
    sessions: async_sessionmaker[AsyncSession],
    statement: Executable,
    params: dict[str, Any] | None = None,
) -> list[Row[Any]]:
    """One statement in a transaction of its own, and the rows it returns. A single statement is
    atomic by itself: on PostgreSQL it runs in autocommit, one round trip where BEGIN, the
    statement and COMMIT are three; on SQLite in a transaction that starts with it."""
    engine: AsyncEngine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        async with _autocommit(engine).connect() as conn:
            result = await conn.execute(statement, params)
    else:
        async with engine.begin() as conn:
            result = await conn.execute(statement, params)
    return list(result.all()) if result.returns_rows else []


async def end_transaction(session: AsyncSession) -> None:
    """End the session's transaction and hand its connection back to the pool.

    Called before anything slow (a model call): holding a transaction across it would pin a
    pooled connection idle-in-transaction on PostgreSQL, and on SQLite leave a stale WAL snapshot
    that cannot be upgraded to a write afterwards. Loaded objects stay usable
    (expire_on_commit=False); the next statement starts a fresh transaction.
    """
    await session.commit()
