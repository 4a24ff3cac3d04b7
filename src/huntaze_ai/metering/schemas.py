from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class RateLimitOut(BaseModel):
    limit: int
    remaining: int
    reset_at: datetime


class QuotaAlertOut(BaseModel):
    threshold_percent: int
    spent_usd: str
    limit_usd: str
    created_at: datetime


class FeatureStateOut(BaseModel):
    """Whether an agent's smallest request fits the quota left (generation/service.py)."""

    feature: str
    name: str = Field(description="The feature as the pages name it")
    can_generate: bool
    worst_case_usd: str = Field(
        description="What its smallest request reserves now (prompt bound + max output tokens, "
        "on its model or the budget fallback)"
    )
    paused_reason: str | None = None


class QuotaOut(BaseModel):
    plan: str
    period_start: datetime
    period_end: datetime
    limit_usd: str
    spent_usd: str
    reserved_usd: str
    remaining_usd: str
    percent_used: Decimal
    rate_limit: RateLimitOut
    alerts: list[QuotaAlertOut]
    paused: bool = Field(False, description="No agent's smallest request fits the quota left")
    paused_reason: str | None = None
    features: list[FeatureStateOut] = Field(default_factory=list)


class UsageRowOut(BaseModel):
    created_at: datetime
    feature: str
    model: str
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    cost_usd: str
    latency_ms: int
    outcome: str
    # Who asked (DESIGN §2.7): the agency member acting for the creator, or the creator; the
    # email of that account, null once the account is gone.
    member_id: int | None = None
    member: str | None = None


class UsageTotalsOut(BaseModel):
    calls: int
    cost_usd: str
    by_day: dict[str, str]
    by_feature: dict[str, str]
    by_model: dict[str, str]


class UsageOut(BaseModel):
    month: str
    rows: list[UsageRowOut]
    totals: UsageTotalsOut
