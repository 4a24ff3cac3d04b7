from __future__ import annotations

from sqlalchemy.engine import URL

from tests.apphelpers import app_client, settings_for


async def test_healthz_answers_without_touching_dependencies(fresh_database_url: URL) -> None:
    async with app_client(settings_for(fresh_database_url)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_green_on_a_migrated_database(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


async def test_readyz_is_503_with_the_failing_check_when_the_schema_is_behind(
    fresh_database_url: URL,
) -> None:
    async with app_client(settings_for(fresh_database_url)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "dependency_unavailable"
    assert "huntaze-ai db upgrade" in body["checks"]["database"]


async def test_readyz_checks_redis_when_configured(database_url: URL, redis_url: str) -> None:
    async with app_client(settings_for(database_url, redis_url=redis_url)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_is_503_when_redis_is_unreachable(database_url: URL) -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    settings = settings_for(database_url, redis_url="redis://127.0.0.1:1/0")
    async with app_client(settings) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("unreachable")


async def test_unknown_paths_get_the_json_error_contract(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Not Found"}
