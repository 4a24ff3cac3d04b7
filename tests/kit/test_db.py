from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, event, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import Database, HotStatement, create_engine
from huntaze_ai.models import OAuthAccount, User
from tests.factories import create_user, statements_sent


async def test_datetimes_come_back_timezone_aware_utc_on_every_backend(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    paris = timezone(timedelta(hours=1))
    user.created_at = datetime(2026, 3, 1, 0, 30, tzinfo=paris)
    await session.flush()
    session.expunge_all()

    loaded = await session.get(User, user.id)
    assert loaded is not None
    assert loaded.created_at == datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert loaded.created_at.tzinfo is not None


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    user = await create_user(session)
    user.created_at = datetime(2026, 3, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(Exception, match="naive datetime"):
        await session.flush()


# --- HotStatement: the reply path's statements on the driver --------------------------------

_PAGE = HotStatement(
    select(User.id, User.email, User.created_at).where(User.id == bindparam("user_id"))
)
_NEW_CHANNEL = HotStatement(
    insert(OAuthAccount)
    .values(
        user_id=bindparam("user_id"),
        provider=bindparam("provider"),
        provider_account_id=bindparam("account"),
        account_metadata=bindparam("metadata"),
    )
    .returning(OAuthAccount.id, OAuthAccount.account_metadata)
)


async def test_a_hot_statement_reads_what_sqlalchemy_reads(database: Database) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
    async with database.reader() as reader:
        conn = await reader.connection()
        expected = (await conn.execute(_PAGE.statement, {"user_id": user.id})).one()
        (row,) = await _PAGE.rows(conn, {"user_id": user.id})
    assert tuple(row) == tuple(expected)
    assert row.created_at.tzinfo is UTC  # the UTC column's own processing ran


async def test_a_hot_statement_binds_json_and_returns_it_decoded(database: Database) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
    meta = {"handle": "luna", "followers": 1200, "tags": ["a", "b"]}
    async with database.engine.begin() as conn:
        (row,) = await _NEW_CHANNEL.rows(
            conn, {"user_id": user.id, "provider": "x", "account": "1", "metadata": meta}
        )
    assert row.metadata == meta


async def test_a_key_violation_sent_on_the_driver_is_sqlalchemys_integrity_error(
    database: Database,
) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
    params = {"user_id": user.id, "provider": "x", "account": "dup", "metadata": None}
    async with database.engine.begin() as conn:
        await _NEW_CHANNEL.rows(conn, params)
    with pytest.raises(IntegrityError) as failed:
        async with database.engine.begin() as conn:
            await _NEW_CHANNEL.rows(conn, params)
    assert "'dup'" not in str(failed.value)  # its values stay out of the logs, as SQLAlchemy's


async def test_a_hot_statement_inside_a_transaction_rolls_back_with_it(
    database: Database,
) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
    for first in (True, False):  # the transaction's first statement, or a later one
        with pytest.raises(RuntimeError):
            async with database.engine.begin() as conn:
                if not first:
                    await conn.execute(select(1))
                params = {"user_id": user.id, "provider": "y", "account": str(first)}
                await _NEW_CHANNEL.rows(conn, {**params, "metadata": None})
                raise RuntimeError("changed my mind")
    async with database.reader() as reader:
        left = await reader.scalar(
            select(func.count()).select_from(OAuthAccount).where(OAuthAccount.user_id == user.id)
        )
    assert left == 0


async def test_a_hot_statement_that_opens_a_transaction_commits_with_it_on_the_driver(
    database: Database,
) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
    params = {"user_id": user.id, "provider": "z", "account": "first", "metadata": None}
    on_postgresql = database.engine.dialect.name == "postgresql"
    with statements_sent(database) if on_postgresql else contextlib.nullcontext([]) as sent:
        async with database.sessionmaker() as session, session.begin():
            await _NEW_CHANNEL.rows_in(session, params)
        await asyncio.sleep(0)  # asyncpg's query logger reports on the loop's next turn
    async with database.reader() as reader:
        kept = await reader.scalar(
            select(func.count()).select_from(OAuthAccount).where(OAuthAccount.user_id == user.id)
        )
    assert kept == 1
    if on_postgresql:
        # BEGIN, the INSERT and COMMIT, none of them through SQLAlchemy's cursor.
        assert [s.split()[0].rstrip(";") for s in sent] == ["BEGIN", "INSERT", "COMMIT"]


async def test_a_connection_lost_under_a_hot_statement_is_invalidated_not_reused(
    database: Database,
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no connection to lose")
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
    async with database.reader() as reader:
        conn = await reader.connection()
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        async with database.reader() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as lost:
            await _PAGE.rows(conn, {"user_id": user.id})
    assert lost.value.connection_invalidated
    async with database.reader() as reader:  # the pool hands out a live connection again
        (row,) = await _PAGE.rows(await reader.connection(), {"user_id": user.id})
    assert row.id == user.id


async def test_a_statement_sent_alone_on_a_lost_connection_gives_it_up_and_the_next_one_works(
    database: Database,
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no connection to lose")
    single = create_engine(database.engine.url, pool_size=1, max_overflow=0)
    pid_of = HotStatement(select(func.pg_backend_pid()))
    try:
        ((pid,),) = await pid_of.alone(single, {})
        async with database.reader() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as lost:
            await pid_of.alone(single, {})
        assert lost.value.connection_invalidated
        ((again,),) = await pid_of.alone(single, {})  # a new connection, not the dead one
        assert again != pid
    finally:
        await single.dispose()


async def test_a_begin_cut_short_on_the_driver_gives_its_connection_up(
    database: Database,
) -> None:
    """asyncpg counts a transaction from before its BEGIN reaches the server; a reply cancelled
    then (its client gone, a shutdown) must not leave that behind in the pool, where the next
    transaction's BEGIN would become a SAVEPOINT and its COMMIT commit nothing."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's transactions are not begun on the driver")
    single = create_engine(database.engine.url, pool_size=1, max_overflow=0)
    pid_of = HotStatement(select(func.pg_backend_pid()))
    try:
        ((pid,),) = await pid_of.alone(single, {})
        fairy = await single.raw_connection()
        driver = fairy.driver_connection
        fairy.close()  # back to the pool, which has only this one

        async def reply() -> None:
            async with single.begin() as conn:
                await pid_of.rows(conn, {})

        task = asyncio.create_task(reply())
        # asyncpg sets no event for it: poll until its BEGIN is on the way to the server.
        while driver._top_xact is None:  # noqa: ASYNC110
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        ((again,),) = await pid_of.alone(single, {})
        assert again != pid  # a new connection, not the one with a transaction half begun
    finally:
        await single.dispose()


async def test_connections_past_the_pool_size_are_closed_after_statements_sent_alone(
    database: Database,
) -> None:
    """The pool closes a connection it does not keep when it comes back; closing one awaits the
    driver, so a statement sent on its own must hand it back where that can happen."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's connections are files")
    small = create_engine(database.engine.url, pool_size=1, max_overflow=4)
    opened: list[Any] = []
    event.listen(small.sync_engine.pool, "connect", lambda dbapi, _: opened.append(dbapi))
    nap = HotStatement(select(func.pg_sleep(0.05)))
    try:
        await asyncio.gather(*(nap.alone(small, {}) for _ in range(5)))
        assert len(opened) == 5
        still_open = [c for c in opened if not c.driver_connection.is_closed()]
        assert len(still_open) == small.pool.checkedin() == 1
    finally:
        await small.dispose()


async def test_a_failed_statements_error_never_carries_its_values(database: Database) -> None:
    # The error is logged with its traceback (a stream, the webhook worker, a 503): a fan's
    # message bound to the statement must not reach the logs with it.
    with pytest.raises(DBAPIError) as failed:
        async with database.engine.connect() as conn:
            await conn.execute(text("SELECT no_such_function(:x)"), {"x": "SECRET-FAN-TEXT"})
    assert "SECRET-FAN-TEXT" not in str(failed.value)
    assert "parameters hidden" in str(failed.value)
