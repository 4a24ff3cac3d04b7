"""The API tokens page: lists the account's working tokens (names escaped, no secrets), revokes one
with the page's CSRF token, and answers another account's id with a 404 on the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.auth.sessions import DEVICE_COOKIE
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.security import hash_api_token
from huntaze_ai.models import ApiToken, User
from tests.apphelpers import (
    app_client,
    csrf_of,
    fast_password_checks,
    login,
    running_app,
    settings_for,
    strangers_fill_login,
)
from tests.factories import DEFAULT_PASSWORD
from tests.metering.conftest import new_creator
from tests.web.conftest import Browser


async def _token(database: Database, user: User, name: str) -> tuple[int, str]:
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user, name)
        token_id = await session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == hash_api_token(token))
        )
    assert token_id is not None
    return token_id, token


async def test_the_page_lists_working_tokens_with_escaped_names_and_no_secret(
    browser: Browser, database: Database
) -> None:
    _, token = await _token(database, browser.user, '<script>alert("x")</script>')
    await _token(database, await new_creator(database), "someone else's")
    response = await browser.get("/tokens")
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text
    assert "<script>alert" not in response.text
    assert f"{token[:12]}…" in response.text
    assert token not in response.text
    assert "someone else" not in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    # The browser session that shows the page is not an API token.
    assert len(re.findall(r'class="card token"', response.text)) == 1


async def test_revoking_from_the_page_needs_its_csrf_token_and_refuses_the_token_at_once(
    browser: Browser, database: Database
) -> None:
    token_id, token = await _token(database, browser.user, "deploy")
    forged = await browser.client.post(f"/tokens/{token_id}/revoke", data={})
    still = await browser.client.get("/api/ai/quota", headers={"Authorization": f"Bearer {token}"})
    revoked = await browser.submit("/tokens", f"/tokens/{token_id}/revoke")
    after = await browser.client.get("/api/ai/quota", headers={"Authorization": f"Bearer {token}"})

    assert forged.status_code == 403
    assert still.status_code == 200
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/tokens?notice=revoked"
    page = await browser.get("/tokens?notice=revoked")
    assert "Token revoked." in page.text
    assert "deploy" not in page.text
    assert after.status_code == 401


async def test_another_accounts_token_id_is_a_404_on_the_page_and_stays_working(
    browser: Browser, database: Database
) -> None:
    token_id, token = await _token(database, await new_creator(database), "theirs")
    response = await browser.submit("/tokens", f"/tokens/{token_id}/revoke")
    assert response.status_code == 404
    assert 'data-error="not_found"' in response.text
    assert "No such API token" in response.text
    still = await browser.client.get("/api/ai/quota", headers={"Authorization": f"Bearer {token}"})
    assert still.status_code == 200
    assert still.json()["plan"] == "starter"


async def test_the_page_needs_a_session(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        page = await client.get("/tokens")
        post = await client.post("/tokens/1/revoke", data={"csrf_token": "x"})
    assert page.status_code == 303
    assert page.headers["location"] == "/auth/login?next=/tokens"
    assert post.status_code == 403  # no session: no CSRF binding either


async def test_the_nav_links_to_the_tokens_page(browser: Browser) -> None:
    html = (await browser.get("/dashboard")).text
    assert 'href="/tokens"' in html
    assert csrf_of(html)


async def test_a_token_made_on_the_page_needs_the_password_is_shown_once_and_opens_the_api(
    browser: Browser,
) -> None:
    wrong = await browser.submit("/tokens", "/tokens", name="CRM sync", password="not-it")
    posted = await browser.submit(
        "/tokens", "/tokens", name="  CRM   sync ", password=DEFAULT_PASSWORD
    )
    made = await browser.get(posted.headers["location"])
    token = re.search(r'<code class="token-value" id="new-token">([^<]+)</code>', made.text)
    assert token is not None, made.text
    # A bearer token is checked before the page's cookie: a wrong one would be a 401.
    quota = await browser.client.get(
        "/api/ai/quota", headers={"Authorization": f"Bearer {token[1]}"}
    )
    later = (await browser.get("/tokens")).text

    assert wrong.status_code == 422
    assert "That is not your password: no token was made" in wrong.text
    assert 'class="token-value"' not in wrong.text
    assert made.status_code == 200
    assert "CRM sync" in made.text  # listed, its spaces collapsed
    assert quota.status_code == 200
    assert token[1] not in later  # shown only when made
    assert "CRM sync" in later


async def test_a_blank_or_invisible_token_name_is_refused_and_nothing_is_made(
    browser: Browser, database: Database
) -> None:
    blank = await browser.submit("/tokens", "/tokens", name="   ", password=DEFAULT_PASSWORD)
    hidden = await browser.submit(
        "/tokens", "/tokens", name="ci\u202etoken", password=DEFAULT_PASSWORD
    )
    async with database.sessionmaker() as session:
        made = await session.scalar(
            select(ApiToken.id).where(ApiToken.user_id == browser.user.id, ApiToken.kind == "api")
        )

    assert blank.status_code == hidden.status_code == 422
    assert "A token&#39;s name must be 1 to 100 characters" in blank.text
    assert "invisible" in hidden.text
    assert made is None


async def test_reloading_the_page_of_a_new_token_makes_no_other_and_no_other_login_sees_it(
    browser: Browser, database: Database, database_url: URL
) -> None:
    posted = await browser.submit("/tokens", "/tokens", name="CRM", password=DEFAULT_PASSWORD)
    once = browser.client.cookies["huntaze_once"]  # the token, encrypted, for one page view
    shown = await browser.get("/tokens")
    reloaded = await browser.get("/tokens")
    other = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        await login(client, other.email)
        client.cookies.set("huntaze_once", once)  # the cookie left on a shared machine
        someone_else = await client.get("/tokens")
    async with database.sessionmaker() as session:
        tokens = (
            await session.scalars(
                select(ApiToken.token_hash).where(
                    ApiToken.user_id == browser.user.id, ApiToken.kind == "api"
                )
            )
        ).all()

    assert posted.status_code == 303
    assert posted.headers["location"] == "/tokens"  # the secret is not in the address
    token = re.search(r'<code class="token-value" id="new-token">([^<]+)</code>', shown.text)
    assert token is not None, shown.text
    assert token[1] not in once
    assert tokens == [hash_api_token(token[1])]  # one token, however often the page is loaded
    assert 'class="token-value"' not in reloaded.text
    assert 'class="token-value"' not in someone_else.text


async def test_strangers_filling_the_email_do_not_stop_a_token_made_on_the_browser_logged_in_from(
    database_url: URL, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_checks(monkeypatch)
    user = await new_creator(database)
    async with running_app(settings_for(database_url)) as (app, client):
        await login(client, user.email)
        await strangers_fill_login(app, user.email)
        form = {"name": "CRM", "password": DEFAULT_PASSWORD}
        page = (await client.get("/tokens")).text
        made = await client.post("/tokens", data={"csrf_token": csrf_of(page), **form})
        client.cookies.delete(DEVICE_COOKIE)  # the session alone, as from another browser
        page = (await client.get("/tokens")).text
        refused = await client.post("/tokens", data={"csrf_token": csrf_of(page), **form})

    assert made.status_code == 303, made.text
    assert refused.status_code == 429
    assert "Too many login attempts" in refused.text
