"""Engines, sessions and the column types every model shares.

The request's session (`SessionDep`, `ReaderDep`) is in kit/session_deps.py: this module does not
import FastAPI, so a CLI command that only opens the database does not pay for the web stack.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Executable, MetaData, event
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import greenlet_spawn

T = TypeVar("T")

__all__ = ["Base", "Database", "HotStatement", "UTCDateTime", "create_engine"]

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
    # A failed statement's error (logged with its traceback) would otherwise carry its values:
    # fan messages, drafts, webhook payloads. kit/logging.py promises no such text in logs.
    kwargs.setdefault("hide_parameters", True)
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


async def end_transaction(session: AsyncSession) -> None:
    """End the session's transaction and hand its connection back to the pool.

    Called before anything slow (a model call): holding a transaction across it would pin a
    pooled connection idle-in-transaction on PostgreSQL, and on SQLite leave a stale WAL snapshot
    that cannot be upgraded to a write afterwards. Loaded objects stay usable
    (expire_on_commit=False); the next statement starts a fresh transaction.
    """
    await session.commit()


@dataclass(frozen=True)
class DriverForm:
    sql: str  # as SQLAlchemy compiled it for asyncpg ($1, $2, ...)
    # Where each $n comes from: the caller's parameter (by name), a value written in the
    # statement, or a column's Python-side default (computed per execution, as SQLAlchemy does);
    # and SQLAlchemy's processor for its type.
    binds: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]
    results: tuple[Callable[[Any], Any] | None, ...]
    row: Callable[..., Any]  # a named tuple of the result's columns


class HotStatement:
    """A Core statement run on every fan reply. On PostgreSQL it is sent on the pooled
    connection's asyncpg driver: compiled once by SQLAlchemy, with SQLAlchemy's own bind and
    result processing, column defaults and error translation, but without its per-execution
    machinery (execution context, cursor adapter, greenlet hop), which cost about 0.1-0.2 ms of
    CPU a statement against 0.07 for asyncpg (AMD EPYC; docs/benchmarks.md). Elsewhere (SQLite)
    it runs through SQLAlchemy. Rows are named tuples either way."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._form: DriverForm | None = None

    def _compile(self, dialect: Dialect) -> DriverForm:
        compiled: Any = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        processors = compiled._bind_processors
        defaults = {c.key: c.default for c in compiled.insert_prefetch + compiled.update_prefetch}
        binds = []
        for name in compiled.positiontup or ():
            bind, default = compiled.binds[name], defaults.get(name)
            if default is not None and default.is_callable:
                source: tuple[str, Any] = ("default", default.arg)
            elif default is not None and default.is_scalar:
                source = ("fixed", default.arg)
            elif default is not None:
                raise TypeError(f"{name}: only scalar and callable defaults are supported")
            elif bind.required:
                source = ("param", name)
            else:
                source = ("fixed", bind.effective_value)
            binds.append((*source, processors.get(name)))
        columns = compiled._result_columns
        results = tuple(c.type._cached_result_processor(dialect, None) for c in columns)
        row = namedtuple("row", [c.keyname for c in columns], rename=True)  # type: ignore[misc]
        self._form = DriverForm(compiled.string, tuple(binds), results, row._make)
        return self._form

    async def rows_in(self, session: AsyncSession, params: Mapping[str, Any]) -> list[Any]:
        """`rows` on the session's connection, its pending changes flushed first (as the ORM's
        autoflush would before a query), so it reads what the session would."""
        if session.new or session.dirty or session.deleted:
            await session.flush()
        return await self.rows(await session.connection(), params)

    async def alone(self, engine: AsyncEngine, params: Mapping[str, Any]) -> list[Any]:
        """The statement in a transaction of its own, its rows. A single statement is atomic by
        itself: on PostgreSQL it is sent outside any transaction block on a connection taken
        straight from the pool (one round trip where BEGIN, the statement and COMMIT are three,
        and no SQLAlchemy connection around it); on SQLite in a transaction that starts with
        it."""
        if engine.dialect.name != "postgresql":
            async with engine.begin() as conn:
                return await self.rows(conn, params)
        fairy = await engine.raw_connection()
        try:
            return await self._send(engine.dialect, fairy, params)
        finally:
            # In a greenlet, as SQLAlchemy's own connections are closed: a connection the pool
            # does not keep (past pool_size) is closed on the way back, and that awaits.
            await greenlet_spawn(fairy.close)

    async def rows(self, conn: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        if conn.dialect.name == "postgresql":
            fairy = await conn.get_raw_connection()
            adapter: Any = fairy.dbapi_connection
            if adapter.autocommit or adapter._transaction is not None:
                return await self._send(conn.dialect, fairy, params)
            if conn.in_transaction():
                # Begun in SQLAlchemy, not yet on the database: its cursor sends BEGIN before
                # its first statement, so this one sends it the same way, as SQLAlchemy's driver
                # adapter does (the adapter then commits or rolls it back with the connection).
                await _on_driver(conn.dialect, fairy, "BEGIN", [], adapter._start_transaction())
                return await self._send(conn.dialect, fairy, params)
        # SQLite; or a connection outside any transaction, which SQLAlchemy begins (autobegin)
        # on its first statement: this one, then.
        result = await conn.execute(self.statement, dict(params))
        return self._made(list(result.all())) if result.returns_rows else []

    def _made(self, rows: list[Any]) -> list[Any]:
        """Rows SQLAlchemy has processed (the SQLite path), as `rows` returns them."""
        return rows

    async def _send(self, dialect: Dialect, fairy: Any, params: Mapping[str, Any]) -> list[Any]:
        form = self._form or self._compile(dialect)
        args = []
        for kind, source, process in form.binds:
            if kind == "param":
                value = params[source]
            else:
                value = source(None) if kind == "default" else source
            args.append(value if process is None else process(value))
        fetched = fairy.driver_connection.fetch(form.sql, *args)
        return self._shaped(form, await _on_driver(dialect, fairy, form.sql, args, fetched))

    def _shaped(self, form: DriverForm, records: list[Any]) -> list[Any]:
        """The driver's records with SQLAlchemy's result processing, as `rows` returns them."""
        make, results = form.row, form.results
        if not any(results):
            return [make(r) for r in records]
        return [
            make([v if p is None else p(v) for p, v in zip(results, r, strict=True)])
            for r in records
        ]


async def _on_driver(
    dialect: Dialect, fairy: Any, sql: str, args: list[Any], call: Awaitable[T]
) -> T:
    """`call` on the pooled connection's driver, failing as SQLAlchemy's own statements do."""
    try:
        return await call
    except Exception as exc:
        raise await _translated(dialect, fairy, sql, args, exc) from None
    except BaseException:
        # Cut short (cancelled, interrupted) mid-exchange: the connection's state is unknown
        # (asyncpg counts a transaction from before its BEGIN is sent, SQLAlchemy's adapter only
        # once it succeeded), so it is closed and never pooled again, as SQLAlchemy does. Not in
        # a greenlet, the driver's connection is terminated without awaiting.
        fairy.invalidate()
        raise


async def _translated(
    dialect: Dialect, fairy: Any, sql: str, args: list[Any], exc: Exception
) -> Exception:
    """`exc` from asyncpg as SQLAlchemy raises it (IntegrityError, OperationalError, ...), the
    connection invalidated when it was lost: the app's handlers and retries see one kind of
    error whichever way a statement was sent."""
    try:
        fairy.dbapi_connection._handle_exception(exc)  # asyncpg's error as a DB-API one
    except Exception as dbapi_error:
        exc = dbapi_error
    lost = isinstance(exc, dialect.loaded_dbapi.Error) and dialect.is_disconnect(
        exc, fairy.dbapi_connection, None
    )
    if lost:
        await greenlet_spawn(fairy.invalidate)  # closing the driver's connection awaits
    if not isinstance(exc, dialect.loaded_dbapi.Error):
        return exc
    translated: Exception = DBAPIError.instance(
        sql,
        args,
        exc,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,  # as the engines are made (create_engine)
        connection_invalidated=lost,
        dialect=dialect,
    )
    return translated
