"""Concurrent links from separate sessions (separate connections): nothing lost, nothing twice,
no error, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.campaigns.service import link_insight_to_campaign
from huntaze_ai.kit.db import Database
from huntaze_ai.models import CampaignInsight
from tests.apphelpers import app_client, settings_for
from tests.insights.helpers import bearer, new_campaign, new_creator, new_insights

COPIES = 3  # every pair is linked this many times at once


async def test_concurrent_links_lose_nothing_and_store_each_pair_once(database: Database) -> None:
    user = await new_creator(database)
    campaign_id = await new_campaign(database, user)
    insight_ids = await new_insights(database, user, 20)

    async def link(insight_id: int) -> bool:
        async with database.sessionmaker() as session, session.begin():
            return await link_insight_to_campaign(session, user.id, campaign_id, insight_id)

    results = await asyncio.gather(*(link(i) for i in insight_ids for _ in range(COPIES)))

    # Exactly one of the copies of each pair made the link; the others were no-ops.
    assert results.count(True) == len(insight_ids)
    assert results.count(False) == len(insight_ids) * (COPIES - 1)
    async with database.sessionmaker() as session:
        rows = (
            await session.scalars(
                select(CampaignInsight.insight_id).where(CampaignInsight.campaign_id == campaign_id)
            )
        ).all()
    assert sorted(rows) == sorted(insight_ids)


async def test_concurrent_link_requests_all_succeed(database_url: URL, database: Database) -> None:
    user = await new_creator(database)
    headers = await bearer(database, user)
    campaign_id = await new_campaign(database, user)
    insight_ids = await new_insights(database, user, 20)
    path = f"/api/campaigns/{campaign_id}/insights"
    async with app_client(settings_for(database_url)) as client:
        # One request first: the token's first use is recorded on a second connection, and a
        # burst of first uses could take the whole pool (an auth matter, not a linking one).
        assert (await client.get("/api/campaigns", headers=headers)).status_code == 200
        responses = await asyncio.gather(
            *(
                client.post(path, json={"insight_id": i}, headers=headers)
                for i in insight_ids
                for _ in range(COPIES)
            )
        )
        listed = await client.get(path, headers=headers)
    assert [r.status_code for r in responses] == [200] * len(responses)
    assert sum(r.json()["linked"] for r in responses) == len(insight_ids)
    assert sorted(i["id"] for i in listed.json()["insights"]) == sorted(insight_ids)
