"""The dashboard's arithmetic: bar colour, projection, charts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from huntaze_ai.metering.schemas import QuotaOut, RateLimitOut, UsageOut, UsageTotalsOut
from huntaze_ai.web import service as view

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def quota(spent: str, limit: str = "10") -> QuotaOut:
    return QuotaOut(
        plan="starter",
        period_start=START,
        period_end=END,
        limit_usd=limit,
        spent_usd=spent,
        reserved_usd="0",
        remaining_usd="0",
        percent_used=Decimal(0),
        rate_limit=RateLimitOut(limit=50, remaining=50, reset_at=END),
        alerts=[],
    )


def test_the_bar_turns_amber_at_80_and_red_at_95_percent() -> None:
    levels = [view.bar_level(Decimal(p)) for p in ("79.99", "80", "94.99", "95", "120")]
    assert levels == ["ok", "amber", "amber", "red", "red"]


def test_half_way_through_the_month_the_projection_doubles_the_spend_exactly() -> None:
    projection = view.project_month_end(quota("3.000001"), now=datetime(2026, 11, 16, tzinfo=UTC))
    assert projection.month_end_usd == "6.000002"
    assert projection.exceeds_limit is False
    assert view.project_month_end(quota("6"), now=datetime(2026, 11, 16, tzinfo=UTC)).exceeds_limit


def test_the_first_hours_of_a_month_project_from_at_least_a_day() -> None:
    early = view.project_month_end(quota("0.01"), now=datetime(2026, 11, 1, 1, tzinfo=UTC))
    assert early.month_end_usd == "0.300000"  # a day's pace times 30 days, not 720 hours' worth


def test_spend_per_day_has_a_bar_for_every_day_of_the_month() -> None:
    usage = UsageOut(
        month="2026-11",
        rows=[],
        totals=UsageTotalsOut(
            calls=2, cost_usd="0.3", by_day={"2026-11-03": "0.1", "2026-11-20": "0.2"},
            by_feature={}, by_model={},
        ),
    )  # fmt: skip
    bars = view.spend_by_day(usage)
    assert len(bars) == 30
    assert [b.percent_of_max for b in bars if b.percent_of_max] == [50.0, 100.0]


def test_an_insights_money_reads_as_the_quota_does_and_a_nan_is_no_amount() -> None:
    rows = view.metric_rows({"metrics": {"tips_usd": 0.0123, "revenue_usd": float("nan")}})
    assert rows == [("Tips", "$0.0123"), ("Revenue usd", "nan")]
