from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.campaigns.service import (
    CampaignNotFound,
    campaigns_of_insights,
    create_campaign,
    get_campaign_insights,
    link_insight_to_campaign,
    list_campaigns,
)
from huntaze_ai.insights.service import InsightIn, InsightNotFound, save_insights
from huntaze_ai.models import CampaignInsight, MarketingCampaign, User
from tests.factories import create_user


async def _insight(session: AsyncSession, user: User, summary: str = "x") -> int:
    (row,) = await save_insights(
        session,
        user.id,
        [InsightIn(type="growth_opportunity", confidence=0.7, summary=summary)],
        None,
    )
    return row.id


async def _links(session: AsyncSession, campaign_id: int) -> int:
    return int(
        await session.scalar(select(func.count()).where(CampaignInsight.campaign_id == campaign_id))
        or 0
    )


async def test_linking_twice_stores_one_link_and_says_so(session: AsyncSession) -> None:
    user = await create_user(session)
    campaign = await create_campaign(session, user.id, "Black Friday")
    insight_id = await _insight(session, user)

    assert await link_insight_to_campaign(session, user.id, campaign.id, insight_id) is True
    assert await link_insight_to_campaign(session, user.id, campaign.id, insight_id) is False
    assert await _links(session, campaign.id) == 1
    (linked,) = await get_campaign_insights(session, user.id, campaign.id)
    assert linked.insight.id == insight_id
    (summary,) = await list_campaigns(session, user.id)
    assert summary.insight_count == 1
    # The link is a row: the campaign's JSON stats are never rewritten.
    assert (await session.get(MarketingCampaign, campaign.id)).stats == {}  # type: ignore[union-attr]


async def test_one_insight_can_serve_several_campaigns(session: AsyncSession) -> None:
    user = await create_user(session)
    a = await create_campaign(session, user.id, "A")
    b = await create_campaign(session, user.id, "B")
    insight_id = await _insight(session, user)
    assert await link_insight_to_campaign(session, user.id, a.id, insight_id)
    assert await link_insight_to_campaign(session, user.id, b.id, insight_id)
    counts = {s.campaign.name: s.insight_count for s in await list_campaigns(session, user.id)}
    assert counts == {"A": 1, "B": 1}


async def test_a_creator_can_neither_link_nor_read_another_creators_objects(
    session: AsyncSession,
) -> None:
    alice = await create_user(session)
    bob = await create_user(session)
    alices_campaign = await create_campaign(session, alice.id, "Alice's")
    alices_insight = await _insight(session, alice)
    bobs_campaign = await create_campaign(session, bob.id, "Bob's")
    bobs_insight = await _insight(session, bob)

    with pytest.raises(CampaignNotFound):  # Bob's insight into Alice's campaign
        await link_insight_to_campaign(session, bob.id, alices_campaign.id, bobs_insight)
    with pytest.raises(InsightNotFound):  # Alice's insight into Bob's campaign
        await link_insight_to_campaign(session, bob.id, bobs_campaign.id, alices_insight)
    with pytest.raises(CampaignNotFound):  # both Alice's, Bob asking
        await link_insight_to_campaign(session, bob.id, alices_campaign.id, alices_insight)
    with pytest.raises(CampaignNotFound):
        await get_campaign_insights(session, bob.id, alices_campaign.id)
    with pytest.raises(CampaignNotFound):  # does not exist at all
        await link_insight_to_campaign(session, alice.id, alices_campaign.id + 1000, alices_insight)
    assert await _links(session, alices_campaign.id) == 0
    assert await _links(session, bobs_campaign.id) == 0
    assert [s.campaign.name for s in await list_campaigns(session, bob.id)] == ["Bob's"]


async def test_an_already_linked_pair_is_still_404_for_someone_else(session: AsyncSession) -> None:
    alice = await create_user(session)
    bob = await create_user(session)
    campaign = await create_campaign(session, alice.id, "Alice's")
    insight_id = await _insight(session, alice)
    assert await link_insight_to_campaign(session, alice.id, campaign.id, insight_id)
    with pytest.raises(CampaignNotFound):
        await link_insight_to_campaign(session, bob.id, campaign.id, insight_id)


async def test_the_campaigns_an_insight_is_linked_to_are_the_callers_only(
    session: AsyncSession,
) -> None:
    alice = await create_user(session)
    bob = await create_user(session)
    first = await create_campaign(session, alice.id, "First")
    second = await create_campaign(session, alice.id, "Second")
    linked, alone = await _insight(session, alice), await _insight(session, alice)
    await link_insight_to_campaign(session, alice.id, second.id, linked)
    await link_insight_to_campaign(session, alice.id, first.id, linked)

    found = await campaigns_of_insights(session, alice.id, [linked, alone])
    assert {k: [c.name for c in v] for k, v in found.items()} == {linked: ["Second", "First"]}
    assert await campaigns_of_insights(session, bob.id, [linked, alone]) == {}
    assert await campaigns_of_insights(session, alice.id, []) == {}
