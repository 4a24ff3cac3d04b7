from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.models import User
from tests.factories import create_user


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
