"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column("persona", sa.Text(), nullable=True),
        sa.Column("ai_plan", sa.String(length=16), server_default="starter", nullable=False),
        sa.Column("subscription_tier", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ai_plan IN ('starter', 'pro', 'business')", name=op.f("ck_users_ai_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "ai_insights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type IN ('churn_alert', 'revenue_trend', 'engagement_drop', 'growth_opportunity', 'content_performance', 'fan_behavior')",
            name=op.f("ck_ai_insights_type"),
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name=op.f("ck_ai_insights_confidence")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ai_insights_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_insights")),
    )
    op.create_index(
        "ix_ai_insights_user_id_created_at", "ai_insights", ["user_id", "created_at"], unique=False
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)

    op.create_table(
        "fans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("total_spent_micros", sa.BigInteger(), nullable=False),
        sa.Column("tips_micros", sa.BigInteger(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "platform IN ('onlyfans', 'fansly', 'instagram', 'tiktok', 'x')",
            name=op.f("ck_fans_platform"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_fans_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fans")),
        sa.UniqueConstraint(
            "user_id", "platform", "external_id", name=op.f("uq_fans_user_id_platform_external_id")
        ),
    )
    op.create_index(op.f("ix_fans_user_id"), "fans", ["user_id"], unique=False)

    op.create_table(
        "marketing_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_marketing_campaigns_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_campaigns")),
    )
    op.create_index(
        "ix_marketing_campaigns_user_id_created_at",
        "marketing_campaigns",
        ["user_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "oauth_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("provider_account_id", sa.String(length=255), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("access_token_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oauth_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_accounts")),
        sa.UniqueConstraint(
            "user_id",
            "provider",
            "provider_account_id",
            name=op.f("uq_oauth_accounts_user_id_provider_provider_account_id"),
        ),
    )
    op.create_index(op.f("ix_oauth_accounts_user_id"), "oauth_accounts", ["user_id"], unique=False)

    op.create_table(
        "quota_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("threshold_percent", sa.Integer(), nullable=False),
        sa.Column("spent_micros", sa.BigInteger(), nullable=False),
        sa.Column("limit_micros", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "threshold_percent IN (80, 95)", name=op.f("ck_quota_alerts_threshold_percent")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quota_alerts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_alerts")),
        sa.UniqueConstraint(
            "user_id",
            "period",
            "threshold_percent",
            name=op.f("uq_quota_alerts_user_id_period_threshold_percent"),
        ),
    )
    op.create_table(
        "quota_ledger",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("spent_micros", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reserved_micros", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reserved_micros >= 0", name=op.f("ck_quota_ledger_reserved_non_negative")
        ),
        sa.CheckConstraint("spent_micros >= 0", name=op.f("ck_quota_ledger_spent_non_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quota_ledger_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "period", name=op.f("pk_quota_ledger")),
    )
    op.create_table(
        "quota_reservations",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "amount_micros >= 0", name=op.f("ck_quota_reservations_amount_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quota_reservations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_quota_reservations")),
    )
    op.create_index(
        "ix_quota_reservations_expires_at", "quota_reservations", ["expires_at"], unique=False
    )
    op.create_index(
        "ix_quota_reservations_settled_at", "quota_reservations", ["settled_at"], unique=False
    )
    op.create_index(
        "ix_quota_reservations_user_id_period",
        "quota_reservations",
        ["user_id", "period"],
        unique=False,
    )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fan_id", sa.String(length=255), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "platform IN ('onlyfans', 'fansly', 'instagram', 'tiktok', 'x')",
            name=op.f("ck_subscriptions_platform"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'expired', 'cancelled')", name=op.f("ck_subscriptions_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(
        "ix_subscriptions_user_id_status", "subscriptions", ["user_id", "status"], unique=False
    )

    op.create_table(
        "usage_logs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("feature", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("cached_input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("cost_micros >= 0", name=op.f("ck_usage_logs_cost_non_negative")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_usage_logs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_logs")),
        sa.UniqueConstraint("request_id", name=op.f("uq_usage_logs_request_id")),
    )
    op.create_index(
        "ix_usage_logs_user_id_created_at", "usage_logs", ["user_id", "created_at"], unique=False
    )

    op.create_table(
        "user_stats",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("messages_sent", sa.Integer(), nullable=False),
        sa.Column("messages_trend", sa.Float(), nullable=False),
        sa.Column("response_rate", sa.Float(), nullable=False),
        sa.Column("revenue_micros", sa.BigInteger(), nullable=False),
        sa.Column("revenue_trend", sa.Float(), nullable=False),
        sa.Column("active_chats", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_stats_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_stats")),
    )
    op.create_table(
        "campaign_insights",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaigns.id"],
            name=op.f("fk_campaign_insights_campaign_id_marketing_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["insight_id"],
            ["ai_insights.id"],
            name=op.f("fk_campaign_insights_insight_id_ai_insights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "insight_id", name=op.f("pk_campaign_insights")),
    )
    op.create_index(
        op.f("ix_campaign_insights_insight_id"), "campaign_insights", ["insight_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_insights_insight_id"), table_name="campaign_insights")

    op.drop_table("campaign_insights")
    op.drop_table("user_stats")
    op.drop_index("ix_usage_logs_user_id_created_at", table_name="usage_logs")

    op.drop_table("usage_logs")
    op.drop_index("ix_subscriptions_user_id_status", table_name="subscriptions")

    op.drop_table("subscriptions")
    op.drop_index("ix_quota_reservations_user_id_period", table_name="quota_reservations")
    op.drop_index("ix_quota_reservations_settled_at", table_name="quota_reservations")
    op.drop_index("ix_quota_reservations_expires_at", table_name="quota_reservations")

    op.drop_table("quota_reservations")
    op.drop_table("quota_ledger")
    op.drop_table("quota_alerts")
    op.drop_index(op.f("ix_oauth_accounts_user_id"), table_name="oauth_accounts")

    op.drop_table("oauth_accounts")
    op.drop_index("ix_marketing_campaigns_user_id_created_at", table_name="marketing_campaigns")

    op.drop_table("marketing_campaigns")
    op.drop_index(op.f("ix_fans_user_id"), table_name="fans")

    op.drop_table("fans")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")

    op.drop_table("api_tokens")
    op.drop_index("ix_ai_insights_user_id_created_at", table_name="ai_insights")

    op.drop_table("ai_insights")
    op.drop_table("users")
