"""`huntaze-ai db …`: schema migrations, backup and restore."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli._common import existing_database, fail, first_line, run, settings

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from huntaze_ai.kit.backup import Progress

app = typer.Typer(help="Schema and data.", no_args_is_help=True)


async def _current(url: URL) -> str | None:
    from huntaze_ai.kit.db import Database
    from huntaze_ai.kit.migrations import current_revision

    database = Database.from_url(url)
    try:
        async with database.engine.connect() as conn:
            return await current_revision(conn)
    finally:
        await database.dispose()


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Migrate the database to the newest schema (a no-op when already there)."""
    from huntaze_ai.kit.migrations import head_revision, upgrade

    url = settings().async_database_url
    before = run(_current(url))
    head = head_revision()
    if before == head:
        typer.echo(f"Already at head ({head}); nothing to do.")
        return
    try:
        upgrade(url)
    except Exception as exc:
        fail(f"migration failed: {first_line(exc)}")
    typer.echo(f"Upgraded {before or 'empty database'} -> {head}.")


@app.command("status")
def status_cmd() -> None:
    """Show the current and newest schema revision; exit 1 when the database is behind or
    holds a revision this version does not know."""
    from huntaze_ai.kit.migrations import head_revision, is_known_revision

    url = existing_database(settings().async_database_url)
    current = run(_current(url))
    head = head_revision()
    typer.echo(f"database: {url.render_as_string(hide_password=True)}")
    typer.echo(f"current:  {current or '(empty)'}")
    typer.echo(f"head:     {head}")
    if current is not None and not is_known_revision(current):
        typer.echo(f"status:   {current} is unknown to this version (written by a newer one?)")
        raise typer.Exit(1)
    if current != head:
        typer.echo("status:   behind; run `huntaze-ai db upgrade`")
        raise typer.Exit(1)
    typer.echo("status:   at head")


@app.command("backup")
def backup_cmd(
    file: Path = typer.Argument(..., help="Where to write the backup.", show_default=False),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Back up the database to FILE (a pg_dump custom-format archive, or a SQLite file)."""
    from rich.filesize import decimal as human_size

    from huntaze_ai.kit.backup import BackupError, backup_database

    url = settings().async_database_url
    try:
        with _progress("Backing up", url) as progress:
            backup_database(url, file, progress, force=force)
    except BackupError as exc:
        fail(exc.message)
    size = human_size(file.stat().st_size)
    typer.echo(f"Backed up {url.render_as_string(hide_password=True)} to {file} ({size}).")


@app.command("restore")
def restore_cmd(
    file: Path = typer.Argument(..., help="A file written by `db backup`.", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace a database that holds data."),
) -> None:
    """Replace the database with the backup in FILE; refuses a database holding data."""
    from huntaze_ai.kit.backup import BackupError, restore_database
    from huntaze_ai.kit.migrations import head_revision, is_known_revision

    url = settings().async_database_url
    try:
        with _progress("Restoring", url) as progress:
            revision = restore_database(url, file, force=force, progress=progress)
    except BackupError as exc:
        fail(exc.message)
    typer.echo(f"Restored {file} into {url.render_as_string(hide_password=True)}.")
    typer.echo(f"schema revision: {revision or '(none)'}")
    head = head_revision()
    if revision == head:
        return
    if revision is not None and not is_known_revision(revision):
        warning = f"revision {revision} is unknown to this version (a backup from a newer one?)"
    else:
        warning = f"the database is behind head ({head}); run `huntaze-ai db upgrade`"
    typer.secho(f"warning: {warning}", err=True, fg=typer.colors.YELLOW)


@contextmanager
def _progress(description: str, url: URL) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; nothing (and no callback) otherwise."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as ProgressBar

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    unit = "pages" if url.get_backend_name() == "sqlite" else "objects"
    with ProgressBar(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
