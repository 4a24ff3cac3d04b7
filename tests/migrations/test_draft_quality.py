"""Migration 0009 fills in what the drafts written before it can still tell: the guard's
escalations went to the queue when stored, a hand escalation still waiting was its last
decision, a dismissal resolved the escalation, an approval as drafted changed nothing. What
they cannot tell stays unknown."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy.engine import URL

from huntaze_ai.kit import migrations
from tests.migrations.sql import execute

_DRAFT = (
    "INSERT INTO drafts (id, creator_id, member_id, platform, fan_message, text, guard_verdict, "
    "reasons, status, edited, offer_sent, escalation_reason, created_at, decided_by, decided_at) "
    "VALUES ({id}, 1, 2, 'onlyfans', 'hey', 'hi', '{verdict}', '[]', '{status}', {edited}, "
    "false, {reason}, '2026-11-01 10:00:00+00', {by}, {at})"
)
_AT = "'2026-11-01 10:30:00+00'"


def test_drafts_written_before_keep_what_they_can_tell_of_escalations_and_edits(
    fresh_database_url: URL,
) -> None:
    config = migrations.alembic_config(fresh_database_url)
    command.upgrade(config, "0006")
    drafts = [
        # the guard escalated it when stored, then a person dismissed it
        {"id": 1, "verdict": "escalate", "status": "dismissed", "edited": "false",
         "reason": "NULL", "by": 2, "at": _AT},
        # escalated by hand, still waiting
        {"id": 2, "verdict": "ok", "status": "escalated", "edited": "false",
         "reason": "'custom video'", "by": 2, "at": _AT},
        # approved as drafted
        {"id": 3, "verdict": "ok", "status": "approved", "edited": "false",
         "reason": "NULL", "by": 2, "at": _AT},
        # approved after an edit: by how much is not known
        {"id": 4, "verdict": "ok", "status": "approved", "edited": "true",
         "reason": "NULL", "by": 2, "at": _AT},
    ]  # fmt: skip
    asyncio.run(
        execute(
            fresh_database_url,
            "INSERT INTO users (id, email, password_hash, ai_plan, created_at) VALUES "
            "(1, 'c@example.com', 'x', 'starter', CURRENT_TIMESTAMP), "
            "(2, 'm@example.com', 'x', 'starter', CURRENT_TIMESTAMP)",
            *(_DRAFT.format(**d) for d in drafts),
        )
    )
    command.upgrade(config, "0009")
    rows = asyncio.run(
        execute(
            fresh_database_url,
            "SELECT id, escalated_by, escalated_at IS NOT NULL, escalated_at = created_at, "
            "resolved_by, resolved_at = decided_at, chars_changed FROM drafts ORDER BY id",
        )
    )
    assert [tuple(None if v is None else int(v) for v in r) for r in rows] == [
        (1, None, 1, 1, 2, 1, None),
        (2, 2, 1, 0, None, None, None),
        (3, None, 0, None, None, None, 0),
        (4, None, 0, None, None, None, None),
    ]
    command.downgrade(config, "0006")
    command.upgrade(config, "head")
