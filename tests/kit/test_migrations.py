"""Revisions are read without alembic, and must say exactly what alembic says."""

from __future__ import annotations

import asyncio

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL

from huntaze_ai.kit import migrations
from huntaze_ai.kit.db import Database


def test_revisions_read_from_the_files_are_alembics() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert migrations.head_revision() == script.get_current_head()
    assert migrations.revisions() == {
        rev.revision: rev.down_revision for rev in script.walk_revisions()
    }
    assert migrations.is_known_revision("0001")
    assert not migrations.is_known_revision("9999")


async def test_current_revision_is_none_on_an_empty_database_then_the_head_after_upgrade(
    fresh_database_url: URL,
) -> None:
    database = Database.from_url(fresh_database_url)
    try:
        async with database.engine.connect() as conn:
            assert await migrations.current_revision(conn) is None
        await asyncio.to_thread(migrations.upgrade, fresh_database_url)  # its own event loop
        async with database.engine.connect() as conn:
            assert await migrations.current_revision(conn) == migrations.head_revision()
            # A version table left without its row (an interrupted stamp) reads as empty.
            await conn.execute(text("DELETE FROM alembic_version"))
            assert await migrations.current_revision(conn) is None
    finally:
        await database.dispose()
