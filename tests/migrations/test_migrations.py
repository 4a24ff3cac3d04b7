from __future__ import annotations

import re

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from huntaze_ai.kit import migrations
from huntaze_ai.kit.db import Base, Database

EXPECTED_TABLES = {
    "users",
    "api_tokens",
    "oauth_accounts",
    "user_stats",
    "fans",
    "subscriptions",
    "marketing_campaigns",
    "ai_insights",
    "campaign_insights",
    "usage_logs",
    "quota_ledger",
    "quota_reservations",
    "quota_alerts",
    "replayed_responses",
    "compliance_words",
    "compliance_violations",
    "agencies",
    "agency_members",
    "agency_creators",
    "agency_assignments",
    "agency_invites",
    "drafts",
    "fan_days",
    "fan_caps",
    "webhook_events",
    "webhook_attempts",
    "fan_messages",
    "fan_notes",
    "fan_memory",
}


async def test_migrations_create_exactly_what_the_models_declare(database: Database) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert tables - {"alembic_version"} == EXPECTED_TABLES


async def test_database_is_at_head_after_upgrade(database: Database) -> None:
    async with database.engine.connect() as conn:
        assert await migrations.current_revision(conn) == migrations.head_revision()


def test_upgrade_twice_is_a_no_op_and_downgrade_round_trips(fresh_database_url: URL) -> None:
    migrations.upgrade(fresh_database_url)
    migrations.upgrade(fresh_database_url)
    config = migrations.alembic_config(fresh_database_url)
    command.downgrade(config, "base")
    migrations.upgrade(fresh_database_url)


def test_migration_files_are_date_prefixed() -> None:
    names = [p.name for p in (migrations.MIGRATIONS_DIR / "versions").glob("*.py")]
    assert names
    for name in names:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\w+\.py", name), name
