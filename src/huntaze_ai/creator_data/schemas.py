"""What the agents get to see. Money is integer micro-USD, with a `*_usd` decimal string next to
it for prompts (a model should never see micro-units or floats)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from huntaze_ai.creator_data.segments import FanSegment
from huntaze_ai.kit.money import format_usd


class _Context(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlatformContext(_Context):
    """A connected platform account. The access token is never part of it."""

    provider: str
    provider_account_id: str
    metadata: dict[str, Any]


class UserStatsContext(_Context):
    messages_sent: int = 0
    messages_trend: float = 0.0  # percent change over the previous period
    response_rate: float = 0.0  # fraction in [0, 1]
    revenue_micros: int = 0
    revenue_trend: float = 0.0  # percent change over the previous period
    active_chats: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def revenue_usd(self) -> str:
        return format_usd(self.revenue_micros)


class SubscriptionContext(_Context):
    """The creator's *active* fan subscriptions (as in the origin app)."""

    active_count: int = 0
    total_revenue_micros: int = 0
    platforms: list[str] = []
    average_value_micros: int = 0
    tiers: dict[str, int] = {}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_revenue_usd(self) -> str:
        return format_usd(self.total_revenue_micros)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average_value_usd(self) -> str:
        return format_usd(self.average_value_micros)


class FanContext(_Context):
    external_id: str
    platform: str
    display_name: str | None
    notes: str | None
    total_spent_micros: int
    tips_micros: int
    first_seen_at: datetime
    last_active_at: datetime | None
    segments: list[FanSegment]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_spent_usd(self) -> str:
        return format_usd(self.total_spent_micros)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tips_usd(self) -> str:
        return format_usd(self.tips_micros)
