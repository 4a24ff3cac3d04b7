"""GET /api/ai/quota says which agents can still generate: a feature is paused exactly when its
smallest request's worst case (what the Meter would reserve) no longer fits, and a real request
then is refused too; the month is called exceeded only once it is spent."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.metering.quota import QuotaLedger, UsageRecord
from tests.apphelpers import app_client, creator_headers, settings_for


async def _spend(
    database: Database, database_url: URL, user_id: int, micros: int, **quota: str
) -> None:
    ledger = QuotaLedger(database.sessionmaker, settings_for(database_url, **quota))
    reservation = await ledger.reserve(user_id, "starter", micros, uuid.uuid4().hex)
    await ledger.finish(
        reservation, UsageRecord("messaging", "gemini-2.5-flash", 10, 0, 10, micros, 5, "ok")
    )


async def _quota(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    response = await client.get("/api/ai/quota", headers=headers)
    assert response.status_code == 200
    return response.json()


async def test_a_fresh_quota_lets_every_agent_generate(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        body = await _quota(client, headers)
    assert body["paused"] is False
    assert body["paused_reason"] is None
    assert [(f["feature"], f["name"], f["can_generate"]) for f in body["features"]] == [
        ("messaging", "Messages", True),
        ("content", "Captions", True),
        ("analytics", "Analytics", True),
        ("sales", "Sales", True),
    ]
    # Analytics runs on gemini-2.5-pro with room to think: its smallest request costs most.
    costs = {f["feature"]: Decimal(f["worst_case_usd"]) for f in body["features"]}
    assert max(costs, key=costs.__getitem__) == "analytics"
    assert all(c > 0 for c in costs.values())


async def test_a_feature_is_paused_exactly_when_its_smallest_request_no_longer_fits(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        needs = {
            f["feature"]: f["worst_case_usd"] for f in (await _quota(client, headers))["features"]
        }
    reply = usd_to_micros(needs["messaging"])
    limit = f"{Decimal(reply) / 1_000_000 + Decimal('0.01')}"  # plenty, minus what is spent below
    settings = settings_for(database_url, quota_starter_usd=limit)

    await _spend(
        database, database_url, user_id, usd_to_micros(limit) - reply, quota_starter_usd=limit
    )
    async with app_client(settings) as client:
        exactly = await _quota(client, headers)
    assert {f["feature"]: f["can_generate"] for f in exactly["features"]}["messaging"] is True

    await _spend(database, database_url, user_id, 1, quota_starter_usd=limit)  # one micro-dollar
    async with app_client(settings) as client:
        short = await _quota(client, headers)
        refused = await client.post(
            "/api/ai/messages/reply", json={"fan_message": "hi"}, headers=headers
        )
    states = {f["feature"]: f for f in short["features"]}
    assert states["messaging"]["can_generate"] is False
    assert (
        "New fan replies are paused until the quota resets on"
        in (states["messaging"]["paused_reason"])
    )
    # A caption asks for half the output room: it still fits, so generation as a whole is not
    # paused, and the header and dashboard name Messages alone.
    assert states["content"]["can_generate"] is True
    assert (short["paused"], short["paused_reason"]) == (False, None)
    # What the page said is what a real request meets: refused, and not called "exceeded".
    assert refused.status_code == 402
    assert refused.json()["message"] == "Not enough quota left for this request"
    assert refused.json()["error"] == "quota_exceeded"

    left = reply - 1 - usd_to_micros(needs["content"]) + 1  # a micro-dollar short of a caption
    await _spend(database, database_url, user_id, left, quota_starter_usd=limit)
    async with app_client(settings) as client:
        nothing = await _quota(client, headers)
    assert nothing["paused"] is True
    assert not any(f["can_generate"] for f in nothing["features"])
    assert nothing["paused_reason"].startswith("Only $0.0")
    assert (
        "less than the smallest AI request can cost (a caption: up to $0.0"
        in (nothing["paused_reason"])
    )
    assert "AI generation is paused until the quota resets on" in nothing["paused_reason"]


async def test_a_spent_month_is_exceeded_in_the_api_and_the_refusals_alike(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    await _spend(database, database_url, user_id, 10_000, quota_starter_usd="0.01")
    async with app_client(settings_for(database_url, quota_starter_usd="0.01")) as client:
        body = await _quota(client, headers)
        refused = await client.post(
            "/api/ai/messages/reply", json={"fan_message": "hi"}, headers=headers
        )
    sentence = (
        "You have used $0.01 of your $0.01 monthly AI quota. AI generation is paused until the "
        "quota resets on "
    )
    assert body["paused"] is True
    assert body["paused_reason"].startswith(sentence)
    assert all(f["paused_reason"] == body["paused_reason"] for f in body["features"])
    assert refused.json()["message"] == "Monthly quota exceeded"
    assert refused.json()["reason"] == body["paused_reason"]
