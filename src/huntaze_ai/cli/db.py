"""`huntaze-ai db …`: schema migrations (backup and restore come with the operations issue)."""

from __future__ import annotations

import typer
from sqlalchemy.engine import URL

from huntaze_ai.cli._common import fail, run, settings
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.migrations import current_revision, head_revision, upgrade

app = typer.Typer(help="Schema and data.", no_args_is_help=True)


async def _current(url: URL) -> str | None:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as conn:
            return await current_revision(conn)
    finally:
        await database.dispose()


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Migrate the database to the newest schema (a no-op when already there)."""
    url = settings().async_database_url
    before = run(_current(url))
    head = head_revision()
    if before == head:
        typer.echo(f"Already at head ({head}); nothing to do.")
        return
    try:
        upgrade(url)
    except Exception as exc:
        fail(f"migration failed: {exc}")
    typer.echo(f"Upgraded {before or 'empty database'} -> {head}.")


@app.command("status")
def status_cmd() -> None:
    """Show the current and newest schema revision; exit 1 when the database is behind."""
    url = settings().async_database_url
    current = run(_current(url))
    head = head_revision()
    typer.echo(f"database: {url.render_as_string(hide_password=True)}")
    typer.echo(f"current:  {current or '(empty)'}")
    typer.echo(f"head:     {head}")
    if current != head:
        typer.echo("status:   behind; run `huntaze-ai db upgrade`")
        raise typer.Exit(1)
    typer.echo("status:   at head")
