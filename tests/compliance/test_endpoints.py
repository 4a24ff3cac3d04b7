from __future__ import annotations

import uuid

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, settings_for
from tests.factories import create_user


async def _headers(database: Database) -> dict[str, str]:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session, email=f"c-{uuid.uuid4().hex[:12]}@example.com")
        token = await create_api_token(session, user)
    return {"Authorization": f"Bearer {token}"}


async def test_check_returns_the_verdict_and_every_reason(
    database_url: URL, database: Database
) -> None:
    headers = await _headers(database)
    async with app_client(settings_for(database_url)) as client:
        ok = await client.post(
            "/api/ai/compliance/check", json={"text": "Hi love 💕"}, headers=headers
        )
        blocked = await client.post(
            "/api/ai/compliance/check",
            json={"text": "w h a t s a p p me at foo.com", "platform": "onlyfans"},
            headers=headers,
        )
        escalated = await client.post(
            "/api/ai/compliance/check", json={"text": "I'll refund you"}, headers=headers
        )
        usage = await client.get("/api/ai/usage", headers=headers)
    assert ok.status_code == 200
    assert ok.json() == {"verdict": "ok", "reasons": []}
    assert blocked.json()["verdict"] == "block"
    assert {r["code"] for r in blocked.json()["reasons"]} >= {"external_link", "forbidden_word"}
    assert escalated.json()["verdict"] == "escalate"
    assert usage.json()["rows"] == []  # no model call, no charge


async def test_a_text_over_the_cap_but_within_the_request_limit_is_too_long(
    database_url: URL, database: Database
) -> None:
    headers = await _headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/ai/compliance/check", json={"text": "a" * 5000}, headers=headers
        )
    assert response.status_code == 200
    assert response.json()["reasons"][0]["code"] == "too_long"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "a" * 10_001}, "text"),
        ({}, "text"),
        ({"text": 42}, "text"),
        ({"text": "hi", "platform": "myspace"}, "platform"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    database_url: URL, database: Database, body: dict[str, object], field: str
) -> None:
    headers = await _headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/compliance/check", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert response.json()["fields"][0]["field"] == field


@pytest.mark.parametrize("auth", [None, "Bearer hzai_forged"])
async def test_check_needs_a_valid_bearer_token(database_url: URL, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/ai/compliance/check", json={"text": "hi"}, headers=headers
        )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
