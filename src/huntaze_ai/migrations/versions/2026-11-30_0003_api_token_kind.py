"""api token kind: `api` (a bearer token) or `session` (the pages' cookie), never both

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="api", nullable=False)
        )
        batch_op.create_check_constraint("kind", "kind IN ('api', 'session')")
    # Until now a browser session was a token like any other, told apart only by this name
    # (auth.service.BROWSER_SESSION_NAME): existing sessions become sessions.
    op.execute("UPDATE api_tokens SET kind = 'session' WHERE name = 'browser session'")


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.drop_column("kind")
