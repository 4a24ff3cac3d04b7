"""Migration 0011 lets a draft be `superseded` (another draft of its fan message was sent), on
both databases; a downgrade calls such drafts rejected and refuses the status again."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from huntaze_ai.kit import migrations
from tests.migrations.sql import execute

_DRAFT = (
    "INSERT INTO drafts (id, creator_id, member_id, platform, fan_id, fan_message, text, "
    "guard_verdict, reasons, status, edited, offer_sent, created_at) VALUES ({id}, 1, 1, "
    "'onlyfans', 'fan-1', 'hey', 'hi', 'ok', '[]', '{status}', false, false, CURRENT_TIMESTAMP)"
)


def test_a_superseded_draft_is_kept_and_a_downgrade_calls_it_rejected(
    fresh_database_url: URL,
) -> None:
    config = migrations.alembic_config(fresh_database_url)
    command.upgrade(config, "0010")
    user = (
        "INSERT INTO users (id, email, password_hash, ai_plan, created_at) VALUES "
        "(1, 'c@example.com', 'x', 'starter', CURRENT_TIMESTAMP)"
    )
    asyncio.run(execute(fresh_database_url, user, _DRAFT.format(id=1, status="pending")))
    with pytest.raises(IntegrityError):  # the status is new
        asyncio.run(execute(fresh_database_url, _DRAFT.format(id=2, status="superseded")))
    command.upgrade(config, "0011")
    asyncio.run(execute(fresh_database_url, _DRAFT.format(id=2, status="superseded")))
    command.downgrade(config, "0010")
    rows = asyncio.run(execute(fresh_database_url, "SELECT id, status FROM drafts ORDER BY id"))
    assert rows == [(1, "pending"), (2, "rejected")]
    with pytest.raises(IntegrityError):
        asyncio.run(execute(fresh_database_url, _DRAFT.format(id=3, status="superseded")))
    command.upgrade(config, "head")
