"""agency teams: agencies, members with a role, their creators, assignments, invitations; and
who asked for each usage row and insight (rows from before were the creator's own)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "agency_creators",
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_creators_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["users.id"],
            name=op.f("fk_agency_creators_creator_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("creator_id", name=op.f("pk_agency_creators")),
        sa.UniqueConstraint(
            "agency_id", "creator_id", name=op.f("uq_agency_creators_agency_id_creator_id")
        ),
    )
    op.create_table(
        "agency_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('owner', 'manager', 'chatter', 'creator')",
            name=op.f("ck_agency_invites_role"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_invites_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_agency_invites_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["users.id"],
            name=op.f("fk_agency_invites_used_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agency_invites_token_hash")),
    )
    with op.batch_alter_table("agency_invites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_invites_agency_id"), ["agency_id"], unique=False
        )

    op.create_table(
        "agency_members",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('owner', 'manager', 'chatter')", name=op.f("ck_agency_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_members_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agency_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agency_members")),
        sa.UniqueConstraint(
            "agency_id", "user_id", name=op.f("uq_agency_members_agency_id_user_id")
        ),
    )
    op.create_table(
        "agency_assignments",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id", "creator_id"],
            ["agency_creators.agency_id", "agency_creators.creator_id"],
            name=op.f("fk_agency_assignments_agency_id_agency_creators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id", "member_id"],
            ["agency_members.agency_id", "agency_members.user_id"],
            name=op.f("fk_agency_assignments_agency_id_agency_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", "creator_id", name=op.f("pk_agency_assignments")),
    )
    with op.batch_alter_table("agency_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agency_assignments_creator_id"), ["creator_id"], unique=False
        )

    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ai_insights_member_id_users"),
            "users",
            ["member_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("usage_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_usage_logs_member_id_users"),
            "users",
            ["member_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Every call so far was made by the creator's own login.
    op.execute("UPDATE usage_logs SET member_id = user_id")
    op.execute("UPDATE ai_insights SET member_id = user_id")


def downgrade() -> None:
    with op.batch_alter_table("usage_logs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_usage_logs_member_id_users"), type_="foreignkey")
        batch_op.drop_column("member_id")

    with op.batch_alter_table("ai_insights", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ai_insights_member_id_users"), type_="foreignkey")
        batch_op.drop_column("member_id")

    with op.batch_alter_table("agency_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_assignments_creator_id"))

    op.drop_table("agency_assignments")
    op.drop_table("agency_members")
    with op.batch_alter_table("agency_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_invites_agency_id"))

    op.drop_table("agency_invites")
    op.drop_table("agency_creators")
    op.drop_table("agencies")
