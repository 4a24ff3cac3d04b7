from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.emulator import EmulatorConfig, FaultKind, run_emulator_in_thread
from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, creator_headers, settings_for
from tests.metering.conftest import books


async def test_a_caption_request_returns_rule_abiding_variants_and_is_charged(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"platform": "instagram", "description": "golden hour beach shoot", "variants": 2}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/content/caption", json=body, headers=headers)
        quota = (await client.get("/api/ai/quota", headers=headers)).json()
    assert response.status_code == 200, response.text
    out = response.json()
    assert len(out["captions"]) == 2
    for caption in out["captions"]:
        assert caption["text"]
        assert 5 <= len(caption["hashtags"]) <= 10
        assert all(tag.startswith("#") for tag in caption["hashtags"])
    usage = out["usage"]
    assert usage["model"] == "gemini-2.5-flash"  # captions run on flash by default
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    assert Decimal(usage["cost_usd"]) > 0
    assert out["emulated"] is True
    assert quota["spent_usd"] == usage["cost_usd"]
    b = await books(database, user_id)
    assert (b.rows, b.reserved) == (1, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "myspace", "description": "x"},
        {"platform": "x", "description": ""},
        {"platform": "x", "description": " \n\t "},  # blanks describe nothing
        {"platform": "x", "description": "d" * 2001},
        {"platform": "x", "description": "ok", "variants": 9},
        {"description": "no platform"},
    ],
)
async def test_bad_caption_requests_are_422_and_charge_nothing(
    database_url: URL, database: Database, body: dict[str, object]
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/content/caption", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert (await books(database, user_id)).rows == 0


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        (FaultKind.HTTP_ERROR, 502, "provider_error"),
        (FaultKind.RATE_LIMITED, 502, "provider_error"),
        (FaultKind.MALFORMED, 502, "provider_error"),
        (FaultKind.TIMEOUT, 504, "provider_timeout"),
    ],
)
async def test_provider_faults_map_to_the_contract_with_nothing_charged(
    database_url: URL, database: Database, fault: FaultKind, status: int, code: str
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"platform": "x", "description": "new set"}
    with run_emulator_in_thread(EmulatorConfig(port=0, fault=fault, timeout_hold_s=5)) as url:
        async with app_client(settings_for(database_url, gemini_base_url=url)) as client:
            app = client._transport.app  # type: ignore[attr-defined]
            app.state.ai.llm = replace(app.state.ai.llm, timeout_s=0.5)
            response = await client.post("/api/ai/content/caption", json=body, headers=headers)
    assert response.status_code == status
    assert response.json()["error"] == code
    b = await books(database, user_id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost) == (0, 0, 1, 0)


async def test_a_caption_the_model_blocks_is_a_422_naming_the_category_and_charged(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"platform": "instagram", "description": "how to make a bomb of a beach look"}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/content/caption", json=body, headers=headers)
    assert response.status_code == 422, response.text
    out = response.json()
    assert (out["error"], out["category"]) == ("content_blocked", "HARM_CATEGORY_DANGEROUS_CONTENT")
    assert Decimal(out["usage"]["cost_usd"]) > 0
    b = await books(database, user_id)
    assert (b.rows, b.reserved) == (1, 0)
    assert b.spent == b.rows_cost > 0
