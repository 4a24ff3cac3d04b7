"""Usage log, monthly quota ledger, reservations and alerts (DESIGN §2.3–2.4). Money: micro-USD."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime


class UsageLog(Base):
    """One row per priced AI call; a month's spend is the sum of its rows."""

    __tablename__ = "usage_logs"
    __table_args__ = (
        CheckConstraint("cost_micros >= 0", name="cost_non_negative"),
        Index("ix_usage_logs_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Idempotency: a retried request with the same id cannot be logged (or charged) twice.
    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    feature: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(64))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who asked: the agency member acting for the creator, or the creator themself.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QuotaLedger(Base):
    """Spent and reserved micro-USD per creator and calendar month (UTC).

    The reservation is one conditional UPDATE on this row, which is what keeps spend under the limit
    across any number of processes.
    """

    __tablename__ = "quota_ledger"
    __table_args__ = (
        CheckConstraint("spent_micros >= 0", name="spent_non_negative"),
        CheckConstraint("reserved_micros >= 0", name="reserved_non_negative"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    spent_micros: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    reserved_micros: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QuotaReservation(Base):
    """An amount held against the ledger while a call runs; swept back once `expires_at` passes.

    Settled rows are kept for a while: their primary key is what makes a replayed request id a
    no-op instead of a second charge.
    """

    __tablename__ = "quota_reservations"
    __table_args__ = (
        CheckConstraint("amount_micros >= 0", name="amount_non_negative"),
        Index("ix_quota_reservations_expires_at", "expires_at"),
        Index("ix_quota_reservations_settled_at", "settled_at"),
        Index("ix_quota_reservations_user_id_period", "user_id", "period"),
    )

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[date] = mapped_column(Date)
    amount_micros: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # ok, provider_error, timeout, cancelled, expired, …; NULL while the call runs.
    outcome: Mapped[str | None] = mapped_column(String(32))


class ReplayedResponse(Base):
    """The response an `Idempotency-Key` got, so a client that timed out and retries gets the
    same answer instead of a second call or a 409. Kept for the key's 7-day window."""

    __tablename__ = "replayed_responses"
    __table_args__ = (Index("ix_replayed_responses_created_at", "created_at"),)

    # The namespaced request id of the call (`<creator id>:<key>`), as in quota_reservations.
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # the JSON the client got
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuotaAlert(Base):
    """80 % and 95 % alerts; the unique key makes each fire once per creator-month and threshold."""

    __tablename__ = "quota_alerts"
    __table_args__ = (
        UniqueConstraint("user_id", "period", "threshold_percent"),
        CheckConstraint("threshold_percent IN (80, 95)", name="threshold_percent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[date] = mapped_column(Date)
    threshold_percent: Mapped[int] = mapped_column(Integer)
    spent_micros: Mapped[int] = mapped_column(BigInteger)
    limit_micros: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
