from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Base, UTCDateTime


class User(Base):
    """A creator (or an agency seat acting for one). `ai_plan` decides quota and rate limit."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("ai_plan IN ('starter', 'pro', 'business')", name="ai_plan"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(120))
    # How the creator talks to fans; the messaging agent writes in this voice.
    persona: Mapped[str | None] = mapped_column(Text)
    ai_plan: Mapped[str] = mapped_column(String(16), default="starter", server_default="starter")
    # The creator's Huntaze subscription tier, from which a plan can be derived.
    subscription_tier: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TokenKind(StrEnum):
    """What a token opens: `api` as a bearer token, `session` as the pages' cookie (never both,
    so a session cookie that leaks cannot be replayed against the API as a bearer token)."""

    API = "api"
    SESSION = "session"


class ApiToken(Base):
    """A bearer token or a browser session. Only its SHA-256 is kept: the token itself is shown
    once, at creation."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("kind IN ('api', 'session')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=TokenKind.API, server_default="api")
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so an operator can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
