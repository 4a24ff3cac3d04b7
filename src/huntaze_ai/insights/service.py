"""Storing and reading a creator's AI insights."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.insights import repository
from huntaze_ai.insights.schemas import InsightIn, InsightOut
from huntaze_ai.kit.errors import NotFound
from huntaze_ai.models import AIInsight

__all__ = [
    "MAX_LIST",
    "InsightIn",
    "InsightNotFound",
    "get_insight",
    "insight_out",
    "list_insights",
    "save_insights",
]

MAX_LIST = 200


class InsightNotFound(NotFound):
    default_message = "Insight not found"


async def save_insights(
    session: AsyncSession,
    user_id: int,
    insights: Sequence[InsightIn],
    request_id: str | None,
    *,
    member_id: int | None = None,
) -> list[AIInsight]:
    """Store the insights of one analysis; `request_id` ties them to the metered call, and
    `member_id` names who asked for it."""
    rows = [
        AIInsight(
            user_id=user_id,
            type=i.type,
            confidence=i.confidence,
            summary=i.summary,
            data=i.data,
            request_id=request_id,
            member_id=member_id,
        )
        for i in insights
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def list_insights(session: AsyncSession, user_id: int, limit: int = 50) -> list[AIInsight]:
    """The creator's insights, newest first."""
    return list(await repository.newest(session, user_id, max(1, min(limit, MAX_LIST))))


async def get_insight(session: AsyncSession, user_id: int, insight_id: int) -> AIInsight:
    """The caller's insight; another creator's is as not-found as a missing one (DESIGN inv. 6)."""
    insight = await repository.get_owned(session, user_id, insight_id)
    if insight is None:
        raise InsightNotFound()
    return insight


def insight_out(insight: AIInsight) -> InsightOut:
    return InsightOut(
        id=insight.id,
        type=insight.type,
        confidence=insight.confidence,
        summary=insight.summary,
        data=insight.data,
        created_at=insight.created_at,
    )
