"""Clients that abort streamed replies, over real sockets to a real uvicorn serving the app:
whenever they leave (right after the headers, after the first delta, midway), the database pool
ends where it started, every reservation is settled with exactly one usage row, nothing stays
reserved, and asyncio never reports a task destroyed while pending."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from huntaze_ai.kit import detached_stream
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.http_limits import HttpLimits, LimitedHttpToolsProtocol
from huntaze_ai.main import create_app
from huntaze_ai.models import QuotaReservation, UsageLog
from tests.apphelpers import creator_headers, settings_for
from tests.metering.conftest import books

pytestmark = pytest.mark.slow

STREAM = "/api/ai/messages/reply/stream"
ABORTS_PER_KIND = 10


@pytest.fixture(scope="module")
def slow_gemini() -> Iterator[str]:
    """An emulator whose streams take a while, so clients can leave in the middle."""
    with run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=1500, seed=3)) as url:
        yield url


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[int]:
    """uvicorn serving `app` in this event loop (lifespan included), as `serve` configures it;
    yields the port."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_config=None,
        access_log=False,
        http=functools.partial(LimitedHttpToolsProtocol, limits=HttpLimits()),  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def abort_stream(port: int, headers: dict[str, str], deltas: int, i: int) -> None:
    """Ask for a streamed reply; hang up after the response headers (`deltas` 0) or after that
    many delta events."""
    # A message the emulator answers at length (a new-content question): a short greeting may
    # end in fewer deltas than the client means to wait for.
    message = f"you looked amazing in your last post, when is the next set? ({i})"
    body = json.dumps({"fan_message": message}).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {STREAM} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n{head}"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    seen = 0
    while seen < deltas:
        line = await asyncio.wait_for(reader.readline(), 30)
        assert line, "the stream ended before the client meant to leave"
        seen += line.startswith(b"event: delta")
    writer.transport.abort()  # a reset, as a tab closed mid-stream


async def test_aborted_streams_leave_the_pool_and_the_books_as_they_were(
    database_url: URL, database: Database, slow_gemini: str, caplog: pytest.LogCaptureFixture
) -> None:
    user_id, auth = await creator_headers(database, plan="business")
    app = create_app(settings_for(database_url, gemini_base_url=slow_gemini))
    caplog.set_level(logging.ERROR, logger="asyncio")
    async with served(app) as port:
        pool = app.state.database.engine.pool
        await abort_stream(port, auth, 1, -1)  # warm the pool and the emulator up
        await _settled()
        baseline = pool.checkedout()

        await asyncio.gather(
            *(
                abort_stream(port, auth, deltas, i)
                for deltas in (0, 1, 3)
                for i in range(ABORTS_PER_KIND)
            )
        )
        await _settled()
        checked_out = pool.checkedout()
    gc.collect()

    assert checked_out == baseline
    b = await books(database, user_id)
    assert b.reserved == 0
    assert b.open_reservations == 0
    assert b.spent == b.rows_cost
    async with database.sessionmaker() as session:
        reservations = await session.scalar(
            select(func.count()).where(QuotaReservation.user_id == user_id)
        )
        outcomes = list(
            await session.scalars(select(UsageLog.outcome).where(UsageLog.user_id == user_id))
        )
    assert reservations == len(outcomes)  # one usage row per reserved call
    assert set(outcomes) <= {"cancelled", "ok"}
    assert "cancelled" in outcomes
    destroyed = [r.getMessage() for r in caplog.records if "destroyed" in r.getMessage()]
    assert destroyed == []


async def _settled(timeout_s: float = 30.0) -> None:
    """Until every producer whose client left has finished (settlement included)."""
    await asyncio.wait_for(detached_stream.drain(timeout_s), timeout_s + 1)
    assert not detached_stream._running
