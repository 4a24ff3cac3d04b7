"""drafts: who escalated and when, who resolved and when, and the characters an edit changed

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PEOPLE = ("escalated_by", "resolved_by")


def upgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalated_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("chars_changed", sa.Integer(), nullable=True))
        for column in _PEOPLE:
            batch_op.create_foreign_key(
                op.f(f"fk_drafts_{column}_users"), "users", [column], ["id"], ondelete="SET NULL"
            )
    # What the rows written before can still tell; the rest stays unknown (null) rather than
    # guessed. The guard's and the model filter's escalations went to the queue when stored.
    op.execute("UPDATE drafts SET escalated_at = created_at WHERE guard_verdict = 'escalate'")
    # A hand escalation still waiting: its decision is the escalation.
    op.execute(
        "UPDATE drafts SET escalated_by = decided_by, escalated_at = decided_at "
        "WHERE status = 'escalated' AND escalation_reason IS NOT NULL"
    )
    # A dismissal is the last decision a draft can have.
    op.execute(
        "UPDATE drafts SET resolved_by = decided_by, resolved_at = decided_at "
        "WHERE status = 'dismissed'"
    )
    op.execute("UPDATE drafts SET chars_changed = 0 WHERE status = 'approved' AND NOT edited")


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        for column in _PEOPLE:
            batch_op.drop_constraint(op.f(f"fk_drafts_{column}_users"), type_="foreignkey")
        batch_op.drop_column("chars_changed")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalated_by")
