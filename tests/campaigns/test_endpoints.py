from __future__ import annotations

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, settings_for
from tests.insights.helpers import bearer, new_campaign, new_creator, new_insights


async def test_create_list_link_and_read_a_campaigns_insights(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    headers = await bearer(database, user)
    first, second = await new_insights(database, user, 2)
    async with app_client(settings_for(database_url)) as client:
        created = await client.post(
            "/api/campaigns", json={"name": "  Valentine  "}, headers=headers
        )
        campaign_id = created.json()["id"]
        path = f"/api/campaigns/{campaign_id}/insights"
        linked = await client.post(path, json={"insight_id": first}, headers=headers)
        again = await client.post(path, json={"insight_id": first}, headers=headers)
        await client.post(path, json={"insight_id": second}, headers=headers)
        listed = await client.get("/api/campaigns", headers=headers)
        insights = await client.get(path, headers=headers)

    assert created.status_code == 201
    assert created.json()["name"] == "Valentine"
    assert created.json()["insight_count"] == 0
    assert set(created.json()) == {"id", "name", "stats", "created_at", "insight_count"}
    assert linked.status_code == 200
    assert linked.json() == {
        "campaign_id": campaign_id,
        "insight_id": first,
        "linked": True,
        "already_linked": False,
    }
    assert again.status_code == 200
    assert again.json() == {
        "campaign_id": campaign_id,
        "insight_id": first,
        "linked": False,
        "already_linked": True,
    }
    (campaign,) = listed.json()["campaigns"]
    assert campaign["id"] == campaign_id
    assert campaign["insight_count"] == 2
    assert sorted(i["id"] for i in insights.json()["insights"]) == [first, second]
    assert {"id", "type", "confidence", "summary", "data", "created_at", "linked_at"} == set(
        insights.json()["insights"][0]
    )


async def test_another_creators_campaign_or_insight_is_a_plain_404(
    database_url: URL, database: Database
) -> None:
    alice = await new_creator(database)
    bob = await new_creator(database)
    alices_campaign = await new_campaign(database, alice, "Alice's")
    (alices_insight,) = await new_insights(database, alice)
    bobs_campaign = await new_campaign(database, bob, "Bob's")
    (bobs_insight,) = await new_insights(database, bob)
    as_bob = await bearer(database, bob)
    as_alice = await bearer(database, alice)
    async with app_client(settings_for(database_url)) as client:
        alices_link = await client.post(
            f"/api/campaigns/{alices_campaign}/insights",
            json={"insight_id": alices_insight},
            headers=as_alice,
        )
        # Alice's pair is linked: Bob linking it learns nothing, not even "already linked".
        foreign_pair = await client.post(
            f"/api/campaigns/{alices_campaign}/insights",
            json={"insight_id": alices_insight},
            headers=as_bob,
        )
        foreign_campaign = await client.post(
            f"/api/campaigns/{alices_campaign}/insights",
            json={"insight_id": bobs_insight},
            headers=as_bob,
        )
        missing_campaign = await client.post(
            f"/api/campaigns/{alices_campaign + 10_000}/insights",
            json={"insight_id": bobs_insight},
            headers=as_bob,
        )
        foreign_insight = await client.post(
            f"/api/campaigns/{bobs_campaign}/insights",
            json={"insight_id": alices_insight},
            headers=as_bob,
        )
        missing_insight = await client.post(
            f"/api/campaigns/{bobs_campaign}/insights",
            json={"insight_id": alices_insight + 10_000},
            headers=as_bob,
        )
        read_foreign = await client.get(
            f"/api/campaigns/{alices_campaign}/insights", headers=as_bob
        )
        bobs_list = await client.get("/api/campaigns", headers=as_bob)
        bobs_insights = await client.get("/api/ai/insights", headers=as_bob)
        alices_view = await client.get(
            f"/api/campaigns/{alices_campaign}/insights", headers=as_alice
        )

    assert alices_link.json()["linked"] is True
    for response in (foreign_pair, foreign_campaign, missing_campaign, read_foreign):
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "message": "Campaign not found"}
    for response in (foreign_insight, missing_insight):
        assert response.status_code == 404
        assert response.json() == {"error": "not_found", "message": "Insight not found"}
    assert [c["name"] for c in bobs_list.json()["campaigns"]] == ["Bob's"]
    assert [i["id"] for i in bobs_insights.json()["insights"]] == [bobs_insight]
    assert [i["id"] for i in alices_view.json()["insights"]] == [alices_insight]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/campaigns", {"name": ""}, "name"),
        ("POST", "/api/campaigns", {"name": "   "}, "name"),
        ("POST", "/api/campaigns", {"name": "x" * 201}, "name"),
        ("POST", "/api/campaigns", {"name": "a\x00b"}, "name"),  # PostgreSQL refuses NUL: was a 500
        ("POST", "/api/campaigns", {}, "name"),
        ("POST", "/api/campaigns/abc/insights", {"insight_id": 1}, "campaign_id"),
        ("GET", "/api/campaigns/1.5/insights", None, "campaign_id"),
        ("POST", "/api/campaigns/0/insights", {"insight_id": 1}, "campaign_id"),
        ("POST", "/api/campaigns/99999999999/insights", {"insight_id": 1}, "campaign_id"),
        ("POST", "/api/campaigns/1/insights", {"insight_id": "abc"}, "insight_id"),
        ("POST", "/api/campaigns/1/insights", {"insight_id": 2**40}, "insight_id"),
        ("POST", "/api/campaigns/1/insights", {}, "insight_id"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    database_url: URL,
    database: Database,
    method: str,
    path: str,
    body: dict[str, object] | None,
    field: str,
) -> None:
    headers = await bearer(database, await new_creator(database))
    async with app_client(settings_for(database_url)) as client:
        response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert response.json()["fields"][0]["field"].endswith(field)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/campaigns"),
        ("POST", "/api/campaigns"),
        ("GET", "/api/campaigns/1/insights"),
        ("POST", "/api/campaigns/1/insights"),
    ],
)
async def test_campaigns_need_a_valid_bearer_token(
    database_url: URL, method: str, path: str
) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.request(method, path, json={"name": "x", "insight_id": 1})
    assert response.status_code == 401
