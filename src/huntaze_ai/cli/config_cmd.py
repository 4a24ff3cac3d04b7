"""`huntaze-ai config verify`: configuration and live dependency checks, one line each."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from huntaze_ai.ops import Check

app = typer.Typer(help="Configuration checks.", no_args_is_help=True)


@app.command("verify")
def verify_cmd(
    production: bool = typer.Option(
        False,
        "--production",
        help="Judge as production: real SECRET_KEY, PostgreSQL, Redis and a Gemini key required.",
    ),
) -> None:
    """Check every variable and reach the database, Redis and Gemini; exit 1 on any failure."""
    from huntaze_ai.ops.verify import verify  # imported here: every command pays for its own

    checks = asyncio.run(verify(production=production))
    report(checks)


def report(checks: list[Check]) -> None:
    """Print one line per check; exit 1 when any failed."""
    for check in checks:
        typer.echo(check.line())
    if not all(check.ok for check in checks):
        raise typer.Exit(1)
