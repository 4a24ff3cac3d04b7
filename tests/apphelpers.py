"""Run the real app (lifespan included) in-process for HTTP tests."""

from __future__ import annotations

import atexit
import functools
import re
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from html import unescape
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL

from huntaze_ai.config import Settings
from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from huntaze_ai.kit.db import Database
from huntaze_ai.main import create_app


@functools.cache
def shared_emulator_url() -> str:
    """One Gemini emulator for every test app of this process (apps would otherwise each start
    their own); stopped when the process exits."""
    stack = ExitStack()
    url = stack.enter_context(run_emulator_in_thread(EmulatorConfig(port=0, seed=1)))
    atexit.register(stack.close)
    return url


def settings_for(database_url: URL, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url.render_as_string(hide_password=False),
        "gemini_base_url": shared_emulator_url(),
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app, started, and a client to it: for a test that also looks at the app's state
    (its database's statements, say)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield app, client


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings) as (_, client):
        yield client


def client_at(app: FastAPI, client_ip: str) -> httpx.AsyncClient:
    """A client of a started `app` whose requests come from `client_ip` (what the login limits
    count per address)."""
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def fast_password_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 replaced by a stand-in that knows only the factories' password: the login limits
    count attempts before any password is checked, so a hundred guesses prove the same in a
    fraction of the time."""
    from tests.factories import DEFAULT_PASSWORD

    monkeypatch.setattr(
        "huntaze_ai.auth.service.verify_password",
        lambda _hash, password: password == DEFAULT_PASSWORD,
    )


async def strangers_fill_login(app: FastAPI, email: str) -> list[int]:
    """Strangers guess `email`'s password over the API from ten addresses, ten times each: the
    email's window (100 per 15 minutes) is full, no address's is. Their answers' statuses."""
    statuses = []
    for host in range(10):
        async with client_at(app, f"198.51.100.{host}") as stranger:
            for n in range(10):
                guess = {"email": email, "password": f"guess {n}"}
                statuses.append((await stranger.post("/api/auth/token", json=guess)).status_code)
    return statuses


async def creator_headers(database: Database, plan: str = "starter") -> tuple[int, dict[str, str]]:
    """A committed creator and the Authorization header of a fresh token of theirs."""
    from huntaze_ai.auth.service import create_api_token
    from tests.metering.conftest import new_creator

    user = await new_creator(database, plan=plan)
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user)
    return user.id, {"Authorization": f"Bearer {token}"}


_TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    """A page's text without its tags, entities decoded (what a reader sees of `$0.02` whose
    element carries the exact amount in a title)."""
    return unescape(_TAG.sub("", html))


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of a page's forms."""
    found = _CSRF_FIELD.search(html)
    assert found, "page has no CSRF field"
    return found[1]


async def login(
    client: httpx.AsyncClient, email: str, password: str | None = None, **extra: str
) -> httpx.Response:
    """Log in through the login page, as a browser does: its form, its CSRF token."""
    from tests.factories import DEFAULT_PASSWORD

    page = await client.get("/auth/login")
    fields = {"email": email, "password": password or DEFAULT_PASSWORD, **extra}
    return await client.post("/auth/login", data={"csrf_token": csrf_of(page.text), **fields})


async def draft_reply(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    fan_message: str = "Hey! Love your content",
    fan_id: str | None = None,
    **body: Any,
) -> dict[str, Any]:
    """A fan reply through the API (stored as a draft); the response's JSON, which must be 200."""
    if fan_id is not None:
        body["fan_id"] = fan_id
    reply = await client.post(
        "/api/ai/messages/reply", json={"fan_message": fan_message, **body}, headers=headers
    )
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]
