"""What the pages show beyond the API bodies: the dashboard's bar colour, projection and charts,
human-readable resets, insight metrics and campaign stats in words, and the usage CSV (how money,
moments and features are written: formatting.py)."""

from __future__ import annotations

import calendar
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.csv_cells import csv_text
from huntaze_ai.kit.money import dollars, format_usd, micros_to_usd, usd_to_micros, when
from huntaze_ai.kit.platforms import PLATFORM_NAMES
from huntaze_ai.metering.schemas import QuotaOut, UsageOut, UsageRowOut

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


def spend_by(totals: dict[str, str], labels: Mapping[str, str] | None = None) -> list[Bar]:
    """Bars for one breakdown of the month's spend (by feature, by model), largest first, each
    named by `labels` where it has a name there."""
    names = labels or {}
    pairs = [(names.get(key, key), usd_to_micros(usd)) for key, usd in totals.items()]
    return _bars(sorted(pairs, key=lambda pair: -pair[1]))


def _label(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _number(value: float) -> str:
    """1,726 for a whole number, else at most two decimals (21.1, 0.5)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _shown(value: object) -> str:
    """Any other JSON value, short enough for a card."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


Row = tuple[str, str]


def _metric(name: str, value: object) -> Row:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return _label(name), _shown(value)
    # The analytics prompt's data names its units by suffix (revenue_usd, revenue_trend_percent,
    # response_rate as a fraction); the model's metrics follow them.
    if name.endswith("_usd") and math.isfinite(value):  # a NaN the model wrote is no amount
        return _label(name.removesuffix("_usd")), dollars(Decimal(str(value)))
    if name.endswith("_percent"):
        sign = "+" if "trend" in name and value > 0 else ""
        return _label(name.removesuffix("_percent")), f"{sign}{_number(value)}%"
    if name.endswith("_rate") and 0 <= value <= 1:
        return _label(name), f"{_number(value * 100)}%"
    return _label(name), _number(value)


def metric_rows(data: Mapping[str, object]) -> list[Row]:
    """An insight's metrics (its `data.metrics`) as label and value in words."""
    metrics = data.get("metrics")
    if not isinstance(metrics, Mapping):
        return []
    return [_metric(str(name), value) for name, value in metrics.items()]


def price_range(low: str, high: str) -> str:
    """A suggestion's price range: "$9.99–$14.99", one price when both ends meet, "free"."""
    if Decimal(low) == Decimal(high):
        return "free" if Decimal(low) == 0 else dollars(low)
    return f"{'free' if Decimal(low) == 0 else dollars(low)}–{dollars(high)}"


# Campaign stats are the platform's free-form JSON: the known counts first, in funnel order, then
# whatever else it holds by name; `demo` only marks made-up data.
_STATS_FIRST = ("sent", "opened", "purchases", "revenue_micros", "platform")
_STATS_HIDDEN = frozenset({"demo"})
_STATS_OF = {"opened": "sent", "purchases": "opened"}  # a share of the step before


def campaign_stat_rows(stats: Mapping[str, object]) -> list[Row]:
    """A campaign's stats as label and value in words: money in dollars, shares of the step
    before (opened of sent, purchases of opened) in percent."""
    order = {key: n for n, key in enumerate(_STATS_FIRST)}
    rows: list[Row] = []
    for key in sorted(stats, key=lambda k: (order.get(k, len(order)), k)):
        value = stats[key]
        if key in _STATS_HIDDEN:
            continue
        if key.endswith("_micros") and isinstance(value, int) and not isinstance(value, bool):
            rows.append((_label(key.removesuffix("_micros")), dollars(micros_to_usd(value))))
        elif key == "platform" and isinstance(value, str):
            rows.append(("Platform", PLATFORM_NAMES.get(value, value)))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = _number(value)
            step = _STATS_OF.get(key)
            base = stats.get(step) if step else None
            if isinstance(base, int | float) and not isinstance(base, bool) and base > 0:
                text += f" ({_number(round(100 * value / base, 1))}% of {step})"
            rows.append((_label(key), text))
        else:
            rows.append((_label(key), _shown(value)))
    return rows


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
    def cells(row: UsageRowOut) -> list[object]:
        values = row.model_dump()
        values["created_at"] = row.created_at.isoformat()
        return [values[column] for column in CSV_COLUMNS]

    return csv_text(CSV_COLUMNS, (cells(row) for row in usage.rows))
