"""A logged-in browser-like client for the pages: cookies kept, CSRF token read off the page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.apphelpers import app_client, settings_for
from tests.factories import DEFAULT_PASSWORD
from tests.metering.conftest import new_creator

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF field"
    return found[1]


@dataclass
class Browser:
    client: httpx.AsyncClient
    user: User

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def submit(self, page: str, action: str, **fields: str) -> httpx.Response:
        """Load `page`, then post its form to `action` with the page's CSRF token."""
        html = (await self.client.get(page)).text
        return await self.client.post(action, data={"csrf_token": csrf_of(html), **fields})


async def login(
    client: httpx.AsyncClient, email: str, password: str = DEFAULT_PASSWORD
) -> httpx.Response:
    page = await client.get("/auth/login")
    return await client.post(
        "/auth/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password},
    )


@pytest.fixture
async def browser(database_url: URL, database: Database) -> AsyncIterator[Browser]:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await login(client, user.email)
        assert response.status_code == 303, response.text
        yield Browser(client, user)
