"""`huntaze-ai serve`: the web app and API under uvicorn."""

from __future__ import annotations

import typer
import uvicorn

from huntaze_ai.cli._common import settings


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to bind."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
    ) -> None:
        """Serve the web app and the REST API."""
        settings()  # fail fast, in one line, on a bad configuration
        uvicorn.run(
            "huntaze_ai.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            log_level="info",
        )
