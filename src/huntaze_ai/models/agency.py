"""Agencies and their teams (DESIGN §2.7): members with a role, the creators the agency works
for, which chatter works for which creator, and invitations to join."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    CHATTER = "chatter"

    @property
    def acts_for_all(self) -> bool:
        """Owners and managers act for every creator of the agency; chatters for the assigned."""
        return self is not Role.CHATTER


# What an invitation makes of the person who accepts it: a member with a role, or one of the
# agency's creators (who then lets the agency act for them).
INVITE_ROLES = (*Role, "creator")


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgencyMember(Base):
    """A seat in an agency. An account holds at most one seat, so "whose team am I on" has one
    answer; the (agency, user) key is what assignments point to, so an assignment can only name
    a member of the same agency."""

    __tablename__ = "agency_members"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'manager', 'chatter')", name="role"),
        UniqueConstraint("agency_id", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgencyCreator(Base):
    """A creator the agency works for: at most one agency per creator."""

    __tablename__ = "agency_creators"
    __table_args__ = (UniqueConstraint("agency_id", "creator_id"),)

    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(Base):
    """A chatter works for a creator. Both keys carry the agency, so the database itself refuses
    to pair a member with another agency's creator, and removing either side removes the pair."""

    __tablename__ = "agency_assignments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["agency_id", "member_id"],
            ["agency_members.agency_id", "agency_members.user_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["agency_id", "creator_id"],
            ["agency_creators.agency_id", "agency_creators.creator_id"],
            ondelete="CASCADE",
        ),
    )

    agency_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    creator_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgencyInvite(Base):
    """A one-time link to join an agency. Only the token's SHA-256 is kept; the link is shown
    once. Used or past `expires_at`, it opens nothing."""

    __tablename__ = "agency_invites"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'manager', 'chatter', 'creator')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
