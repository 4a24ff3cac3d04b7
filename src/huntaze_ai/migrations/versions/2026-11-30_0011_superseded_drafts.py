"""drafts: `superseded`, a pending draft whose fan message was answered with another draft

Regenerating a reply stores another draft of the same fan message; approving one now closes the
others, so the fan is not answered twice. A downgrade calls them rejected.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "'pending', 'approved', 'rejected', 'escalated', 'dismissed'"


def _statuses(names: str) -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_drafts_status"), type_="check")
        batch_op.create_check_constraint("status", f"status IN ({names})")


def upgrade() -> None:
    _statuses(f"{_BEFORE}, 'superseded'")


def downgrade() -> None:
    op.execute("UPDATE drafts SET status = 'rejected' WHERE status = 'superseded'")
    _statuses(_BEFORE)
