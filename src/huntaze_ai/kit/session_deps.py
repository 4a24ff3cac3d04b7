"""The request's database session, as FastAPI dependencies.

One session per request: `get_session` commits when the endpoint returns and rolls back when it
raises; services only flush.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import Database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


# scope="function": commit before the response is sent. FastAPI's default ends the dependency
# after sending, so a client could use a token it was just given before it was committed (a 401),
# and a failed commit would follow a 200 that already said the write was done.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_reader(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.reader() as session:
        yield session


# For endpoints that only read before a model call (the fan reply): on PostgreSQL each read is
# its own round trip, with no BEGIN and COMMIT around them.
ReaderDep = Annotated[AsyncSession, Depends(get_reader, scope="function")]
