"""Bad text in requests, on both databases: a NUL in any string field (the login included, API
and page alike) is a 422 naming the field before anything is counted, looked up or written; a
bidi control or other invisible character in a name or a fan id is a 422 naming the field."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import ApiToken, ComplianceWord, MarketingCampaign, UsageLog
from tests.apphelpers import app_client, creator_headers, csrf_of, login, settings_for
from tests.factories import DEFAULT_PASSWORD
from tests.metering.conftest import new_creator

NUL = "a\x00b"

# (path, body, the field the 422 names): every JSON body with a string field, each string field.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("/api/auth/token", {"email": NUL, "password": "x"}, "email"),
    ("/api/auth/token", {"email": "a@example.com", "password": NUL}, "password"),
    ("/api/campaigns", {"name": NUL}, "name"),
    ("/api/ai/compliance/check", {"text": NUL}, "text"),
    ("/api/ai/compliance/check", {"text": "hi", "fan_message": NUL}, "fan_message"),
    ("/api/compliance/words", {"phrase": NUL}, "phrase"),
    ("/api/ai/messages/reply", {"fan_message": NUL}, "fan_message"),
    ("/api/ai/messages/reply", {"fan_message": "hi", "fan_id": NUL}, "fan_id"),
    (
        "/api/ai/messages/reply",
        {"fan_message": "hi", "conversation": [{"from": "fan", "text": NUL}]},
        "conversation.0.text",
    ),
    ("/api/ai/messages/reply/stream", {"fan_message": NUL}, "fan_message"),
    ("/api/ai/content/caption", {"platform": "instagram", "description": NUL}, "description"),
    (
        "/api/ai/content/caption",
        {"platform": "instagram", "description": "a set", "tone": NUL},
        "tone",
    ),
    ("/api/ai/sales/suggestions", {"fan_id": NUL}, "fan_id"),
]


async def _counts(database: Database, user_id: int) -> list[int]:
    """Tokens, campaigns, usage rows and word-list entries of the creator."""
    columns = [
        ApiToken.user_id,
        MarketingCampaign.user_id,
        UsageLog.user_id,
        ComplianceWord.creator_id,
    ]
    async with database.sessionmaker() as session:
        return [
            int(await session.scalar(select(func.count()).where(column == user_id)) or 0)
            for column in columns
        ]


@pytest.mark.parametrize(("path", "body", "field"), CASES, ids=[f"{c[0]} {c[2]}" for c in CASES])
async def test_a_nul_in_any_string_field_is_a_422_naming_it_and_changes_nothing(
    database_url: URL, database: Database, path: str, body: dict[str, Any], field: str
) -> None:
    user_id, headers = await creator_headers(database)
    before = await _counts(database, user_id)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == "invalid_request"
    assert [f["field"] for f in error["fields"]] == [field]
    assert "NUL" in error["fields"][0]["message"]
    assert await _counts(database, user_id) == before


async def test_a_nul_login_is_refused_before_the_throttle_counts_it(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        refused = [
            await client.post("/api/auth/token", json={"email": user.email, "password": NUL})
            for _ in range(12)
        ]
        right = await client.post(
            "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
    assert {r.status_code for r in refused} == {422}
    assert right.status_code == 200, right.text  # 12 attempts would have closed its window


@pytest.mark.parametrize("field", ["email", "password"])
async def test_a_nul_in_the_login_page_form_is_a_422(
    database_url: URL, database: Database, field: str
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        fields = {"email": user.email, "password": DEFAULT_PASSWORD, field: NUL}
        page = await client.get("/auth/login")
        response = await client.post(
            "/auth/login", data={"csrf_token": csrf_of(page.text), **fields}
        )
        tokens = await client.get("/dashboard")
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == field
    assert tokens.status_code == 303  # not logged in


@pytest.mark.parametrize("field", ["fan-message"])
async def test_a_nul_in_a_page_form_is_shown_as_a_422_on_the_page(
    database_url: URL, database: Database, field: str
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        await login(client, user.email)
        page = await client.get("/messages")
        response = await client.post(
            "/messages", data={"csrf_token": csrf_of(page.text), field: NUL, "platform": ""}
        )
    assert response.status_code == 422
    assert "NUL" in response.text
    async with database.sessionmaker() as session:
        rows = await session.scalar(
            select(func.count()).select_from(UsageLog).where(UsageLog.user_id == user.id)
        )
    assert rows == 0


@pytest.mark.parametrize(
    "name", ["gpj\u202eexe.js", "Summer\u200bSale", "\u2066Promo\u2069", "Line\nbreak", "\u3164"]
)
async def test_a_campaign_name_with_invisible_characters_is_a_422_naming_the_field(
    database_url: URL, database: Database, name: str
) -> None:
    user_id, headers = await creator_headers(database)
    before = await _counts(database, user_id)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/campaigns", json={"name": name}, headers=headers)
    assert response.status_code == 422, response.text
    (field,) = response.json()["fields"]
    assert field["field"] == "name"
    assert "invisible" in field["message"]
    assert await _counts(database, user_id) == before


async def test_a_campaign_name_with_emoji_and_accents_is_accepted(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/campaigns", json={"name": "Été 🌞 VIP — Zoë"}, headers=headers
        )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Été 🌞 VIP — Zoë"


HIDDEN_FAN_IDS = {
    "newline": "a\nb",
    "right-to-left override": "\u202eevil",
    "zero-width space": "\u200b",
    "delete": "\x7f",
}


@pytest.mark.parametrize("fan_id", HIDDEN_FAN_IDS.values(), ids=HIDDEN_FAN_IDS.keys())
async def test_a_fan_id_with_control_or_invisible_characters_is_a_422_wherever_it_enters(
    database_url: URL, database: Database, fan_id: str
) -> None:
    user_id, headers = await creator_headers(database)
    before = await _counts(database, user_id)
    path = quote(fan_id, safe="")
    async with app_client(settings_for(database_url)) as client:
        answers = {
            "body.fan_id": [
                await client.post(
                    "/api/ai/messages/reply",
                    json={"fan_message": "hi", "fan_id": fan_id},
                    headers=headers,
                ),
                await client.post(
                    "/api/ai/messages/reply/stream",
                    json={"fan_message": "hi", "fan_id": fan_id},
                    headers=headers,
                ),
                await client.post(
                    "/api/ai/sales/suggestions", json={"fan_id": fan_id}, headers=headers
                ),
            ],
            "query.fan_id": [
                await client.get("/api/drafts", params={"fan_id": fan_id}, headers=headers)
            ],
            "path.fan_id": [
                await client.get(f"/api/fans/{path}", headers=headers),
                await client.get(f"/api/fans/{path}/notes", headers=headers),
                await client.post(
                    f"/api/fans/{path}/notes",
                    json={"category": "interests", "text": "jazz"},
                    headers=headers,
                ),
            ],
        }
    for field, responses in answers.items():
        for response in responses:
            assert response.status_code == 422, (field, response.request.url, response.text)
            assert response.json()["error"] == "invalid_request"
            assert [f["field"] for f in response.json()["fields"]] == [field.removeprefix("body.")]
            assert "invisible" in response.json()["fields"][0]["message"]
    assert await _counts(database, user_id) == before


async def test_a_boolean_for_a_number_is_a_422_naming_the_field_and_changes_nothing(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    before = await _counts(database, user_id)
    caption = {"platform": "instagram", "description": "golden hour"}
    async with app_client(settings_for(database_url)) as client:
        caps = await client.put(
            "/api/drafts/caps", json={"dms_per_day": True, "ppvs_per_day": 1}, headers=headers
        )
        variants = await client.post(
            "/api/ai/content/caption", json={**caption, "variants": True}, headers=headers
        )
        kept = await client.get("/api/drafts/caps", headers=headers)
        refused_changed = await _counts(database, user_id)
        # Lax numbers stay as they were: "2" is 2 (the content page's form sends text).
        digits = await client.post(
            "/api/ai/content/caption", json={**caption, "variants": "2"}, headers=headers
        )
    for response, field in ((caps, "dms_per_day"), (variants, "variants")):
        assert response.status_code == 422, response.text
        assert [f["field"] for f in response.json()["fields"]] == [field]
    assert kept.json() == {"dms_per_day": 3, "ppvs_per_day": 1}  # the defaults
    assert refused_changed == before
    assert digits.status_code == 200, digits.text
    assert len(digits.json()["captions"]) == 2
