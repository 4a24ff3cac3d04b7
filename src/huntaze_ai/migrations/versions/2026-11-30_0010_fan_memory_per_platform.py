"""fan memory and caps per platform: the same fan id on two platforms is two people

The conversation, the notes, the automatic notes' counters and the daily caps were keyed by
(creator, fan id) while `fans` is unique per (creator, platform, fan id): two fans who share an
id on two platforms shared one memory, and one's notes reached the other's drafts. A downgrade
keeps one platform's row where the old keys would collide; drafts put right stay so.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

# The SQL below is built from this module's own table names, never from input.
# ruff: noqa: S608

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Before this revision a reply that named no platform was stored as OnlyFans, whichever platform
# the creator's fan with that id was on (its context came from that fan): such a draft is put
# right when the creator has the id on one platform only. With the id on several, which one it
# was is not known; it stays.
_DRAFTS_TO_THEIR_FAN = (
    "UPDATE drafts SET platform = (SELECT f.platform FROM fans f "
    "WHERE f.user_id = drafts.creator_id AND f.external_id = drafts.fan_id) "
    "WHERE drafts.platform = 'onlyfans' AND drafts.fan_id IS NOT NULL "
    "AND (SELECT COUNT(*) FROM fans f "
    "WHERE f.user_id = drafts.creator_id AND f.external_id = drafts.fan_id) = 1"
)


def _own_draft(table: str) -> str:
    return f"(SELECT d.platform FROM drafts d WHERE d.id = {table}.draft_id)"


def _newest_draft(table: str) -> str:
    return (
        f"(SELECT d.platform FROM drafts d WHERE d.creator_id = {table}.creator_id "
        f"AND d.fan_id = {table}.fan_id ORDER BY d.id DESC LIMIT 1)"
    )


def _active_fan(table: str) -> str:
    """The creator's fan with the id that a fan id without a platform meant (as
    `creator_data.repository.fan` picks it: the most recently active)."""
    return (
        f"(SELECT f.platform FROM fans f WHERE f.user_id = {table}.creator_id "
        f"AND f.external_id = {table}.fan_id "
        "ORDER BY COALESCE(f.last_active_at, f.first_seen_at) DESC, f.id LIMIT 1)"
    )


# What each table's rows written before were most likely about, best guess first, else the
# replies' default. A message came with a draft (exact); a note with its draft, else a person
# wrote it on the fan's page, which showed the most recently active fan with the id; the
# counters follow the replies, the newest first. Exact for a fan on one platform.
_GUESSES = {
    "fan_messages": (_own_draft, _newest_draft, _active_fan),
    "fan_notes": (_own_draft, _active_fan, _newest_draft),
    "fan_memory": (_newest_draft, _active_fan),
    "fan_days": (_newest_draft, _active_fan),
}


def _backfill(table: str) -> str:
    guesses = ", ".join(guess(table) for guess in _GUESSES[table])
    return f"UPDATE {table} SET platform = COALESCE({guesses}, 'onlyfans')"


def upgrade() -> None:
    # The backfill and the code after it look fans up by id without a platform.
    with op.batch_alter_table("fans", schema=None) as batch_op:
        batch_op.create_index("ix_fans_user_id_external_id", ["user_id", "external_id"])
    op.execute(_DRAFTS_TO_THEIR_FAN)
    for table in _GUESSES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("platform", sa.String(length=32), nullable=True))
        op.execute(_backfill(table))

    with op.batch_alter_table("fan_messages", schema=None) as batch_op:
        batch_op.alter_column("platform", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_index("ix_fan_messages_creator_id_fan_id_id")
        batch_op.create_index(
            "ix_fan_messages_creator_id_platform_fan_id_id",
            ["creator_id", "platform", "fan_id", "id"],
            unique=False,
        )
    with op.batch_alter_table("fan_notes", schema=None) as batch_op:
        batch_op.alter_column("platform", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_index("ix_fan_notes_creator_id_fan_id_status")
        batch_op.drop_constraint("uq_fan_notes_creator_id_fan_id_text_key", type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_fan_notes_creator_id_platform_fan_id_text_key"),
            ["creator_id", "platform", "fan_id", "text_key"],
        )
        batch_op.create_index(
            "ix_fan_notes_creator_id_platform_fan_id_status",
            ["creator_id", "platform", "fan_id", "status"],
            unique=False,
        )
    for table, key in (
        ("fan_memory", ["creator_id", "platform", "fan_id"]),
        ("fan_days", ["creator_id", "platform", "fan_id", "day"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("platform", existing_type=sa.String(length=32), nullable=False)
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", key)


def _drop_second_platforms(table: str, key: str) -> str:
    """Before the old keys come back: of a fan id's rows on several platforms, one stays."""
    return (
        f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM {table} o "
        f"WHERE o.creator_id = {table}.creator_id AND o.fan_id = {table}.fan_id{key} "
        f"AND o.platform < {table}.platform)"
    )


def downgrade() -> None:
    op.execute(_drop_second_platforms("fan_memory", ""))
    op.execute(_drop_second_platforms("fan_days", " AND o.day = fan_days.day"))
    op.execute(_drop_second_platforms("fan_notes", " AND o.text_key = fan_notes.text_key"))
    for table, key in (
        ("fan_memory", ["creator_id", "fan_id"]),
        ("fan_days", ["creator_id", "fan_id", "day"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", key)
            batch_op.drop_column("platform")
    with op.batch_alter_table("fan_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_fan_notes_creator_id_platform_fan_id_status")
        batch_op.drop_constraint("uq_fan_notes_creator_id_platform_fan_id_text_key", type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_fan_notes_creator_id_fan_id_text_key"), ["creator_id", "fan_id", "text_key"]
        )
        batch_op.create_index(
            "ix_fan_notes_creator_id_fan_id_status", ["creator_id", "fan_id", "status"]
        )
        batch_op.drop_column("platform")
    with op.batch_alter_table("fan_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_fan_messages_creator_id_platform_fan_id_id")
        batch_op.create_index(
            "ix_fan_messages_creator_id_fan_id_id", ["creator_id", "fan_id", "id"], unique=False
        )
        batch_op.drop_column("platform")
    with op.batch_alter_table("fans", schema=None) as batch_op:
        batch_op.drop_index("ix_fans_user_id_external_id")
