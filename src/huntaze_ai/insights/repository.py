from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.models import AIInsight


async def newest(session: AsyncSession, user_id: int, limit: int) -> Sequence[AIInsight]:
    stmt = (
        select(AIInsight)
        .where(AIInsight.user_id == user_id)
        .order_by(AIInsight.created_at.desc(), AIInsight.id.desc())
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


def _refresh_key() -> Any:
    # One refresh is one metered call: its insights share the call's request id. An insight
    # stored without one stands alone; its row id cannot equal a request id (a 32-digit hex
    # uuid, or "<creator id>:<client key>").
    return func.coalesce(AIInsight.request_id, cast(AIInsight.id, String))


async def newest_refreshes(
    session: AsyncSession, user_id: int, limit: int
) -> Sequence[Row[AIInsight, str]]:
    """Every insight of the `limit` newest refreshes, with its refresh's key: refreshes newest
    first, each one's insights in the order the model gave them."""
    key = _refresh_key()
    refreshes = (
        select(
            key.label("refresh"),
            func.max(AIInsight.created_at).label("at"),
            func.max(AIInsight.id).label("last_id"),
        )
        .where(AIInsight.user_id == user_id)
        .group_by(key)
        .order_by(func.max(AIInsight.created_at).desc(), func.max(AIInsight.id).desc())
        .limit(limit)
        .subquery()
    )
    stmt = (
        select(AIInsight, refreshes.c.refresh)
        .join(refreshes, refreshes.c.refresh == key)
        .where(AIInsight.user_id == user_id)
        .order_by(refreshes.c.at.desc(), refreshes.c.last_id.desc(), AIInsight.id)
    )
    return (await session.execute(stmt)).all()


async def get_owned(session: AsyncSession, user_id: int, insight_id: int) -> AIInsight | None:
    """The insight if it exists *and* belongs to `user_id`: callers cannot tell the two apart."""
    return await session.scalar(
        select(AIInsight).where(AIInsight.id == insight_id, AIInsight.user_id == user_id)
    )
