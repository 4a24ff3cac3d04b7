"""`huntaze-ai serve`: the web app and API under uvicorn."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, cast

import typer

from huntaze_ai.cli._common import fail, serving_settings

if TYPE_CHECKING:
    from huntaze_ai.config import Settings

WORKER_HEALTHCHECK_TIMEOUT_S = 30


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What every command that serves the app (`serve`, `demo`) gives uvicorn, so that one
    cannot serve without the limits or the trust rules the other has."""
    from huntaze_ai.kit.http_limits import HttpLimits, LimitedHttpToolsProtocol
    from huntaze_ai.kit.logging import log_level_from_env

    # uvicorn builds one protocol per connection; ours adds limits on slow or oversized request
    # heads (a partial pickles, so `--workers N` gets it too).
    protocol = functools.partial(
        LimitedHttpToolsProtocol,
        limits=HttpLimits(
            max_header_bytes=settings.max_header_bytes,
            header_timeout_s=settings.header_timeout_s,
            body_timeout_s=settings.body_timeout_s,
        ),
    )
    return {
        # Forwarding headers are the app's business (FORWARDED_ALLOW_IPS, main.py), so they are
        # trusted the same under any server; uvicorn's own default would trust them from
        # 127.0.0.1, and any local client could then pick its address.
        "proxy_headers": False,
        "http": cast(Any, protocol),  # uvicorn types `http` as a class; it only calls it
        "timeout_keep_alive": settings.keepalive_timeout_s,
        "log_level": log_level_from_env(),
        "log_config": None,  # our JSON lines (kit/logging.py), not uvicorn's text format
        "access_log": False,  # kit/http_middleware.py writes one access line per request
    }


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to bind."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
    ) -> None:
        """Serve the web app and the REST API."""
        import uvicorn

        from huntaze_ai.kit import metrics
        from huntaze_ai.kit.logging import configure_logging

        settings = serving_settings()  # fail fast, in one line, on a bad configuration
        if workers > 1 and settings.effective_redis_url is None:
            # In-process windows would let each worker admit a plan's whole hourly limit.
            fail(
                f"--workers {workers} needs REDIS_URL: without it each worker counts the hourly "
                "rate limits on its own. Set REDIS_URL, or serve with --workers 1"
            )
        configure_logging()  # the supervisor's lines too; each worker configures its own
        # Workers inherit PROMETHEUS_MULTIPROC_DIR, so it is set before they start.
        with metrics.multiprocess_dir_for(workers) as metrics_dir:
            if metrics_dir:
                logging.getLogger(__name__).info(
                    "metrics: multiprocess mode", extra={"metrics_dir": metrics_dir}
                )
            uvicorn.run(
                "huntaze_ai.main:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                **uvicorn_options(settings),
                # A new worker imports the CLI and the app (pydantic-ai, the Google SDK) before it
                # can answer the supervisor's ping: seconds on a busy host. uvicorn's default 5 s
                # kills it mid-import and starts another, in a loop.
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT_S,
            )
