"""Campaigns and their AI insights. Every read and write is scoped to the calling creator: another
creator's campaign or insight answers exactly like a missing one (DESIGN §2.4 inv. 6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.campaigns import repository
from huntaze_ai.insights.service import get_insight
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import NotFound
from huntaze_ai.models import AIInsight, MarketingCampaign


class CampaignNotFound(NotFound):
    default_message = "Campaign not found"


MAX_LIST = 500


@dataclass(frozen=True)
class CampaignSummary:
    campaign: MarketingCampaign
    insight_count: int


@dataclass(frozen=True)
class LinkedInsight:
    insight: AIInsight
    linked_at: datetime


async def create_campaign(session: AsyncSession, user_id: int, name: str) -> MarketingCampaign:
    campaign = MarketingCampaign(user_id=user_id, name=name, stats={})
    session.add(campaign)
    await session.flush()
    return campaign


async def list_campaigns(
    session: AsyncSession, user_id: int, limit: int = MAX_LIST
) -> list[CampaignSummary]:
    """The creator's campaigns, newest first, each with how many insights it links."""
    rows = await repository.with_counts(session, user_id, max(1, min(limit, MAX_LIST)))
    return [CampaignSummary(campaign, int(count)) for campaign, count in rows]


async def get_campaign(session: AsyncSession, user_id: int, campaign_id: int) -> MarketingCampaign:
    campaign = await repository.get_owned(session, user_id, campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    return campaign


async def link_insight_to_campaign(
    session: AsyncSession, user_id: int, campaign_id: int, insight_id: int
) -> bool:
    """Link one of the caller's insights to one of the caller's campaigns.

    True when the link was made, False when it already existed (a no-op). Raises NotFound when
    either object is missing or another creator's. Safe under concurrency: the insert is atomic.
    """
    if await repository.insert_link(session, user_id, campaign_id, insight_id, utcnow()):
        return True
    # Nothing inserted: say which object is not the caller's, or else it was already linked.
    await get_campaign(session, user_id, campaign_id)
    await get_insight(session, user_id, insight_id)
    return False


async def get_campaign_insights(
    session: AsyncSession, user_id: int, campaign_id: int
) -> list[LinkedInsight]:
    """The insights linked to the caller's campaign, most recently linked first."""
    await get_campaign(session, user_id, campaign_id)
    rows = await repository.linked_insights(session, user_id, campaign_id)
    return [LinkedInsight(insight, linked_at) for insight, linked_at in rows]


async def campaigns_of_insights(
    session: AsyncSession, user_id: int, insight_ids: Sequence[int]
) -> dict[int, list[MarketingCampaign]]:
    """The caller's campaigns each of these insights is linked to, in the order they were
    linked; an insight linked to none is absent."""
    linked: dict[int, list[MarketingCampaign]] = {}
    if not insight_ids:
        return linked
    for insight_id, campaign in await repository.links_of_insights(session, user_id, insight_ids):
        linked.setdefault(insight_id, []).append(campaign)
    return linked
