"""Schema migrations from code: the CLI, /readyz and the tests all go through here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic.config import Config

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncConnection

# alembic's command and runtime modules load on use: `db status` and /readyz only read revisions,
# and importing the migration runtime costs an operator's command a quarter of a second.

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: URL | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Date-prefixed files sort in the order they were written.
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s")
    if url is not None:
        config.attributes["url"] = url
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(url: URL) -> None:
    """Migrate to head; a database already at head is left alone. Runs its own event loop."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


async def current_revision(connection: AsyncConnection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return await connection.run_sync(
        lambda sync: MigrationContext.configure(sync).get_current_revision()
    )
