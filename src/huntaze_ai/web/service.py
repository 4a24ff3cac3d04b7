"""What the pages show beyond the API bodies: the dashboard's bar colour, projection and charts,
waits in words, and the usage CSV (how money, moments and features are written: formatting.py)."""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.money import format_usd, usd_to_micros
from huntaze_ai.metering.schemas import QuotaOut, UsageOut

AMBER_PERCENT = 80
RED_PERCENT = 95
# Projecting from the first hours of a month would multiply one call by 700; a day is the least
# history the pace is measured over.
MIN_PROJECTION_WINDOW = timedelta(days=1)


def wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{round(seconds / 60)} minutes"


def bar_level(percent: Decimal) -> str:
    if percent >= RED_PERCENT:
        return "red"
    if percent >= AMBER_PERCENT:
        return "amber"
    return "ok"


@dataclass(frozen=True)
class Projection:
    month_end_usd: str
    exceeds_limit: bool


def project_month_end(quota: QuotaOut, now: datetime | None = None) -> Projection:
    """Spend at month end if the pace so far continues (linear in time)."""
    now = now or utcnow()
    month = quota.period_end - quota.period_start
    elapsed = max(min(now, quota.period_end) - quota.period_start, MIN_PROJECTION_WINDOW)
    spent = usd_to_micros(quota.spent_usd)
    # Integer micro-USD times a ratio of whole microseconds: exact, no float on the way.
    tick = timedelta(microseconds=1)
    projected_micros = max(spent, spent * (month // tick) // (elapsed // tick))
    return Projection(
        month_end_usd=format_usd(projected_micros),
        exceeds_limit=projected_micros > usd_to_micros(quota.limit_usd),
    )


@dataclass(frozen=True)
class Bar:
    label: str
    usd: str
    percent_of_max: float


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((micros for _, micros in pairs), default=0)
    return [Bar(label, format_usd(m), 100.0 * m / top if top else 0.0) for label, m in pairs]


def spend_by_day(usage: UsageOut) -> list[Bar]:
    """One bar per day of the month, zero days included, so gaps read as gaps."""
    year, month = (int(part) for part in usage.month.split("-"))
    days = calendar.monthrange(year, month)[1]
    totals = {day: usd_to_micros(usd) for day, usd in usage.totals.by_day.items()}
    return _bars(
        [(str(d), totals.get(f"{year:04d}-{month:02d}-{d:02d}", 0)) for d in range(1, days + 1)]
    )


def spend_by(totals: dict[str, str], labels: Mapping[str, str] | None = None) -> list[Bar]:
    """Bars for one breakdown of the month's spend (by feature, by model), largest first, each
    named by `labels` where it has a name there."""
    names = labels or {}
    pairs = [(names.get(key, key), usd_to_micros(usd)) for key, usd in totals.items()]
    return _bars(sorted(pairs, key=lambda pair: -pair[1]))


# What each usage outcome means to a creator reading the usage page (the cost column says what
# each was charged: only errors and timeouts are free).
OUTCOME_LABELS = {
    "ok": "answered",
    "blocked": "safety filter",
    "truncated": "out of tokens",
    "invalid_output": "unusable answer",
    "unmeasured": "no usage reported",
    "provider_error": "provider error",
    "timeout": "timed out",
    "cancelled": "cancelled",
    "error": "failed",
}


CSV_COLUMNS = (
    "created_at",
    "feature",
    "model",
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "cost_usd",
    "latency_ms",
    "outcome",
)


def usage_csv(usage: UsageOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in usage.rows:
        values = row.model_dump()
        values["created_at"] = row.created_at.isoformat()
        writer.writerow([values[column] for column in CSV_COLUMNS])
    return out.getvalue()
