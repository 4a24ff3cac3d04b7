"""Stored fan-reply drafts and the per-fan daily caps on what is approved (DESIGN §2.8, inv. 7)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime


class DraftStatus(StrEnum):
    PENDING = "pending"  # waits for a chatter: approve (as drafted or edited) or reject
    APPROVED = "approved"
    REJECTED = "rejected"
    ESCALATED = "escalated"  # in the escalation queue: a manager or the creator answers
    DISMISSED = "dismissed"  # an escalation closed without a reply
    SUPERSEDED = "superseded"  # pending when another draft of the same fan message was sent


class Draft(Base):
    """One fan-reply draft, whatever became of it: who asked, for which fan, what the model
    wrote, what the guard said, and every decision since (who and when)."""

    __tablename__ = "drafts"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'escalated', 'dismissed', 'superseded')",
            name="status",
        ),
        Index("ix_drafts_creator_id_status_created_at", "creator_id", "status", "created_at"),
        Index("ix_drafts_creator_id_fan_id", "creator_id", "fan_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    fan_id: Mapped[str | None] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(32))
    fan_message: Mapped[str] = mapped_column(Text)
    # What the model wrote ("" when no model answered: an escalated fan message, a safety block).
    text: Mapped[str] = mapped_column(Text, default="")
    guard_verdict: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    upsell: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The metered call's id (usage_logs.request_id); none when no model was called.
    request_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    final_text: Mapped[str | None] = mapped_column(Text)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    offer_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The latest decision, whatever it was; the ones below survive the decisions after them.
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Into the queue: by a person (by hand) or, with no one named, by the guard or the model's
    # safety filter when the draft was stored.
    escalated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Out of the queue: answered, dismissed or handed back.
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Levenshtein distance between what the model wrote and the approved text (0: as drafted).
    chars_changed: Mapped[int | None] = mapped_column(Integer)


class FanDay(Base):
    """What was approved for one fan on one UTC day: the counters the caps hold. Each approval
    adds to them in one conditional upsert, so no number of chatters or instances passes a cap."""

    __tablename__ = "fan_days"
    __table_args__ = (CheckConstraint("dms >= 0 AND ppvs >= 0", name="counts_non_negative"),)

    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    fan_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dms: Mapped[int] = mapped_column(Integer, default=0)
    ppvs: Mapped[int] = mapped_column(Integer, default=0)


class FanCaps(Base):
    """A creator's own caps; without a row, the origin app's 3 DMs and 1 PPV offer a day."""

    __tablename__ = "fan_caps"
    __table_args__ = (CheckConstraint("dms_per_day >= 0 AND ppvs_per_day >= 0", name="caps"),)

    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    dms_per_day: Mapped[int] = mapped_column(Integer)
    ppvs_per_day: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
