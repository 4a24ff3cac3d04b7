"""The webhook outbox (DESIGN §2.9, invariant 8): events written in the transaction of the change
they report, then delivered at least once by any instance, with a log of every attempt."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime


class EventType(StrEnum):
    MESSAGE_APPROVED = "message.approved"
    DRAFT_ESCALATED = "draft.escalated"
    QUOTA_ALERT = "quota.alert"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at; a lease says an instance is sending it now
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed: waits for a person's retry


class WebhookEvent(Base):
    """One event and its delivery state. `id` is the event id the receiver sees, the same on
    every redelivery."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        CheckConstraint(
            "type IN ('message.approved', 'draft.escalated', 'quota.alert')", name="type"
        ),
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        # What the workers' claim scans: pending events by when they are due.
        Index("ix_webhook_events_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_events_creator_id_created_at", "creator_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Which instance is sending it, until when; an expired lease is anybody's to take again.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookAttempt(Base):
    """One try at sending an event, written when it starts: one that never finished (its
    instance died) keeps `finished_at` empty."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_event_id", "event_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    instance: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
