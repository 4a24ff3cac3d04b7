from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel


class RateLimitOut(BaseModel):
    limit: int
    remaining: int
    reset_at: datetime


class QuotaAlertOut(BaseModel):
    threshold_percent: int
    spent_usd: str
    limit_usd: str
    created_at: datetime


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
