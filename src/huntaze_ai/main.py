"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from huntaze_ai import __version__
from huntaze_ai.agencies.endpoints import router as agencies_router
from huntaze_ai.analytics.endpoints import router as analytics_router
from huntaze_ai.auth.endpoints import router as auth_router
from huntaze_ai.auth.throttle import LoginThrottle
from huntaze_ai.campaigns.endpoints import router as campaigns_router
from huntaze_ai.compliance.budget import CheckBudget
from huntaze_ai.compliance.endpoints import router as compliance_router
from huntaze_ai.compliance.offload import GuardProcess
from huntaze_ai.config import PLANS, Settings, get_settings
from huntaze_ai.content.endpoints import router as content_router
from huntaze_ai.drafts.endpoints import router as drafts_router
from huntaze_ai.fans.endpoints import router as fans_router
from huntaze_ai.health.endpoints import router as health_router
from huntaze_ai.insights.endpoints import router as insights_router
from huntaze_ai.kit import detached_stream, metrics
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import install_error_handlers
from huntaze_ai.kit.http_middleware import HttpMiddleware
from huntaze_ai.kit.logging import configure_logging
from huntaze_ai.kit.redis import create_redis
from huntaze_ai.llm.models import load_model_plan
from huntaze_ai.llm.pipeline import AIPipeline
from huntaze_ai.llm.provider import open_llm
from huntaze_ai.messaging.endpoints import router as messaging_router
from huntaze_ai.metering.endpoints import router as metering_router
from huntaze_ai.metering.kinds import Outcome
from huntaze_ai.metering.quota import QuotaLedger
from huntaze_ai.metering.rate_limit import CreatorRateLimiter
from huntaze_ai.metering.service import Meter
from huntaze_ai.sales.endpoints import router as sales_router
from huntaze_ai.web import install_pages
from huntaze_ai.web.api_docs import install_api_docs
from huntaze_ai.web.rendering import render_error_page
from huntaze_ai.webhooks.endpoints import router as webhooks_router
from huntaze_ai.webhooks.worker import DeliveryWorker

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 60.0


async def _sweep_forever(meter: Meter) -> None:
    """Give back reservations of crashed processes and forget old settled ones, on every instance
    (the statements are atomic, so instances sweeping at once is harmless)."""
    while True:
        await asyncio.sleep(SWEEP_INTERVAL_S)
        try:
            await meter.ledger.sweep()
            await meter.ledger.purge_settled()
        except Exception:
            log.exception("quota sweep failed; retrying in %ss", SWEEP_INTERVAL_S)


def _webhook_worker(settings: Settings, database: Database) -> DeliveryWorker | None:
    if settings.webhook_url is None or settings.webhook_secret is None:
        return None
    return DeliveryWorker(
        database.sessionmaker,
        settings.webhook_url,
        settings.webhook_secret.get_secret_value(),
        timeout_s=settings.webhook_timeout_s,
        max_attempts=settings.webhook_max_attempts,
        backoff_base_s=settings.webhook_backoff_s,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()  # JSON lines at LOG_LEVEL

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        llm_scope = contextlib.AsyncExitStack()
        app.state.database = Database.from_url(settings.async_database_url)
        redis_url = settings.effective_redis_url
        app.state.redis = create_redis(redis_url) if redis_url else None
        limiter = CreatorRateLimiter(app.state.redis, settings.rate_limit_fail_mode)
        app.state.login_throttle = LoginThrottle(app.state.redis, settings.rate_limit_fail_mode)
        app.state.check_budget = CheckBudget(
            app.state.redis, settings.rate_limit_fail_mode, settings.compliance_checks_per_hour
        )
        app.state.guard_process = guard_process = GuardProcess()
        ledger = QuotaLedger(app.state.database.sessionmaker, settings)
        # Every agent's model is priced here, or the app refuses to start (ConfigError).
        plan, prices = load_model_plan(settings)
        metrics.export_known_series(
            models=[(p.feature.value, p.model) for p in [*plan, *plan.fallbacks.values()]],
            plans=PLANS,
            outcomes=[o.value for o in Outcome],
        )
        app.state.meter = meter = Meter(ledger, limiter, prices)
        app.state.llm = await llm_scope.enter_async_context(open_llm(settings, plan))
        app.state.ai = AIPipeline(meter, app.state.llm)
        sweeper = asyncio.create_task(_sweep_forever(meter))
        app.state.webhooks = webhooks = _webhook_worker(settings, app.state.database)
        if webhooks is not None:
            await webhooks.start()
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            if webhooks is not None:
                await webhooks.stop()
            await detached_stream.drain()  # streams whose clients left settle first
            await meter.drain()
            await guard_process.aclose()
            await llm_scope.aclose()
            if app.state.redis is not None:
                await app.state.redis.aclose()
            await app.state.database.dispose()
            metrics.mark_this_process_dead()

    app = FastAPI(
        title="Huntaze AI",
        version=__version__,
        lifespan=lifespan,
        # Off in production unless API_DOCS=true: the schema maps every endpoint for a stranger.
        openapi_url="/openapi.json" if settings.serves_api_docs else None,
        docs_url=None,  # /docs and /redoc are install_api_docs', with their assets served here
        redoc_url=None,
    )
    if settings.serves_api_docs:
        install_api_docs(app)
    app.state.settings = settings
    install_error_handlers(app, error_page=render_error_page)  # pages fail as pages
    metrics.install(app)  # GET /metrics
    # Request id, access line, security headers, body size and time limits, HTTP metrics.
    app.add_middleware(
        HttpMiddleware,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.body_timeout_s,
        hsts=settings.is_production,
    )
    if settings.trusted_proxies:
        # Outermost: the client address is settled before anything (login limits) reads it.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(metering_router)
    app.include_router(messaging_router)
    app.include_router(content_router)
    app.include_router(analytics_router)
    app.include_router(sales_router)
    app.include_router(compliance_router)
    app.include_router(insights_router)
    app.include_router(campaigns_router)
    app.include_router(agencies_router)
    app.include_router(drafts_router)
    app.include_router(webhooks_router)
    app.include_router(fans_router)
    install_pages(app)
    return app
