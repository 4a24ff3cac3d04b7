"""fan memory: each fan's conversation, notes and proposed notes, the automatic notes' caps

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fan_memory",
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("fan_id", sa.String(length=255), nullable=False),
        sa.Column("auto_notes", sa.Integer(), nullable=False),
        sa.Column("auto_day", sa.Date(), nullable=True),
        sa.Column("auto_day_notes", sa.Integer(), nullable=False),
        sa.Column("awaiting_key", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "auto_notes >= 0 AND auto_day_notes >= 0",
            name=op.f("ck_fan_memory_counts_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_fan_memory_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("creator_id", "fan_id", name=op.f("pk_fan_memory")),
    )
    op.create_table(
        "fan_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("fan_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("draft_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("sender IN ('fan', 'creator')", name=op.f("ck_fan_messages_sender")),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_fan_messages_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_fan_messages_draft_id_drafts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["users.id"],
            name=op.f("fk_fan_messages_member_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fan_messages")),
    )
    with op.batch_alter_table("fan_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fan_messages_creator_id_fan_id_id", ["creator_id", "fan_id", "id"], unique=False
        )

    op.create_table(
        "fan_notes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("fan_id", sa.String(length=255), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("text_key", sa.String(length=600), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("draft_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "category IN ('preferences', 'interests', 'personal', 'purchase_behavior', 'communication_style', 'emotional_state', 'important')",
            name=op.f("ck_fan_notes_category"),
        ),
        sa.CheckConstraint(
            "status IN ('saved', 'proposed', 'dismissed')", name=op.f("ck_fan_notes_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_fan_notes_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_fan_notes_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_fan_notes_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
            name=op.f("fk_fan_notes_draft_id_drafts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_fan_notes_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fan_notes")),
        sa.UniqueConstraint(
            "creator_id", "fan_id", "text_key", name=op.f("uq_fan_notes_creator_id_fan_id_text_key")
        ),
    )
    with op.batch_alter_table("fan_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fan_notes_creator_id_fan_id_status",
            ["creator_id", "fan_id", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("fan_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_fan_notes_creator_id_fan_id_status")

    op.drop_table("fan_notes")
    with op.batch_alter_table("fan_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_fan_messages_creator_id_fan_id_id")

    op.drop_table("fan_messages")
    op.drop_table("fan_memory")
