from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import UTCDateTime
from huntaze_ai.models import AIInsight, CampaignInsight, MarketingCampaign

_links = cast(Table, CampaignInsight.__table__)


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _insight_count() -> Any:
    return (
        select(func.count())
        .where(CampaignInsight.campaign_id == MarketingCampaign.id)
        .correlate(MarketingCampaign)
        .scalar_subquery()
    )


async def with_counts(
    session: AsyncSession, user_id: int, limit: int
) -> Sequence[Row[MarketingCampaign, int]]:
    stmt = (
        select(MarketingCampaign, _insight_count())
        .where(MarketingCampaign.user_id == user_id)
        .order_by(MarketingCampaign.created_at.desc(), MarketingCampaign.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).all()


async def get_owned(
    session: AsyncSession, user_id: int, campaign_id: int
) -> MarketingCampaign | None:
    """The campaign if it exists *and* belongs to `user_id`: callers cannot tell the two apart."""
    return await session.scalar(
        select(MarketingCampaign).where(
            MarketingCampaign.id == campaign_id, MarketingCampaign.user_id == user_id
        )
    )


async def insert_link(
    session: AsyncSession, user_id: int, campaign_id: int, insight_id: int, now: datetime
) -> bool:
    """Link the pair iff both belong to `user_id`, in one atomic statement; True when this call
    created the link (False: already linked, or not both the caller's).

    INSERT … SELECT … ON CONFLICT DO NOTHING: the primary key (campaign_id, insight_id) decides
    between concurrent callers, so links of different insights never overwrite each other and
    the same pair is stored once. Checking ownership inside the insert means the transaction
    starts with a write, which on SQLite takes the write lock at once (and waits its turn)
    instead of failing to upgrade a read snapshot another writer has made stale.
    """
    source = (
        select(MarketingCampaign.id, AIInsight.id, literal(now, UTCDateTime()))
        .select_from(MarketingCampaign)
        .join(AIInsight, AIInsight.user_id == MarketingCampaign.user_id)
        .where(
            MarketingCampaign.id == campaign_id,
            MarketingCampaign.user_id == user_id,
            AIInsight.id == insight_id,
        )
    )
    stmt = (
        _insert(session, _links)
        .from_select(["campaign_id", "insight_id", "linked_at"], source)
        .on_conflict_do_nothing(index_elements=["campaign_id", "insight_id"])
    )
    result = cast(CursorResult[Any], await session.execute(stmt))
    return result.rowcount == 1


async def linked_insights(
    session: AsyncSession, user_id: int, campaign_id: int
) -> Sequence[Row[AIInsight, datetime]]:
    stmt = (
        select(AIInsight, CampaignInsight.linked_at)
        .join(CampaignInsight, CampaignInsight.insight_id == AIInsight.id)
        # Linking already requires one owner for both; filtering again costs nothing.
        .where(CampaignInsight.campaign_id == campaign_id, AIInsight.user_id == user_id)
        .order_by(CampaignInsight.linked_at.desc(), AIInsight.id.desc())
    )
    return (await session.execute(stmt)).all()


async def links_of_insights(
    session: AsyncSession, user_id: int, insight_ids: Sequence[int]
) -> Sequence[Row[int, MarketingCampaign]]:
    """(insight id, campaign) for each link of these insights to the caller's campaigns, in the
    order they were linked."""
    stmt = (
        select(CampaignInsight.insight_id, MarketingCampaign)
        .join(MarketingCampaign, MarketingCampaign.id == CampaignInsight.campaign_id)
        .where(MarketingCampaign.user_id == user_id, CampaignInsight.insight_id.in_(insight_ids))
        .order_by(CampaignInsight.linked_at, MarketingCampaign.id)
    )
    return (await session.execute(stmt)).all()
