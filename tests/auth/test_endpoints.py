"""POST /api/auth/token over HTTP: the token it issues, the errors it answers, and its throttle."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, update
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import LOGIN_TOKEN_TTL
from huntaze_ai.auth.throttle import LoginThrottle
from huntaze_ai.config import Settings
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.security import hash_api_token
from huntaze_ai.main import create_app
from huntaze_ai.models import ApiToken, User
from tests.apphelpers import app_client, settings_for
from tests.factories import DEFAULT_PASSWORD
from tests.metering.conftest import new_creator

WINDOW_S = 15 * 60


def _unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:12]}@example.com"


def _unique_ip() -> str:
    """A client address of this test alone: the per-IP window in Redis outlives the test."""
    return str(ipaddress.IPv4Address(0x0A000000 | (uuid.uuid4().int & 0xFFFFFF)))


@asynccontextmanager
async def app_client_at(settings: Settings, client_ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """`app_client`, with requests coming from `client_ip` (what the per-IP limit keys on)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 40_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def _tokens_of(database: Database, user: User) -> list[ApiToken]:
    async with database.sessionmaker() as session:
        return list(await session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))


def _assert_throttled(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error"] == "rate_limited"
    assert body["limit"] == limit
    assert 0 < body["retry_after_s"] <= WINDOW_S
    assert response.headers["Retry-After"] == str(body["retry_after_s"])


async def test_right_credentials_get_a_bearer_token_that_opens_the_api(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        token = response.json()["access_token"]
        quota = await client.get("/api/ai/quota", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.text
    assert response.json() == {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": int(LOGIN_TOKEN_TTL.total_seconds()),
    }
    assert quota.status_code == 200, quota.text
    assert quota.json()["plan"] == "starter"


async def test_a_wrong_password_and_an_unknown_email_get_the_same_401(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        wrong_password = await client.post(
            "/api/auth/token", json={"email": user.email, "password": "not the password"}
        )
        unknown_email = await client.post(
            "/api/auth/token", json={"email": _unknown_email(), "password": DEFAULT_PASSWORD}
        )

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json()["error"] == "unauthenticated"
    # Nothing in the answer tells which accounts exist.
    assert wrong_password.json() == unknown_email.json()
    assert await _tokens_of(database, user) == []


async def test_missing_credentials_are_a_422_naming_each_missing_field(
    database_url: URL,
) -> None:
    async with app_client(settings_for(database_url)) as client:
        nothing = await client.post("/api/auth/token", json={})
        no_password = await client.post("/api/auth/token", json={"email": "a@example.com"})

    assert nothing.status_code == no_password.status_code == 422
    assert nothing.json()["error"] == no_password.json()["error"] == "invalid_request"
    assert {f["field"] for f in nothing.json()["fields"]} == {"email", "password"}
    assert {f["field"] for f in no_password.json()["fields"]} == {"password"}


async def test_an_issued_token_is_stored_only_as_its_hash(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
    token = response.json()["access_token"]

    (stored,) = await _tokens_of(database, user)
    assert stored.token_hash == hash_api_token(token)
    columns = [getattr(stored, c.key) for c in ApiToken.__table__.columns]
    assert not any(isinstance(value, str) and token in value for value in columns)
    assert stored.expires_at is not None
    assert abs(stored.expires_at - (utcnow() + LOGIN_TOKEN_TTL)) < timedelta(minutes=1)


@pytest.mark.parametrize("change", ["revoked", "expired"])
async def test_a_revoked_or_expired_token_is_refused(
    database_url: URL, database: Database, change: str
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        before = await client.get("/api/ai/quota", headers=headers)
        values = (
            {"revoked_at": utcnow()}
            if change == "revoked"
            else {"expires_at": utcnow() - timedelta(seconds=1)}
        )
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                update(ApiToken).where(ApiToken.user_id == user.id).values(**values)
            )
        after = await client.get("/api/ai/quota", headers=headers)

    assert before.status_code == 200, before.text
    assert after.status_code == 401
    assert after.json()["error"] == "unauthenticated"
    assert after.headers["WWW-Authenticate"] == "Bearer"


async def test_the_eleventh_attempt_for_an_email_is_throttled_even_with_the_right_password(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    other = await new_creator(database)
    # The email is counted however it is spelled: case and spaces do not open a new window.
    spellings = [user.email, user.email.upper(), f"  {user.email}  "]
    async with app_client(settings_for(database_url)) as client:
        failures = [
            await client.post(
                "/api/auth/token",
                json={"email": spellings[i % len(spellings)], "password": f"guess {i}"},
            )
            for i in range(10)
        ]
        eleventh = await client.post(
            "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        other_email_same_client = await client.post(
            "/api/auth/token", json={"email": other.email, "password": DEFAULT_PASSWORD}
        )

    assert [r.status_code for r in failures] == [401] * 10
    _assert_throttled(eleventh, limit=10)
    assert await _tokens_of(database, user) == []
    assert other_email_same_client.status_code == 200, other_email_same_client.text


async def test_guesses_from_another_address_do_not_lock_the_creator_out(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    app = create_app(settings_for(database_url))  # one instance: one set of windows

    def client_at(ip: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 40_000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with app.router.lifespan_context(app), client_at("10.9.8.7") as stranger:
        guesses = [
            await stranger.post(
                "/api/auth/token", json={"email": user.email, "password": f"guess {i}"}
            )
            for i in range(11)
        ]
        async with client_at("10.1.2.3") as creator:
            own = await creator.post(
                "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
            )
    assert [r.status_code for r in guesses] == [401] * 10 + [429]
    assert own.status_code == 200, own.text


async def test_one_client_is_throttled_after_fifty_attempts_across_emails(
    database_url: URL, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await new_creator(database)
    # Fifty argon2 verifications would take most of this test; the throttle counts attempts
    # before any password is checked, so a refusing stand-in proves the same.
    monkeypatch.setattr("huntaze_ai.auth.service.verify_password", lambda *_: False)
    async with app_client(settings_for(database_url)) as client:
        spread = [
            await client.post(
                "/api/auth/token", json={"email": _unknown_email(), "password": "guess"}
            )
            for _ in range(50)
        ]
        fifty_first = await client.post(
            "/api/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD}
        )

    # Each email was tried once, far below its own limit: only the client's window is full.
    assert [r.status_code for r in spread] == [401] * 50
    _assert_throttled(fifty_first, limit=50)
    assert await _tokens_of(database, user) == []


@pytest.fixture
async def redis_login_keys(redis_url: str) -> AsyncIterator[list[str]]:
    """Markers (email, IP) whose login windows this test writes in Redis; deleted afterwards."""
    markers: list[str] = []
    yield markers
    client = aioredis.Redis.from_url(redis_url)
    try:
        for marker in markers:
            keys = [k async for k in client.scan_iter(f"{LoginThrottle.KEY_PREFIX}*{marker}*")]
            if keys:
                await client.delete(*keys)
    finally:
        await client.aclose()


async def test_with_redis_app_instances_share_one_login_window(
    database_url: URL, database: Database, redis_url: str, redis_login_keys: list[str]
) -> None:
    user = await new_creator(database)
    client_ip = _unique_ip()
    redis_login_keys.extend([user.email, client_ip])
    settings = settings_for(database_url, redis_url=redis_url)
    wrong = {"email": user.email, "password": "guess"}
    async with (
        app_client_at(settings, client_ip) as first,
        app_client_at(settings, client_ip) as second,
    ):
        # Five guesses through each instance: alone, neither would be near its limit of 10.
        attempts = []
        for _ in range(5):
            attempts.append(await first.post("/api/auth/token", json=wrong))
            attempts.append(await second.post("/api/auth/token", json=wrong))
        right = {"email": user.email, "password": DEFAULT_PASSWORD}
        on_first = await first.post("/api/auth/token", json=right)
        on_second = await second.post("/api/auth/token", json=right)

    assert [r.status_code for r in attempts] == [401] * 10
    _assert_throttled(on_first, limit=10)
    _assert_throttled(on_second, limit=10)
    assert await _tokens_of(database, user) == []
