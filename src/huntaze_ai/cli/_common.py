"""What every command shares: settings, a database, and one-line errors instead of tracebacks.

Only typer is imported when the CLI starts: every command imports what it needs when it runs
(settings, SQLAlchemy, the app), so `--help` and quick commands do not pay for the web stack,
the model clients or each other (issue 16: half a second per command).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession

    from huntaze_ai.config import Settings
    from huntaze_ai.models import User

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def settings() -> Settings:
    from huntaze_ai.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        fail(str(exc))


def serving_settings() -> Settings:
    """Settings for a command that starts the app: the model per agent and its price are checked
    too, so a bad model setting is one line here rather than a traceback from a worker."""
    from huntaze_ai.config import ConfigError
    from huntaze_ai.llm.models import load_model_plan

    config = settings()
    try:
        load_model_plan(config)
    except ConfigError as exc:
        fail(str(exc))
    return config


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; expected failures become one line on stderr and exit 1."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    from huntaze_ai.kit.errors import HuntazeError

    try:
        return asyncio.run(coro)
    except HuntazeError as exc:
        fail(exc.message)
    except (OperationalError, DBAPIError, OSError) as exc:
        fail(f"database error: {first_line(exc)}")


def first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def existing_database(url: URL) -> URL:
    """`url`, unless it names a SQLite file that is not there: opening it would create an empty
    database where a mistyped DATABASE_URL points, and the command would fail on a missing
    table instead of naming the path."""
    path = url.database if url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        fail(
            f"no SQLite database at {path}: check DATABASE_URL, or create it with "
            "`huntaze-ai db upgrade`"
        )
    return url


@asynccontextmanager
async def session_scope(config: Settings) -> AsyncIterator[AsyncSession]:
    """A session that commits when the block succeeds and rolls back (writing nothing) otherwise."""
    from huntaze_ai.kit.db import Database

    database = Database.from_url(existing_database(config.async_database_url))
    try:
        async with database.sessionmaker() as session, session.begin():
            yield session
    finally:
        await database.dispose()


async def in_session(config: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with session_scope(config) as session:
        return await work(session)


async def user_by_email(session: AsyncSession, email: str) -> User:
    """The account with this email, or the command fails naming it."""
    from huntaze_ai.users import repository

    user = await repository.get_by_email(session, email)
    if user is None:
        fail(f"no user with email {email.strip().lower()}")
    return user


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
