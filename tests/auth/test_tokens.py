"""API token lifecycle: GET /api/auth/tokens and DELETE /api/auth/tokens/{id}, the cap on active
tokens, revocation on every instance, and the two kinds (a session cookie is no bearer token, an
API token no session)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import create_api_token, create_browser_session
from huntaze_ai.auth.sessions import SESSION_COOKIE
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.security import hash_api_token
from huntaze_ai.models import ApiToken, TokenKind, User
from tests.apphelpers import app_client, login, settings_for
from tests.factories import DEFAULT_PASSWORD
from tests.metering.conftest import new_creator


async def _token(database: Database, user: User, name: str = "cli", **kwargs: object) -> str:
    async with database.sessionmaker() as session, session.begin():
        return await create_api_token(session, user, name, **kwargs)  # type: ignore[arg-type]


async def _id_of(database: Database, token: str) -> int:
    async with database.sessionmaker() as session:
        found = await session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == hash_api_token(token))
        )
    assert found is not None
    return found


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _active_count(database: Database, user: User) -> int:
    now = utcnow()
    async with database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.kind == TokenKind.API,
                ApiToken.revoked_at.is_(None),
                (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            )
        )
    return int(count or 0)


async def test_the_list_has_the_accounts_working_api_tokens_newest_first_and_no_secret(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    other = await new_creator(database)
    first = await _token(database, user, "deploy <b>bot</b>")
    second = await _token(database, user, "login", ttl=timedelta(days=30))
    revoked = await _token(database, user, "old")
    expired = await _token(database, user, "expired")
    async with database.sessionmaker() as session, session.begin():
        await create_browser_session(session, user)
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_api_token(revoked))
            .values(revoked_at=utcnow())
        )
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_api_token(expired))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    await _token(database, other, "someone else's")

    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/api/auth/tokens", headers=_bearer(first))

    assert response.status_code == 200, response.text
    tokens = response.json()["tokens"]
    assert [t["name"] for t in tokens] == ["login", "deploy <b>bot</b>"]
    assert [t["id"] for t in tokens] == [
        await _id_of(database, second),
        await _id_of(database, first),
    ]
    assert set(tokens[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at"}
    assert tokens[0]["prefix"] == second[:12]
    assert tokens[0]["expires_at"] is not None
    assert tokens[1]["expires_at"] is None
    assert tokens[1]["last_used_at"] is not None  # the request itself used it
    for secret in (first, second, hash_api_token(first), hash_api_token(second)):
        assert secret not in response.text


async def test_a_revoked_token_is_refused_from_the_next_request_and_a_second_delete_is_404(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    keeper = await _token(database, user, "keeper")
    doomed = await _token(database, user, "doomed")
    doomed_id = await _id_of(database, doomed)
    async with app_client(settings_for(database_url)) as client:
        before = await client.get("/api/ai/quota", headers=_bearer(doomed))
        deleted = await client.delete(f"/api/auth/tokens/{doomed_id}", headers=_bearer(keeper))
        after = await client.get("/api/ai/quota", headers=_bearer(doomed))
        again = await client.delete(f"/api/auth/tokens/{doomed_id}", headers=_bearer(keeper))
        listed = await client.get("/api/auth/tokens", headers=_bearer(keeper))
        still = await client.get("/api/ai/quota", headers=_bearer(keeper))

    assert before.status_code == 200
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert after.status_code == 401
    assert after.json()["error"] == "unauthenticated"
    assert again.status_code == 404
    assert again.json() == {"error": "not_found", "message": "No such API token"}
    assert [t["name"] for t in listed.json()["tokens"]] == ["keeper"]
    assert still.status_code == 200


async def test_a_token_can_revoke_itself(database_url: URL, database: Database) -> None:
    user = await new_creator(database)
    token = await _token(database, user)
    async with app_client(settings_for(database_url)) as client:
        deleted = await client.delete(
            f"/api/auth/tokens/{await _id_of(database, token)}", headers=_bearer(token)
        )
        after = await client.get("/api/auth/tokens", headers=_bearer(token))
    assert deleted.status_code == 204
    assert after.status_code == 401


async def test_another_creators_token_id_is_404_and_their_token_keeps_working(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    victim = await new_creator(database)
    attacker_token = await _token(database, user)
    victim_token = await _token(database, victim)
    victim_id = await _id_of(database, victim_token)
    async with app_client(settings_for(database_url)) as client:
        attempt = await client.delete(
            f"/api/auth/tokens/{victim_id}", headers=_bearer(attacker_token)
        )
        listed = await client.get("/api/auth/tokens", headers=_bearer(attacker_token))
        victim_still = await client.get("/api/ai/quota", headers=_bearer(victim_token))

    assert attempt.status_code == 404
    assert attempt.json()["error"] == "not_found"
    assert victim_id not in [t["id"] for t in listed.json()["tokens"]]
    assert victim_still.status_code == 200


@pytest.mark.parametrize(
    ("path_id", "status"),
    [("999999", 404), ("0", 422), ("-1", 422), (str(2**40), 422), ("abc", 422)],
)
async def test_an_unknown_or_malformed_token_id_is_an_error_never_a_500(
    database_url: URL, database: Database, path_id: str, status: int
) -> None:
    token = await _token(database, await new_creator(database))
    async with app_client(settings_for(database_url)) as client:
        response = await client.delete(f"/api/auth/tokens/{path_id}", headers=_bearer(token))
    assert response.status_code == status, response.text
    assert response.json()["error"] == ("not_found" if status == 404 else "invalid_request")


async def test_a_browser_session_cannot_be_listed_or_revoked_as_an_api_token(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    token = await _token(database, user)
    async with database.sessionmaker() as session, session.begin():
        cookie = await create_browser_session(session, user)
    async with app_client(settings_for(database_url)) as client:
        listed = await client.get("/api/auth/tokens", headers=_bearer(token))
        deleted = await client.delete(
            f"/api/auth/tokens/{await _id_of(database, cookie)}", headers=_bearer(token)
        )
        client.cookies.set(SESSION_COOKIE, cookie)
        session_still = await client.get("/api/ai/quota")
    assert len(listed.json()["tokens"]) == 1
    assert deleted.status_code == 404
    assert session_still.status_code == 200


async def test_a_session_cookie_is_not_a_bearer_token_and_an_api_token_is_not_a_session(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    api_token = await _token(database, user)
    async with app_client(settings_for(database_url)) as client:
        await login(client, user.email)
        cookie = client.cookies[SESSION_COOKIE]
        as_cookie = await client.get("/api/ai/quota")
        client.cookies.clear()
        as_bearer = await client.get("/api/ai/quota", headers=_bearer(cookie))
        client.cookies.set(SESSION_COOKIE, api_token)
        api_as_cookie = await client.get("/api/ai/quota")
        api_as_page_cookie = await client.get("/dashboard")

    assert as_cookie.status_code == 200
    assert as_bearer.status_code == 401
    assert as_bearer.json()["error"] == "unauthenticated"
    assert api_as_cookie.status_code == 401
    assert api_as_page_cookie.status_code == 303
    assert api_as_page_cookie.headers["location"].startswith("/auth/login")


async def test_revocation_holds_on_the_next_request_on_every_instance(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    keeper = await _token(database, user, "keeper")
    doomed = await _token(database, user, "doomed")
    settings = settings_for(database_url)
    async with app_client(settings) as one, app_client(settings) as two:
        warm = await two.get("/api/ai/quota", headers=_bearer(doomed))
        deleted = await one.delete(
            f"/api/auth/tokens/{await _id_of(database, doomed)}", headers=_bearer(keeper)
        )
        on_two = await two.get("/api/ai/quota", headers=_bearer(doomed))
    assert warm.status_code == 200
    assert deleted.status_code == 204
    assert on_two.status_code == 401


async def test_logging_in_past_the_cap_revokes_the_oldest_tokens(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    credentials = {"email": user.email, "password": DEFAULT_PASSWORD}
    async with app_client(settings_for(database_url, max_api_tokens=3)) as client:
        issued = [
            (await client.post("/api/auth/token", json=credentials)).json()["access_token"]
            for _ in range(5)
        ]
        statuses = [
            (await client.get("/api/ai/quota", headers=_bearer(t))).status_code for t in issued
        ]
        listed = await client.get("/api/auth/tokens", headers=_bearer(issued[-1]))
    assert statuses == [401, 401, 200, 200, 200]
    assert [t["prefix"] for t in listed.json()["tokens"]] == [t[:12] for t in reversed(issued[2:])]


async def test_concurrent_creations_never_leave_more_than_the_cap(database: Database) -> None:
    user = await new_creator(database)
    await asyncio.gather(*(_token(database, user, f"t{i}", max_active=4) for i in range(16)))
    assert await _active_count(database, user) == 4


async def test_the_cap_counts_api_tokens_only(database: Database) -> None:
    user = await new_creator(database)
    async with database.sessionmaker() as session, session.begin():
        sessions = [await create_browser_session(session, user) for _ in range(3)]
    await _token(database, user, max_active=1)
    await _token(database, user, max_active=1)
    async with database.sessionmaker() as session:
        revoked_sessions = await session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(
                ApiToken.token_hash.in_([hash_api_token(s) for s in sessions]),
                ApiToken.revoked_at.is_not(None),
            )
        )
    assert revoked_sessions == 0
    assert await _active_count(database, user) == 1


async def test_unauthenticated_token_endpoints_are_401(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        listed = await client.get("/api/auth/tokens")
        deleted = await client.delete("/api/auth/tokens/1")
    assert listed.status_code == deleted.status_code == 401
