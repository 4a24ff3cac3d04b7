from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.metering.quota import QuotaExceeded
from huntaze_ai.metering.rate_limit import RateLimitExceeded
from huntaze_ai.metering.service import Meter
from huntaze_ai.models import User
from tests.apphelpers import app_client, settings_for
from tests.metering.conftest import MODEL, new_creator


async def _token(database: Database, user: User) -> dict[str, str]:
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user)
    return {"Authorization": f"Bearer {token}"}


async def _spend(app: FastAPI, user: User, feature: str, tokens_out: int) -> None:
    meter: Meter = app.state.meter
    async with meter.call(user, feature, MODEL, 1_000, "prompt") as call:
        call.record_usage(input_tokens=1_000, output_tokens=tokens_out)


async def test_the_quota_api_reports_plan_money_and_rate_limit(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database, plan="pro")
    headers = await _token(database, user)
    settings = settings_for(database_url, quota_pro_usd=Decimal("0.05"), gemini_model=MODEL)
    async with app_client(settings) as client:
        await _spend(client._transport.app, user, "messaging", 1_000)  # type: ignore[attr-defined]
        response = await client.get("/api/ai/quota", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["plan"] == "pro"
    assert body["limit_usd"] == "0.050000"
    assert body["spent_usd"] == "0.011250"
    assert body["reserved_usd"] == "0.000000"
    assert body["remaining_usd"] == "0.038750"
    assert Decimal(body["percent_used"]) == Decimal("22.50")
    assert body["period_start"].startswith(body["period_start"][:7])
    assert body["rate_limit"]["limit"] == 100
    assert body["rate_limit"]["remaining"] == 99
    assert body["alerts"] == []


async def test_the_usage_api_lists_the_months_calls_with_totals(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    other = await new_creator(database)
    headers = await _token(database, user)
    async with app_client(settings_for(database_url, gemini_model=MODEL)) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        await _spend(app, user, "messaging", 1_000)
        await _spend(app, user, "content", 2_000)
        await _spend(app, other, "content", 5_000)
        response = await client.get("/api/ai/usage", headers=headers)
        month = response.json()["month"]
        same = await client.get(f"/api/ai/usage?month={month}", headers=headers)
        empty = await client.get("/api/ai/usage?month=2001-01", headers=headers)
    body = response.json()
    assert same.json() == body
    assert [r["feature"] for r in body["rows"]] == ["messaging", "content"]
    assert body["rows"][0]["cost_usd"] == "0.011250"
    assert body["totals"]["calls"] == 2
    # 1000 in + 1000 out, then 1000 in + 2000 out, at $1.25 / $10 per million.
    assert body["totals"]["cost_usd"] == "0.032500"
    assert body["totals"]["by_feature"] == {"content": "0.021250", "messaging": "0.011250"}
    assert list(body["totals"]["by_day"].values()) == ["0.032500"]
    assert empty.json()["rows"] == []


@pytest.mark.parametrize("month", ["2026-13", "26-01", "2026-1", "abc", "2026-01-01"])
async def test_a_bad_month_is_a_422_naming_the_field(
    database_url: URL, database: Database, month: str
) -> None:
    user = await new_creator(database)
    headers = await _token(database, user)
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/api/ai/usage", params={"month": month}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert response.json()["fields"][0]["field"] == "month"


@pytest.mark.parametrize("path", ["/api/ai/quota", "/api/ai/usage"])
@pytest.mark.parametrize("auth", [None, "Bearer hzai_forged", "Basic dXNlcjpwdw=="])
async def test_quota_and_usage_need_a_valid_bearer_token(
    database_url: URL, path: str, auth: str | None
) -> None:
    headers = {"Authorization": auth} if auth else {}
    async with app_client(settings_for(database_url)) as client:
        response = await client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


async def test_quota_and_rate_limit_errors_render_the_contract(database_url: URL) -> None:
    from datetime import UTC, datetime

    async with app_client(settings_for(database_url)) as client:
        app = client._transport.app  # type: ignore[attr-defined]

        @app.get("/boom/quota")
        async def _q() -> None:
            raise QuotaExceeded(10_000_000, 10_000_000, datetime(2026, 12, 1, tzinfo=UTC))

        @app.get("/boom/short")
        async def _s() -> None:
            raise QuotaExceeded(
                9_990_000,
                10_000_000,
                datetime(2026, 12, 1, tzinfo=UTC),
                reserved_micros=2_000,
                needed_micros=25_000,
            )

        @app.get("/boom/rate")
        async def _r() -> None:
            raise RateLimitExceeded(retry_after_s=42, limit=50)

        quota = await client.get("/boom/quota")
        short = await client.get("/boom/short")
        rate = await client.get("/boom/rate")
    assert quota.status_code == short.status_code == 402
    # DESIGN §4's fields, then the additive ones.
    assert quota.json() == {
        "error": "quota_exceeded",
        "message": "Monthly quota exceeded",
        "spent_usd": "10.000000",
        "limit_usd": "10.000000",
        "resets_at": "2026-12-01T00:00:00+00:00",
        "reserved_usd": "0.000000",
        "remaining_usd": "0.000000",
        "needed_usd": "0.000001",
        "reason": "You have used $10.00 of your $10.00 monthly AI quota. AI generation is "
        "paused until the quota resets on Dec 1, 2026 00:00 UTC.",
    }
    # A month not spent is never called exceeded: this request's worst case does not fit.
    assert short.json() == {
        "error": "quota_exceeded",
        "message": "Not enough quota left for this request",
        "spent_usd": "9.990000",
        "limit_usd": "10.000000",
        "resets_at": "2026-12-01T00:00:00+00:00",
        "reserved_usd": "0.002000",
        "remaining_usd": "0.008000",
        "needed_usd": "0.025000",
        "reason": "This request can cost up to $0.0250, and only $0.0080 of your $10.00 "
        "monthly AI quota is left ($0.0020 more is held for requests in progress). A smaller "
        "request may still fit; the quota resets on Dec 1, 2026 00:00 UTC.",
    }
    assert rate.status_code == 429
    assert rate.headers["Retry-After"] == "42"
    assert rate.json() == {
        "error": "rate_limited",
        "message": "Rate limit exceeded",
        "retry_after_s": 42,
        "limit": 50,
    }
