"""What the creator's side remembers of each fan (DESIGN §2.8): the conversation, notes, and the
counters that hold automatic notes to their caps. A fan is the creator, the platform and the
fan's id on it, as drafts and `fans` name it: the same id on two platforms is two people."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
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


class Sender(StrEnum):
    FAN = "fan"
    CREATOR = "creator"


class NoteCategory(StrEnum):
    """The origin app's categories."""

    PREFERENCES = "preferences"
    INTERESTS = "interests"
    PERSONAL = "personal"
    PURCHASE_BEHAVIOR = "purchase_behavior"
    COMMUNICATION_STYLE = "communication_style"
    EMOTIONAL_STATE = "emotional_state"
    IMPORTANT = "important"


class NoteStatus(StrEnum):
    SAVED = "saved"  # a note: shown and fed to the drafts
    PROPOSED = "proposed"  # the model's, waiting for a chatter to accept or dismiss it
    DISMISSED = "dismissed"  # kept so that the model's next proposal of it is not asked again


class FanMessage(Base):
    """One message of a fan's conversation: the fan's as a draft was asked for, the creator's as
    a person approved or answered it."""

    __tablename__ = "fan_messages"
    __table_args__ = (
        CheckConstraint("sender IN ('fan', 'creator')", name="sender"),
        Index(
            "ix_fan_messages_creator_id_platform_fan_id_id",
            "creator_id",
            "platform",
            "fan_id",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    fan_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    # Who approved or wrote the creator's message (none for the fan's).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_CATEGORY_CHECK = "category IN ('" + "', '".join(NoteCategory) + "')"


class FanNote(Base):
    """A note on a fan, or the model's proposal of one. `text_key` is the text folded (case,
    spaces, end punctuation): one row per key and fan, so no fan gets the same note twice."""

    __tablename__ = "fan_notes"
    __table_args__ = (
        CheckConstraint(_CATEGORY_CHECK, name="category"),
        CheckConstraint("status IN ('saved', 'proposed', 'dismissed')", name="status"),
        UniqueConstraint("creator_id", "platform", "fan_id", "text_key"),
        Index(
            "ix_fan_notes_creator_id_platform_fan_id_status",
            "creator_id",
            "platform",
            "fan_id",
            "status",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    fan_id: Mapped[str] = mapped_column(String(255))
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(300))
    text_key: Mapped[str] = mapped_column(String(600))
    status: Mapped[str] = mapped_column(String(16))
    # The model's confidence for its proposals (saved automatically or not); none for a person's.
    confidence: Mapped[float | None] = mapped_column(Float)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who kept or dismissed a proposal, and when.
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FanMemory(Base):
    """Per fan: the automatic notes saved (in all, and on `auto_day`), counted in one
    conditional upsert so that no number of replies or instances passes the caps; and the key
    of the fan's latest message still waiting for a reply, so a regenerated draft does not
    store that message twice."""

    __tablename__ = "fan_memory"
    __table_args__ = (
        CheckConstraint("auto_notes >= 0 AND auto_day_notes >= 0", name="counts_non_negative"),
    )

    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    fan_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    auto_notes: Mapped[int] = mapped_column(Integer, default=0)
    auto_day: Mapped[date | None] = mapped_column(Date)
    auto_day_notes: Mapped[int] = mapped_column(Integer, default=0)
    awaiting_key: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
