"""Data the rest of Huntaze already holds about a creator (DESIGN §2.2), read by the agents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime

PLATFORMS = ("onlyfans", "fansly", "instagram", "tiktok", "x")
_PLATFORM_CHECK = "platform IN ('onlyfans', 'fansly', 'instagram', 'tiktok', 'x')"


class OAuthAccount(Base):
    """A connected platform. The platform's access token is only ever stored encrypted."""

    __tablename__ = "oauth_accounts"
    __table_args__ = (UniqueConstraint("user_id", "provider", "provider_account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    provider_account_id: Mapped[str] = mapped_column(String(255))
    # `metadata` is reserved by SQLAlchemy's declarative base, hence the attribute name.
    account_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    access_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserStats(Base):
    __tablename__ = "user_stats"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    messages_sent: Mapped[int] = mapped_column(Integer, default=0)
    # Trends are percentage changes over the previous period; rates are fractions in [0, 1].
    messages_trend: Mapped[float] = mapped_column(Float, default=0.0)
    response_rate: Mapped[float] = mapped_column(Float, default=0.0)
    revenue_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue_trend: Mapped[float] = mapped_column(Float, default=0.0)
    active_chats: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Fan(Base):
    """A fan of a creator on one platform, with what segmentation needs (spend, tips, activity)."""

    __tablename__ = "fans"
    __table_args__ = (
        UniqueConstraint("user_id", "platform", "external_id"),
        # A fan id without its platform (a reply or a page that names none, the other fans
        # with the same id): the unique key above leads with the platform.
        Index("ix_fans_user_id_external_id", "user_id", "external_id"),
        CheckConstraint(_PLATFORM_CHECK, name="platform"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    total_spent_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    tips_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """A fan's subscription to the creator (not the creator's own Huntaze plan)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'expired', 'cancelled')", name="status"),
        CheckConstraint(_PLATFORM_CHECK, name="platform"),
        Index("ix_subscriptions_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    fan_id: Mapped[str] = mapped_column(String(255))
    tier: Mapped[str] = mapped_column(String(64))
    amount_micros: Mapped[int] = mapped_column(BigInteger)
    platform: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
