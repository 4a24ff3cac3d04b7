from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.analytics.service import refresh_insights
from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.models import AIInsight, UserStats
from tests.apphelpers import app_client, settings_for
from tests.messaging.conftest import Recorder, creator_and_meter, fake_ai
from tests.metering.conftest import books, new_creator

INSIGHT = {
    "type": "revenue_trend",
    "confidence": 0.74,
    "summary": "Revenue is up 12% on last month, driven by PPV.",
    "recommended_action": "Schedule two more PPV drops this month.",
    "metrics": [{"name": "revenue_trend_percent", "value": 12.0}],
}


async def test_insights_are_built_from_the_creators_stats_and_stored(
    database: Database,
) -> None:
    creator, meter = await creator_and_meter(database)
    # Committed setup: a write held open across a metered call would hold SQLite's write lock.
    async with database.sessionmaker() as setup, setup.begin():
        setup.add(
            UserStats(
                user_id=creator.id,
                messages_sent=420,
                messages_trend=-8.5,
                response_rate=0.91,
                revenue_micros=1_234_560_000,
                revenue_trend=12.0,
                active_chats=37,
            )
        )
    recorder = Recorder({"insights": [INSIGHT, {**INSIGHT, "type": "churn_alert"}]})
    # A real session, as a request has: the service ends its read transaction before the call.
    async with database.sessionmaker() as session:
        out = await refresh_insights(session, fake_ai(meter, recorder), creator)
        await session.commit()
    assert [i.type for i in out.insights] == ["revenue_trend", "churn_alert"]
    assert out.insights[0].data["recommended_action"].startswith("Schedule")
    assert out.insights[0].data["metrics"] == {"revenue_trend_percent": 12.0}
    assert '"revenue_usd": "1234.560000"' in recorder.user_prompts[0]
    assert "1234.56" not in recorder.instructions[0]
    async with database.sessionmaker() as check:
        stored = (
            await check.scalars(select(AIInsight).where(AIInsight.user_id == creator.id))
        ).all()
    assert len(stored) == 2
    assert all(i.request_id for i in stored)
    assert (await books(database, creator.id)).rows == 1


async def test_refresh_over_http_stores_insights_the_creator_can_list(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    other = await new_creator(database)
    async with database.sessionmaker() as session, session.begin():
        headers = {"Authorization": f"Bearer {await create_api_token(session, user)}"}
        other_headers = {"Authorization": f"Bearer {await create_api_token(session, other)}"}
    async with app_client(settings_for(database_url)) as client:
        refreshed = await client.post("/api/ai/analytics/refresh", headers=headers)
        listed = await client.get("/api/ai/insights", headers=headers)
        theirs = await client.get("/api/ai/insights", headers=other_headers)
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["insights"]
    for insight in body["insights"]:
        assert 0 <= insight["confidence"] <= 1
        assert insight["type"] in {
            "churn_alert",
            "revenue_trend",
            "engagement_drop",
            "growth_opportunity",
            "content_performance",
            "fan_behavior",
        }
    assert Decimal(body["usage"]["cost_usd"]) > 0
    ids = {i["id"] for i in body["insights"]}
    assert ids <= {i["id"] for i in listed.json()["insights"]}
    assert not ids & {i["id"] for i in theirs.json()["insights"]}
