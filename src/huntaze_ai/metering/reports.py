"""What a creator sees of their quota and usage: the API's /quota and /usage bodies, which the
dashboard and usage pages render too."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import InvalidRequest
from huntaze_ai.kit.money import format_usd
from huntaze_ai.metering import repository
from huntaze_ai.metering.plans import get_user_ai_plan_from_subscription
from huntaze_ai.metering.quota import month_bounds, month_start
from huntaze_ai.metering.schemas import (
    QuotaAlertOut,
    QuotaOut,
    RateLimitOut,
    UsageOut,
    UsageRowOut,
    UsageTotalsOut,
)
from huntaze_ai.metering.service import Meter
from huntaze_ai.models import User

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(month: str | None) -> date:
    """The first day of `YYYY-MM` (UTC), this month when None, else InvalidRequest."""
    if month is None or month == "":
        return month_start(utcnow())
    if match := _MONTH.match(month):
        period = date(int(match[1]), int(match[2]), 1) if int(match[1]) > 0 else None
        # Year 0 does not exist and December 9999 has no month after it to end at.
        if period is not None and period < date(9999, 12, 1):
            return period
    raise InvalidRequest(
        "month must look like 2026-11", fields=[{"field": "month", "message": "YYYY-MM"}]
    )


def format_month(period: date) -> str:
    """`YYYY-MM`, as `parse_month` reads it. Not strftime("%Y"): glibc writes year 1 as "1",
    which no `month=` parameter accepts back."""
    return f"{period.year:04d}-{period.month:02d}"


async def quota_report(meter: Meter, session: AsyncSession, creator: User) -> QuotaOut:
    plan = get_user_ai_plan_from_subscription(creator.ai_plan, creator.subscription_tier)
    snap = await meter.ledger.snapshot(creator.id, plan)
    rate = await meter.limiter.status(creator.id, plan)
    alerts = await repository.month_alerts(session, creator.id, snap.period_start.date())
    return QuotaOut(
        plan=plan,
        period_start=snap.period_start,
        period_end=snap.period_end,
        limit_usd=format_usd(snap.limit_micros),
        spent_usd=format_usd(snap.spent_micros),
        reserved_usd=format_usd(snap.reserved_micros),
        remaining_usd=format_usd(snap.remaining_micros),
        percent_used=snap.percent_used,
        rate_limit=RateLimitOut(limit=rate.limit, remaining=rate.remaining, reset_at=rate.reset_at),
        alerts=[
            QuotaAlertOut(
                threshold_percent=a.threshold_percent,
                spent_usd=format_usd(a.spent_micros),
                limit_usd=format_usd(a.limit_micros),
                created_at=a.created_at,
            )
            for a in alerts
        ],
    )


async def usage_report(session: AsyncSession, creator: User, period: date) -> UsageOut:
    start, end = month_bounds(period)
    rows = await repository.month_usage(session, creator.id, start, end)
    members = await repository.emails(session, {r.member_id for r in rows if r.member_id})
    by_day: dict[str, int] = defaultdict(int)
    by_feature: dict[str, int] = defaultdict(int)
    by_model: dict[str, int] = defaultdict(int)
    for row in rows:
        by_day[row.created_at.date().isoformat()] += row.cost_micros
        by_feature[row.feature] += row.cost_micros
        by_model[row.model] += row.cost_micros
    return UsageOut(
        month=format_month(period),
        rows=[
            UsageRowOut(
                created_at=r.created_at,
                feature=r.feature,
                model=r.model,
                input_tokens=r.input_tokens,
                cached_input_tokens=r.cached_input_tokens,
                output_tokens=r.output_tokens,
                cost_usd=format_usd(r.cost_micros),
                latency_ms=r.latency_ms,
                outcome=r.outcome,
                member_id=r.member_id,
                member=members.get(r.member_id) if r.member_id else None,
            )
            for r in rows
        ],
        totals=UsageTotalsOut(
            calls=len(rows),
            cost_usd=format_usd(sum(r.cost_micros for r in rows)),
            by_day={k: format_usd(v) for k, v in sorted(by_day.items())},
            by_feature={k: format_usd(v) for k, v in sorted(by_feature.items())},
            by_model={k: format_usd(v) for k, v in sorted(by_model.items())},
        ),
    )
