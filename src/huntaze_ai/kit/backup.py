"""Backup and restore of the whole database (DESIGN §2.6), used by `huntaze-ai db backup|restore`.

PostgreSQL goes through `pg_dump --format=custom` and `pg_restore`, connected through PG*
environment variables so the password never appears on a command line. SQLite goes through the
online backup API, which copies a live database page by page without stopping its writers.

Both functions block and run their own event loop for the few queries they make (like
`migrations.upgrade`): from async code, call them in a thread. Every expected failure is a
`BackupError` whose message is one readable line.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, inspect, literal, select, table
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import HuntazeError
from huntaze_ai.kit.migrations import current_revision

Progress = Callable[[int, int | None], None]
"""Called as a run advances with (done, total): SQLite pages, or PostgreSQL objects (total None)."""

PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_PAGES_PER_STEP = 256
_LIBPQ_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


class BackupError(HuntazeError):
    code = "backup_failed"
    default_message = "Backup or restore failed"


def backup_database(
    url: URL, path: str | Path, progress: Progress | None = None, *, force: bool = False
) -> None:
    """Write a backup of the database at `url` to `path`; an existing file only with `force`."""
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a directory")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise BackupError(f"directory {path.parent} does not exist")
    # Write beside the target and rename at the end, so a failed run never leaves a file that
    # looks like a backup. mkstemp's 0600 also suits a file holding password hashes.
    fd, partial_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    partial = Path(partial_name)
    try:
        if _is_sqlite(url):
            _sqlite_copy(_sqlite_path(url, must_exist=True, other=path), partial, progress)
            with closing(sqlite3.connect(partial)) as conn:
                # The copy inherits the live database's WAL mode; a backup should be one file.
                conn.execute("PRAGMA journal_mode=DELETE")
        else:
            _pg_tool("pg_dump", ["--format=custom", f"--file={partial}"], url, progress)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore_database(
    url: URL, path: str | Path, force: bool = False, progress: Progress | None = None
) -> str | None:
    """Replace the database at `url` with the backup at `path`; returns its schema revision.

    The backup is checked before the target is touched, and a target holding any row is refused
    unless `force`.
    """
    path = Path(path)
    kind = _sniff(path)
    if _is_sqlite(url):
        if kind != "sqlite":
            raise BackupError(f"{path} is a PostgreSQL dump, but the database is SQLite")
        _check_sqlite_backup(path)
    else:
        if kind != "postgresql":
            raise BackupError(f"{path} is a SQLite database, but the database is PostgreSQL")
        _check_pg_backup(path)

    populated = _inspect(url).populated_table
    if populated is not None and not force:
        raise BackupError(
            f"the database is not empty (table {populated} has rows); pass --force to replace it"
        )
    if _is_sqlite(url):
        _sqlite_copy(path, _sqlite_path(url, must_exist=False, other=path), progress)
    else:
        # --single-transaction: a failure leaves the target as it was. --clean --if-exists: drop
        # what the dump recreates, where present. --no-owner --no-privileges: objects belong to
        # whoever restores, since the original roles need not exist on this server.
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
        options += ["--single-transaction", "--exit-on-error", f"--dbname={_pg_database(url)}"]
        _pg_tool("pg_restore", [*options, str(path)], url, progress)
    return _inspect(url).revision


def _sniff(path: Path) -> str:
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"backup file {path} does not exist") from None
    except OSError as exc:
        raise BackupError(f"cannot read backup file {path}: {exc.strerror}") from None
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(
        f"{path} is not a backup: neither a pg_dump custom-format dump nor a SQLite database"
    )


# --- target state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    populated_table: str | None
    revision: str | None


def _inspect(url: URL) -> _State:
    return asyncio.run(_inspect_async(url))


async def _inspect_async(url: URL) -> _State:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as conn:
            populated = await conn.run_sync(_first_populated_table)
            return _State(populated, await current_revision(conn))
    except (SQLAlchemyError, OSError) as exc:
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        shown = url.render_as_string(hide_password=True)
        raise BackupError(f"cannot read the database {shown}: {first}") from None
    finally:
        await database.dispose()


def _first_populated_table(conn: Connection) -> str | None:
    for name in sorted(inspect(conn).get_table_names()):
        if name == "alembic_version":
            continue  # a migrated but empty database is a fine restore target
        if conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first():
            return name
    return None


# --- SQLite ----------------------------------------------------------------------------------


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL, *, must_exist: bool, other: Path) -> Path:
    """The database file; `other`, the backup file, must not be that very file."""
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"database file {path} does not exist")
    if path.resolve() == other.resolve():
        raise BackupError(f"{other} is the database file itself")
    return path


def _open_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)


def _check_sqlite_backup(path: Path) -> None:
    try:
        with closing(_open_readonly(path)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
            ours = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    if problems != ["ok"]:
        raise BackupError(f"{path} is a damaged SQLite database: {problems[0]}")
    if ours is None:
        raise BackupError(f"{path} is a SQLite database, but not one of Huntaze AI")


def _sqlite_copy(source: Path, target: Path, progress: Progress | None) -> None:
    def report(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    try:
        with (
            closing(_open_readonly(source)) as src,
            closing(sqlite3.connect(target, timeout=30, isolation_level=None)) as dst,
        ):
            # One read transaction around the whole copy: every page comes from one snapshot,
            # and writes to a live database cannot restart the copy at each step (under steady
            # writes it would never finish).
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            src.backup(dst, pages=_SQLITE_PAGES_PER_STEP, progress=report)
            src.execute("COMMIT")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite copy from {source} to {target} failed: {exc}") from None


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_database(url: URL) -> str:
    if not url.database:
        raise BackupError("DATABASE_URL names no database")
    return url.database


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    given = {
        "PGHOST": url.host,
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": _pg_database(url),
    }
    env.update({name: str(value) for name, value in given.items() if value is not None})
    sslmode = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(sslmode, str) and sslmode in _LIBPQ_SSLMODES:
        env["PGSSLMODE"] = sslmode
    env.setdefault("PGCONNECT_TIMEOUT", "10")  # an unreachable host fails instead of hanging
    env["LC_MESSAGES"] = "C"  # so "error:" lines can be found
    return env


def _pg_executable(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} not found on PATH; install the PostgreSQL client tools")
    return found


def _pg_tool(tool: str, args: list[str], url: URL, progress: Progress | None) -> None:
    """Run pg_dump or pg_restore; with `progress`, count the objects its --verbose names."""
    argv = [_pg_executable(tool), *args, "--no-password"]
    if progress is not None:
        argv.append("--verbose")
    lines: list[str] = []
    with subprocess.Popen(  # noqa: S603 - fixed argv, no shell; the password is in the env
        argv,
        env=_pg_env(url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.strip())
            if progress is not None:
                progress(len(lines), None)
    if proc.returncode != 0:
        raise BackupError(f"{tool} failed: {_first_error(tool, lines, proc.returncode)}")


def _first_error(tool: str, lines: list[str], returncode: int) -> str:
    errors = [line for line in lines if line.startswith(f"{tool}: error:")]
    chosen = errors[0] if errors else next((ln for ln in reversed(lines) if ln), "")
    if chosen:
        return chosen.removeprefix(f"{tool}: ").removeprefix("error: ")
    return f"killed by signal {-returncode}" if returncode < 0 else f"exit status {returncode}"


def _check_pg_backup(path: Path) -> None:
    listed = subprocess.run(  # noqa: S603 - fixed argv, no shell, no connection
        [_pg_executable("pg_restore"), "--list", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        env={**os.environ, "LC_MESSAGES": "C"},
    )
    if listed.returncode != 0:
        reason = _first_error("pg_restore", listed.stderr.splitlines(), listed.returncode)
        raise BackupError(f"{path} is not a readable pg_dump archive: {reason}")
    if not re.search(r"^\d+; \d+ \d+ TABLE \S+ alembic_version ", listed.stdout, re.MULTILINE):
        raise BackupError(f"{path} is a PostgreSQL dump, but not one of Huntaze AI")
