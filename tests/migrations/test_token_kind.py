"""Migration 0003 gives every token a kind: the browser sessions written before it (told apart
only by their name) become sessions, everything else stays an API token."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy.engine import URL

from huntaze_ai.kit import migrations
from tests.migrations.sql import execute


def test_existing_browser_sessions_become_sessions_and_other_tokens_api_tokens(
    fresh_database_url: URL,
) -> None:
    config = migrations.alembic_config(fresh_database_url)
    command.upgrade(config, "0002")
    asyncio.run(
        execute(
            fresh_database_url,
            "INSERT INTO users (id, email, password_hash, ai_plan, created_at) "
            "VALUES (1, 'a@example.com', 'x', 'starter', CURRENT_TIMESTAMP)",
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES "
            "(1, 'browser session', 'h1', 'hzai_1', CURRENT_TIMESTAMP), "
            "(1, 'login', 'h2', 'hzai_2', CURRENT_TIMESTAMP), "
            "(1, 'cli', 'h3', 'hzai_3', CURRENT_TIMESTAMP)",
        )
    )
    command.upgrade(config, "0003")
    rows = asyncio.run(
        execute(fresh_database_url, "SELECT token_hash, kind FROM api_tokens ORDER BY token_hash")
    )
    assert rows == [("h1", "session"), ("h2", "api"), ("h3", "api")]
    command.downgrade(config, "0002")
    command.upgrade(config, "head")
