"""`huntaze-ai smoke-test`: checks a running deployment, one line per check."""

from __future__ import annotations

import typer

from huntaze_ai.cli._common import fail


def register(app: typer.Typer) -> None:
    @app.command("smoke-test")
    def smoke(
        url: str = typer.Option(..., help="Base URL of the deployment, e.g. https://ai.example."),
        token: str = typer.Option(
            ..., envvar="HUNTAZE_SMOKE_TOKEN", help="A creator's API token (`tokens create`)."
        ),
        ai_call: bool = typer.Option(
            False,
            "--ai-call",
            help="Also make one real, metered caption call and check that the quota charged it.",
        ),
        timeout: float = typer.Option(10.0, min=0.1, help="Seconds per request."),
    ) -> None:
        """healthz, readyz, the quota API (and with --ai-call one caption); exit 1 on failure."""
        import httpx  # imported here: every command pays for its own

        from huntaze_ai.ops.smoke import smoke_test

        ok = True
        try:
            for check in smoke_test(url, token, ai_call=ai_call, timeout_s=timeout):
                typer.echo(check.line())
                ok = ok and check.ok
        except httpx.InvalidURL as exc:
            fail(f"invalid --url: {exc}")
        if not ok:
            raise typer.Exit(1)
