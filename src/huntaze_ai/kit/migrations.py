"""Schema migrations from code: the CLI, /readyz and the tests all go through here.

Reading revisions does not load alembic: the head is read from the migration files' own
`revision` / `down_revision` lines and the database's revision is one SELECT on alembic's
version table. Alembic (its script directory, its runtime, Mako) costs an operator's command a
quarter of a second and is loaded only to migrate (issue 16).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.ext.asyncio import AsyncConnection

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "alembic_version"  # alembic's default, which env.py keeps


def alembic_config(url: URL | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Date-prefixed files sort in the order they were written.
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s")
    if url is not None:
        config.attributes["url"] = url
    return config


@functools.cache
def revisions() -> dict[str, str | None]:
    """Every migration's revision and the revision it follows, from the files' assignments."""
    found: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target, value = _assignment(node)
            if target in ("revision", "down_revision") and value is not None:
                values[target] = ast.literal_eval(value)
        revision, down = values.get("revision"), values.get("down_revision")
        if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
            # A merge (a tuple of parents) or a computed value: alembic must read this tree.
            raise RuntimeError(f"{path.name}: revision and down_revision must be plain strings")
        found[revision] = down
    return found


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id, node.value
    return None, None


def head_revision() -> str | None:
    """The newest revision: the one no other migration follows (None without migrations)."""
    found = revisions()
    heads = set(found) - {down for down in found.values() if down is not None}
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {', '.join(sorted(heads))}")
    return heads.pop() if heads else None


def is_known_revision(revision: str) -> bool:
    return revision in revisions()


def upgrade(url: URL) -> None:
    """Migrate to head; a database already at head is left alone. Runs its own event loop."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


async def current_revision(connection: AsyncConnection) -> str | None:
    """The database's revision; None for an empty database (no version table, or no row)."""
    return await connection.run_sync(_current_revision)


def _current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608 - a constant
    if len(rows) > 1:
        raise RuntimeError(f"the database has several heads: {', '.join(sorted(rows))}")
    return rows[0] if rows else None
