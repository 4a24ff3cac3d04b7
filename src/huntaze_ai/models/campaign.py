from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime

INSIGHT_TYPES = (
    "churn_alert",
    "revenue_trend",
    "engagement_drop",
    "growth_opportunity",
    "content_performance",
    "fan_behavior",
)


class MarketingCampaign(Base):
    __tablename__ = "marketing_campaigns"
    __table_args__ = (Index("ix_marketing_campaigns_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AIInsight(Base):
    __tablename__ = "ai_insights"
    __table_args__ = (
        CheckConstraint(
            "type IN (" + ", ".join(f"'{t}'" for t in INSIGHT_TYPES) + ")", name="type"
        ),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        Index("ix_ai_insights_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who asked for the refresh (an agency member, or the creator themself).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CampaignInsight(Base):
    """The link table replaces the origin's read-modify-write of a JSON array: a link is a row, the
    primary key makes linking twice a no-op and concurrent links cannot overwrite each other."""

    __tablename__ = "campaign_insights"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    insight_id: Mapped[int] = mapped_column(
        ForeignKey("ai_insights.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
