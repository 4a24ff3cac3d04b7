"""What production exposes: /metrics behind METRICS_TOKEN (or public on purpose), no API schema
or docs unless API_DOCS=true, and HSTS, nosniff and Referrer-Policy on every response."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.config import ConfigError, load_settings
from tests.apphelpers import app_client, settings_for

METRICS_TOKEN = "metrics-token-0123456789abcdef"
PRODUCTION = {"huntaze_env": "production", "secret_key": "s" * 40}
DOCS = (
    "/openapi.json",
    "/docs",
    "/redoc",
    "/docs/swagger-ui-bundle.js",  # the docs' own assets, served only with them
    "/redoc/redoc.standalone.js",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # no stray .env
    for name in ("METRICS_TOKEN", "METRICS_PUBLIC", "API_DOCS", "HUNTAZE_ENV", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUNTAZE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    return monkeypatch


def test_production_refuses_to_start_without_a_metrics_token(
    clean_env: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigError, match="METRICS_TOKEN must be set in production"):
        load_settings()
    clean_env.setenv("METRICS_TOKEN", "short")
    with pytest.raises(ConfigError, match="METRICS_TOKEN must be at least 24 characters"):
        load_settings()
    clean_env.setenv("METRICS_TOKEN", METRICS_TOKEN)
    assert load_settings().metrics_token is not None


def test_production_starts_with_public_metrics_only_when_asked_to(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("METRICS_PUBLIC", "true")
    settings = load_settings()
    assert settings.metrics_token is None
    assert settings.metrics_public


async def test_metrics_need_the_token_when_one_is_set(database_url: URL) -> None:
    async with app_client(settings_for(database_url, metrics_token=METRICS_TOKEN)) as client:
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        garbage = await client.get(
            "/metrics", headers={"Authorization": "Bearer tökén".encode("latin-1")}
        )
        basic = await client.get("/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})

    for refused in (anonymous, wrong, garbage, basic):
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"] == "unauthenticated"
        assert "huntaze_ai_" not in refused.text
    assert right.status_code == 200
    assert "huntaze_ai_http_requests_total" in right.text


async def test_metrics_stay_open_without_a_token_outside_production(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        assert (await client.get("/metrics")).status_code == 200


async def test_production_serves_no_api_schema_or_docs(database_url: URL) -> None:
    settings = settings_for(database_url, **PRODUCTION, metrics_token=METRICS_TOKEN)
    async with app_client(settings) as client:
        responses = [await client.get(path) for path in DOCS]
    assert [r.status_code for r in responses] == [404] * len(DOCS)
    assert all(r.json()["error"] == "not_found" for r in responses)


async def test_api_docs_true_serves_them_in_production(database_url: URL) -> None:
    settings = settings_for(database_url, **PRODUCTION, metrics_token=METRICS_TOKEN, api_docs=True)
    async with app_client(settings) as client:
        responses = [await client.get(path) for path in DOCS]
    assert [r.status_code for r in responses] == [200] * len(DOCS)
    assert responses[0].json()["info"]["title"] == "Huntaze AI"


@pytest.mark.parametrize("path", ["/healthz", "/api/ai/quota", "/auth/login", "/nowhere"])
async def test_production_responses_carry_hsts_nosniff_and_a_referrer_policy(
    database_url: URL, path: str
) -> None:
    settings = settings_for(database_url, **PRODUCTION, metrics_token=METRICS_TOKEN)
    async with app_client(settings) as client:
        response = await client.get(path)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    # Set once, even where the pages set their own.
    assert len(response.headers.get_list("X-Content-Type-Options")) == 1


async def test_development_sends_no_hsts(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/healthz")
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
