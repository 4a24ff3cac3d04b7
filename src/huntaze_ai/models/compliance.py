"""The creator's own word list and the violation log of the compliance guard (issue 12)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime

_VERDICT_CHECK = "verdict IN ('block', 'escalate')"


class ComplianceWord(Base):
    """A phrase the creator does not want sent (`block`) or wants a person to answer
    (`escalate`). `match_key` is the phrase as the guard matches it (folded words), unique per
    creator so that "Snap" and "SNAP" are one entry."""

    __tablename__ = "compliance_words"
    __table_args__ = (
        UniqueConstraint("creator_id", "match_key"),
        CheckConstraint(_VERDICT_CHECK, name="verdict"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    phrase: Mapped[str] = mapped_column(String(200))
    match_key: Mapped[str] = mapped_column(String(400))
    verdict: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplianceViolation(Base):
    """One block or escalation: whose, who asked, which rule, a redacted excerpt. Written for
    every guard verdict that is not `ok`, so managers can see what is being caught."""

    __tablename__ = "compliance_violations"
    __table_args__ = (
        CheckConstraint(_VERDICT_CHECK, name="verdict"),
        Index("ix_compliance_violations_creator_id_created_at", "creator_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The member who asked (today the creator's own account; agency members later).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))  # reply, approval, check
    part: Mapped[str] = mapped_column(String(16))  # message, fan_message, upsell
    rule: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(8))
    excerpt: Mapped[str] = mapped_column(String(200))
    rules_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
