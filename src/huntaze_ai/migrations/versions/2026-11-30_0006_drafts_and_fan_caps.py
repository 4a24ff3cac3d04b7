"""drafts: every fan-reply draft and its decisions; per-fan daily counters and caps

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("fan_id", sa.String(length=255), nullable=True),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("fan_message", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("guard_verdict", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("upsell", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("final_text", sa.Text(), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("offer_sent", sa.Boolean(), nullable=False),
        sa.Column("escalation_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'escalated', 'dismissed')",
            name=op.f("ck_drafts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_drafts_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_drafts_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_drafts_member_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index("ix_drafts_creator_id_fan_id", ["creator_id", "fan_id"], unique=False)
        batch_op.create_index(
            "ix_drafts_creator_id_status_created_at",
            ["creator_id", "status", "created_at"],
            unique=False,
        )

    op.create_table(
        "fan_caps",
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("dms_per_day", sa.Integer(), nullable=False),
        sa.Column("ppvs_per_day", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("dms_per_day >= 0 AND ppvs_per_day >= 0", name=op.f("ck_fan_caps_caps")),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_fan_caps_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("creator_id", name=op.f("pk_fan_caps")),
    )
    op.create_table(
        "fan_days",
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("fan_id", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dms", sa.Integer(), nullable=False),
        sa.Column("ppvs", sa.Integer(), nullable=False),
        sa.CheckConstraint("dms >= 0 AND ppvs >= 0", name=op.f("ck_fan_days_counts_non_negative")),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_fan_days_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("creator_id", "fan_id", "day", name=op.f("pk_fan_days")),
    )


def downgrade() -> None:
    op.drop_table("fan_days")
    op.drop_table("fan_caps")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_drafts_creator_id_status_created_at")
        batch_op.drop_index("ix_drafts_creator_id_fan_id")

    op.drop_table("drafts")
