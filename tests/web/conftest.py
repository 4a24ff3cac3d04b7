"""A logged-in browser-like client for the pages: cookies kept, CSRF token read off the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.apphelpers import app_client, csrf_of, login, settings_for
from tests.metering.conftest import new_creator


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


@pytest.fixture
async def browser(database_url: URL, database: Database) -> AsyncIterator[Browser]:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        response = await login(client, user.email)
        assert response.status_code == 303, response.text
        yield Browser(client, user)
