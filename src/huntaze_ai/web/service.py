"""What the pages show beyond the API bodies: the dashboard's bar colour, projection and charts,
human-readable resets, and the usage CSV."""

from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.money import dollars, format_usd, usd_to_micros, when
from huntaze_ai.metering.schemas import QuotaOut, UsageOut

__all__ = ["dollars", "when"]  # the pages' filters; the sentences of metering/wording.py share them

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


def quota_level(quota: QuotaOut) -> str:
    """The bar's colour: red when generation is paused, whatever the percentage (a quota 17 %
    spent can be too little for the next request's worst case)."""
    return "red" if quota.paused else bar_level(quota.percent_used)


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


def spend_by(totals: dict[str, str]) -> list[Bar]:
    """Bars for one breakdown of the month's spend (by feature, by model), largest first."""
    pairs = [(label, usd_to_micros(usd)) for label, usd in totals.items()]
    return _bars(sorted(pairs, key=lambda pair: -pair[1]))


@dataclass(frozen=True)
class OutcomeText:
    label: str  # the usage table's column
    meaning: str  # what happened and what it was charged, in the page's legend


# What each usage outcome means to a creator reading the usage page, and why it cost what the
# cost column says (only errors and timeouts are free).
OUTCOMES = {
    "ok": OutcomeText("answered", "The model answered. Charged the tokens Gemini reported."),
    "blocked": OutcomeText(
        "safety filter",
        "Gemini's safety filter withheld the answer. Gemini bills the tokens it read and wrote "
        "all the same, so they are charged.",
    ),
    "truncated": OutcomeText(
        "out of tokens",
        "The answer ran out of room (thinking included) before it was usable. Charged as "
        "Gemini billed it.",
    ),
    "invalid_output": OutcomeText(
        "unusable answer",
        "The answer did not have the expected shape. Charged as Gemini billed it.",
    ),
    "unmeasured": OutcomeText(
        "no usage reported",
        "Gemini answered without saying how many tokens it used, so the most the call could "
        "cost was charged.",
    ),
    "provider_error": OutcomeText(
        "provider error", "Gemini failed without an answer. Nothing charged."
    ),
    "timeout": OutcomeText("timed out", "Gemini did not answer in time. Nothing charged."),
    "cancelled": OutcomeText(
        "abandoned",
        "The answer was left before it finished (the page was closed or reloaded while it "
        "was being written). Charged the tokens Gemini had reported by then, never more than "
        "a finished answer; if it had reported none yet, only the prompt, which the model had "
        "already read.",
    ),
    "error": OutcomeText(
        "failed",
        "Something went wrong on our side after the call started. Charged what Gemini had "
        "reported, if anything.",
    ),
}


def outcome_text(outcome: str) -> OutcomeText:
    return OUTCOMES.get(outcome) or OutcomeText(outcome, "")


def outcomes_in(usage: UsageOut) -> list[OutcomeText]:
    """The legend for the outcomes this month's rows have, in the table's order of meaning."""
    present = {row.outcome for row in usage.rows}
    return [outcome_text(o) for o in OUTCOMES if o in present] + [
        outcome_text(o) for o in sorted(present - OUTCOMES.keys())
    ]


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
    "member",
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
