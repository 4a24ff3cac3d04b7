"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from huntaze_ai import __version__
from huntaze_ai.config import Settings, get_settings
from huntaze_ai.health.endpoints import router as health_router
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import install_error_handlers
from huntaze_ai.kit.redis import create_redis


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.database = Database.from_url(settings.async_database_url)
        redis_url = settings.effective_redis_url
        app.state.redis = create_redis(redis_url) if redis_url else None
        try:
            yield
        finally:
            if app.state.redis is not None:
                await app.state.redis.aclose()
            await app.state.database.dispose()

    app = FastAPI(
        title="Huntaze AI",
        version=__version__,
        lifespan=lifespan,
        docs_url=None if settings.is_production else "/docs",
    )
    install_error_handlers(app)
    app.include_router(health_router)
    return app
