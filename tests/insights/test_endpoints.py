from __future__ import annotations

from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, settings_for
from tests.insights.helpers import bearer, new_creator, new_insights


async def test_the_insights_api_lists_the_creators_insights_newest_first(
    database_url: URL, database: Database
) -> None:
    alice = await new_creator(database)
    bob = await new_creator(database)
    first = await new_insights(database, alice, 2)
    later = await new_insights(database, alice, 1)
    await new_insights(database, bob, 3)
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/api/ai/insights", headers=await bearer(database, alice))
        limited = await client.get(
            "/api/ai/insights", params={"limit": 1}, headers=await bearer(database, alice)
        )
        bad = await client.get(
            "/api/ai/insights", params={"limit": 0}, headers=await bearer(database, alice)
        )
        anonymous = await client.get("/api/ai/insights")
    assert response.status_code == 200
    insights = response.json()["insights"]
    assert [i["id"] for i in insights] == [later[0], first[1], first[0]]
    assert set(insights[0]) == {"id", "type", "confidence", "summary", "data", "created_at"}
    assert insights[0]["data"] == {"n": 0}
    assert [i["id"] for i in limited.json()["insights"]] == [later[0]]
    assert bad.status_code == 422
    assert anonymous.status_code == 401
