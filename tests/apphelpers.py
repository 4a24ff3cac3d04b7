"""Run the real app (lifespan included) in-process for HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.engine import URL

from huntaze_ai.config import Settings
from huntaze_ai.main import create_app


def settings_for(database_url: URL, **overrides: object) -> Settings:
    return Settings(
        database_url=database_url.render_as_string(hide_password=False),
        **overrides,  # type: ignore[arg-type]
    )


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
