"""LLM_PROVIDER=openai end to end: the app, the real OpenAI SDK (via pydantic-ai), a fake
OpenAI-compatible server, and the operator's price override on the bill."""

from __future__ import annotations

from decimal import Decimal

from pydantic import SecretStr
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, settings_for
from tests.llm.fake_openai import MODEL, FakeOpenAI
from tests.metering.conftest import books, new_creator
from tests.ports import free_port

PRICE_IN = Decimal("0.15")  # USD per 1M tokens
PRICE_OUT = Decimal("0.45")
KEY = "sk-local-0123456789"
BODY = {"platform": "instagram", "description": "golden hour beach shoot", "variants": 2}


def _settings(database_url: URL, base_url: str, **overrides: object) -> Settings:
    return settings_for(
        database_url,
        llm_provider="openai",
        openai_base_url=base_url,
        openai_model=MODEL,
        model_price_input_usd_per_mtok=PRICE_IN,
        model_price_output_usd_per_mtok=PRICE_OUT,
        **overrides,
    )


async def _headers(database: Database) -> tuple[int, dict[str, str]]:
    user = await new_creator(database)
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user)
    return user.id, {"Authorization": f"Bearer {token}"}


async def test_a_caption_runs_on_the_openai_endpoint_and_is_billed_at_the_override(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await _headers(database)
    fake = FakeOpenAI(api_key=KEY)
    with fake.run_in_thread() as url:
        settings = _settings(database_url, url, openai_api_key=SecretStr(KEY))
        async with app_client(settings) as client:
            response = await client.post("/api/ai/content/caption", json=BODY, headers=headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["emulated"] is False
    assert len(out["captions"]) == 2
    assert all(5 <= len(c["hashtags"]) <= 10 for c in out["captions"])
    usage = out["usage"]
    assert usage["model"] == MODEL
    assert (usage["input_tokens"], usage["output_tokens"]) == (1_234, 567)
    # 1234 × $0.15/M + 567 × $0.45/M = $0.00044025 → 441 micro-USD, rounded up.
    assert usage["cost_usd"] == "0.000441"
    b = await books(database, user_id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost) == (441, 0, 1, 441)
    (sent,) = fake.requests
    assert sent["model"] == MODEL
    assert sent["tools"][0]["function"]["name"] == "final_result"


async def test_a_provider_500_is_a_502_with_one_request_and_nothing_charged(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await _headers(database)
    fake = FakeOpenAI(fail_status=500)
    with fake.run_in_thread() as url:
        async with app_client(_settings(database_url, url)) as client:
            response = await client.post("/api/ai/content/caption", json=BODY, headers=headers)
    assert response.status_code == 502, response.text
    assert response.json()["error"] == "provider_error"
    assert len(fake.requests) == 1  # the SDK's own retries are off: one reservation, one request
    b = await books(database, user_id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost) == (0, 0, 1, 0)


async def test_an_unreachable_endpoint_is_a_502_with_nothing_charged(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await _headers(database)
    port = free_port()  # nothing listens there
    async with app_client(_settings(database_url, f"http://127.0.0.1:{port}/v1")) as client:
        response = await client.post("/api/ai/content/caption", json=BODY, headers=headers)
    assert response.status_code == 502, response.text
    assert response.json()["error"] == "provider_error"
    b = await books(database, user_id)
    assert (b.spent, b.reserved, b.rows, b.rows_cost) == (0, 0, 1, 0)
