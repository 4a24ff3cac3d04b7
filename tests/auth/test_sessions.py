"""The pages' session cookie: what it opens on the JSON API, its CSRF token, and the login page;
the device cookie a login leaves, which keeps strangers from locking the creator out."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import Morsel, SimpleCookie
from types import SimpleNamespace

import cryptography.fernet
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import (
    BROWSER_SESSION_NAME,
    create_browser_session,
)
from huntaze_ai.auth.sessions import (
    CSRF_HEADER,
    DEVICE_COOKIE,
    NONCE_COOKIE,
    SESSION_COOKIE,
    csrf_token,
)
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.security import hash_api_token
from huntaze_ai.models import ApiToken, User
from tests.apphelpers import (
    app_client,
    client_at,
    creator_headers,
    csrf_of,
    fast_password_checks,
    login,
    running_app,
    settings_for,
    strangers_fill_login,
)
from tests.factories import DEFAULT_PASSWORD, count_campaigns
from tests.metering.conftest import new_creator


async def _browser_session(database: Database, user: User) -> str:
    async with database.sessionmaker() as session, session.begin():
        return await create_browser_session(session, user)


def _set_cookie(response: httpx.Response, name: str) -> Morsel[str] | None:
    """The Set-Cookie of `name` in this response, with its attributes, or None."""
    for header in response.headers.get_list("set-cookie"):
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        if name in parsed:
            return parsed[name]
    return None


async def test_a_session_cookie_opens_the_json_api_for_reads(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    token = await _browser_session(database, user)
    async with app_client(settings_for(database_url)) as client:
        anonymous = await client.get("/api/ai/quota")
        client.cookies.set(SESSION_COOKIE, token)
        with_cookie = await client.get("/api/ai/quota")

    assert anonymous.status_code == 401
    assert with_cookie.status_code == 200, with_cookie.text
    assert with_cookie.json()["plan"] == "starter"


async def test_a_cookie_authenticated_post_needs_the_sessions_csrf_token(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    token = await _browser_session(database, user)
    settings = settings_for(database_url)
    other_session = await _browser_session(database, await new_creator(database))
    async with app_client(settings) as client:
        client.cookies.set(SESSION_COOKIE, token)
        missing = await client.post("/api/campaigns", json={"name": "x"})
        refused = [
            await client.post("/api/campaigns", json={"name": "x"}, headers={CSRF_HEADER: bad})
            for bad in ("0" * 64, csrf_token(settings, other_session), token)
        ]
        created_before = await count_campaigns(database, user.id)
        accepted = await client.post(
            "/api/campaigns",
            json={"name": "x"},
            headers={CSRF_HEADER: csrf_token(settings, token)},
        )

    for response in (missing, *refused):
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "csrf_failed"
    assert created_before == 0
    assert accepted.status_code == 201, accepted.text
    assert await count_campaigns(database, user.id) == 1


async def test_a_bearer_authenticated_post_needs_no_csrf_token(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/campaigns", json={"name": "x"}, headers=headers)

    assert response.status_code == 201, response.text
    assert await count_campaigns(database, user_id) == 1


async def test_the_login_page_sets_an_httponly_lax_nonce_and_a_form_token_bound_to_it(
    database_url: URL,
) -> None:
    settings = settings_for(database_url)
    async with app_client(settings) as client:
        page = await client.get("/auth/login")

    assert page.status_code == 200
    nonce = _set_cookie(page, NONCE_COOKIE)
    assert nonce is not None
    assert nonce.value
    assert nonce["httponly"] is True
    assert nonce["samesite"].lower() == "lax"
    assert not nonce["secure"]
    assert csrf_of(page.text) == csrf_token(settings, nonce.value)


async def test_logging_in_on_the_page_sets_httponly_lax_session_and_device_cookies(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await login(client, user.email)
        quota = await client.get("/api/ai/quota")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/dashboard"
    session = _set_cookie(response, SESSION_COOKIE)
    assert session is not None
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    assert not session["secure"]  # development is served over plain HTTP
    nonce = _set_cookie(response, NONCE_COOKIE)
    assert nonce is not None
    assert nonce["max-age"] == "0"  # the login nonce is spent
    device = _set_cookie(response, DEVICE_COOKIE)
    assert device is not None
    assert device["httponly"] is True
    assert device["samesite"].lower() == "lax"
    assert not device["secure"]
    assert device["max-age"] == str(90 * 24 * 3600)
    assert user.email not in device.value  # encrypted: a shared computer does not show whose
    # The cookie is a browser session token, stored hashed like any other.
    async with database.sessionmaker() as db:
        stored = await db.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_api_token(session.value))
        )
    assert stored is not None
    assert stored.name == BROWSER_SESSION_NAME
    assert stored.user_id == user.id
    assert quota.status_code == 200, quota.text


async def test_in_production_the_nonce_session_and_device_cookies_are_secure_host_only_cookies(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(
        database_url, huntaze_env="production", secret_key="s" * 40, metrics_public=True
    )
    async with app_client(settings) as client:
        page = await client.get("/auth/login")
        nonce = _set_cookie(page, f"__Host-{NONCE_COOKIE}")
        assert nonce is not None
        # httpx keeps a Secure cookie off http://testserver: send it as a browser on HTTPS would.
        response = await client.post(
            "/auth/login",
            data={
                "csrf_token": csrf_of(page.text),
                "email": user.email,
                "password": DEFAULT_PASSWORD,
            },
            headers={"Cookie": f"__Host-{NONCE_COOKIE}={nonce.value}"},
        )

    assert nonce["secure"] is True
    assert response.status_code == 303, response.text
    session = _set_cookie(response, f"__Host-{SESSION_COOKIE}")
    assert session is not None
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"].lower() == "lax"
    # __Host-: a sibling subdomain cannot set these, so it cannot plant a session or a nonce.
    assert session["path"] == "/"
    assert not session["domain"]
    device = _set_cookie(response, f"__Host-{DEVICE_COOKIE}")
    assert device is not None
    assert device["secure"] is True
    assert device["httponly"] is True
    assert device["samesite"].lower() == "lax"
    assert device["path"] == "/"
    assert not device["domain"]


@pytest.mark.parametrize("csrf", ["missing", "forged"])
async def test_a_login_post_without_the_pages_csrf_token_is_refused(
    database_url: URL, database: Database, csrf: str
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url)
    form = {"email": user.email, "password": DEFAULT_PASSWORD}
    if csrf == "forged":
        # Valid for some other nonce, not for the one this browser holds.
        form["csrf_token"] = csrf_token(settings, "an attacker's nonce")
    async with app_client(settings) as client:
        await client.get("/auth/login")
        response = await client.post("/auth/login", data=form)

    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert _set_cookie(response, SESSION_COOKIE) is None


async def test_a_wrong_password_on_the_login_page_is_a_401_page_saying_so(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await login(client, user.email, password="not the password")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "Invalid email or password" in response.text
    assert _set_cookie(response, SESSION_COOKIE) is None


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("//evil.example", "/dashboard"),
        ("https://evil.example/phish", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("/usage?month=2026-01", "/usage?month=2026-01"),
    ],
)
async def test_after_login_next_only_redirects_within_the_site(
    database_url: URL, database: Database, next_url: str, location: str
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await login(client, user.email, next=next_url)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == location


async def test_logging_out_revokes_the_session(database_url: URL, database: Database) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url)
    async with app_client(settings) as client:
        await login(client, user.email)
        token = client.cookies[SESSION_COOKIE]
        without_csrf = await client.post("/auth/logout")
        still_in = await client.get("/api/ai/quota")
        logout = await client.post("/auth/logout", data={"csrf_token": csrf_token(settings, token)})
        cleared = SESSION_COOKIE not in client.cookies
        # A stolen copy of the cookie is worthless after logout, not only the browser's own.
        client.cookies.set(SESSION_COOKIE, token)
        replayed = await client.get("/api/ai/quota")

    assert without_csrf.status_code == 403
    assert still_in.status_code == 200
    assert logout.status_code == 303
    assert logout.headers["location"] == "/auth/login"
    assert cleared
    assert replayed.status_code == 401
    assert replayed.json()["error"] == "unauthenticated"


CREATOR_IP = "203.0.113.7"


def _device_cookie(response: httpx.Response) -> str:
    device = _set_cookie(response, DEVICE_COOKIE)
    assert device is not None, response.text
    return device.value


async def test_strangers_filling_an_email_do_not_lock_the_creator_out_of_a_browser_they_used(
    database_url: URL, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_checks(monkeypatch)
    user = await new_creator(database)
    async with (
        running_app(settings_for(database_url)) as (app, _),
        client_at(app, CREATOR_IP) as phone,
        client_at(app, CREATOR_IP) as new_laptop,
        client_at(app, "198.51.100.99") as stranger,
    ):
        first = await login(phone, user.email)
        phone.cookies.delete(SESSION_COOKIE)  # the session ended; the device cookie stays
        flood = await strangers_fill_login(app, user.email)
        stranger_right = await login(stranger, user.email)
        laptop = await login(new_laptop, user.email)
        again = await login(phone, user.email)
        phone.cookies.delete(SESSION_COOKIE)
        with_fresh_cookie = await login(phone, user.email)

    assert first.status_code == 303, first.text
    assert flood == [401] * 99 + [429]  # the creator's first login was one of the hundred
    # The email is closed to strangers and to a browser the creator never logged in from ...
    assert stranger_right.status_code == laptop.status_code == 429
    assert "Too many login attempts" in laptop.text
    # ... not to the creator's phone, which gets a fresh device cookie that works in turn.
    assert again.status_code == 303, again.text
    assert again.headers["location"] == "/dashboard"
    assert _device_cookie(again) != _device_cookie(first)
    assert with_fresh_cookie.status_code == 303, with_fresh_cookie.text


async def test_a_forged_expired_or_other_accounts_device_cookie_is_no_exemption(
    database_url: URL, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_checks(monkeypatch)
    user = await new_creator(database)
    other = await new_creator(database)
    async with (
        running_app(settings_for(database_url)) as (app, _),
        client_at(app, CREATOR_IP) as browser,
    ):
        with monkeypatch.context() as past:
            # Made 91 days ago: older than the 90 days a device cookie is read for.
            days_ago = SimpleNamespace(time=lambda: time.time() - 91 * 24 * 3600)
            past.setattr(cryptography.fernet, "time", days_ago)
            expired = _device_cookie(await login(browser, user.email))
        real = _device_cookie(await login(browser, user.email))
        others = _device_cookie(await login(browser, other.email))
        forged = real[:40] + ("B" if real[40] == "A" else "A") + real[41:]
        await strangers_fill_login(app, user.email)
        refused = []
        for cookie in (expired, others, forged):
            browser.cookies.clear()
            browser.cookies.set(DEVICE_COOKIE, cookie)
            refused.append((await login(browser, user.email)).status_code)
        browser.cookies.clear()
        browser.cookies.set(DEVICE_COOKIE, real)
        genuine = await login(browser, user.email)

    assert refused == [429, 429, 429]
    assert genuine.status_code == 303, genuine.text


async def test_a_browser_that_sent_ten_wrong_passwords_is_a_stranger_again(
    database_url: URL,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    window_clock: Callable[[float], None],
) -> None:
    fast_password_checks(monkeypatch)
    user = await new_creator(database)
    async with (
        running_app(settings_for(database_url)) as (app, _),
        client_at(app, CREATOR_IP) as copied,
        client_at(app, CREATOR_IP) as mistyped,
    ):
        for browser, wrong in ((copied, 10), (mistyped, 9)):
            await login(browser, user.email)
            browser.cookies.delete(SESSION_COOKIE)
            for n in range(wrong):
                assert (await login(browser, user.email, f"guess {n}")).status_code == 401
        window_clock(16 * 60)  # their own 15-minute windows are empty again; failures stay
        await strangers_fill_login(app, user.email)
        after_ten = await login(copied, user.email)
        after_nine = await login(mistyped, user.email)

    assert after_ten.status_code == 429
    assert after_nine.status_code == 303, after_nine.text
