from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
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


async def get_owned(session: AsyncSession, user_id: int, insight_id: int) -> AIInsight | None:
    """The insight if it exists *and* belongs to `user_id`: callers cannot tell the two apart."""
    return await session.scalar(
        select(AIInsight).where(AIInsight.id == insight_id, AIInsight.user_id == user_id)
    )
