"""Storing and reading a creator's AI insights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.insights import repository
from huntaze_ai.insights.schemas import InsightIn, InsightOut
from huntaze_ai.kit.errors import NotFound
from huntaze_ai.models import AIInsight

__all__ = [
    "MAX_LIST",
    "InsightIn",
    "InsightNotFound",
    "Refresh",
    "get_insight",
    "insight_out",
    "list_insights",
    "list_refreshes",
    "save_insights",
]

MAX_LIST = 200
MAX_REFRESHES = 50


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


@dataclass(frozen=True)
class Refresh:
    """The insights one analysis stored (one metered call), in the order the model gave them."""

    key: str
    insights: list[AIInsight]

    @property
    def created_at(self) -> datetime:
        return max(i.created_at for i in self.insights)


async def list_refreshes(
    session: AsyncSession, user_id: int, limit: int = MAX_REFRESHES
) -> list[Refresh]:
    """The creator's newest `limit` refreshes, newest first, each with all of its insights."""
    groups: dict[str, list[AIInsight]] = {}
    rows = await repository.newest_refreshes(session, user_id, max(1, min(limit, MAX_REFRESHES)))
    for insight, key in rows:
        groups.setdefault(key, []).append(insight)
    return [Refresh(key, insights) for key, insights in groups.items()]


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
