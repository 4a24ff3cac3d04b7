"""What the product says when the quota stands in the way: the one place these sentences live.

The API's 402 body (`reason`), GET /api/ai/quota (`paused_reason`, each feature's), the
dashboard, the header and every feature page all show these strings, so a creator reads the same
words wherever the quota stops them. Two different situations, never confused:

- the month is spent (spent >= limit): "Monthly quota exceeded", generation paused until the
  quota resets;
- some quota is left, but less than a request's worst case (the Meter reserves it before the
  call): "Not enough quota left for this request"; generation of a kind is *paused* only when even
  its smallest request cannot fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from huntaze_ai.kit.money import dollars, format_usd, when

MONTH_SPENT = "Monthly quota exceeded"
NOT_ENOUGH = "Not enough quota left for this request"
PAUSED = "AI generation is paused"


@dataclass(frozen=True)
class QuotaFigures:
    """The month's ledger as the sentences need it (micro-USD)."""

    spent_micros: int
    reserved_micros: int
    limit_micros: int
    resets_at: datetime

    @property
    def month_spent(self) -> bool:
        return self.spent_micros >= self.limit_micros

    @property
    def left_micros(self) -> int:
        return max(0, self.limit_micros - self.spent_micros - self.reserved_micros)


def _usd(micros: int) -> str:
    return dollars(format_usd(micros))


def _left(q: QuotaFigures) -> str:
    held = q.reserved_micros
    return f"{_usd(q.left_micros)} of your {_usd(q.limit_micros)} monthly AI quota is left" + (
        f" ({_usd(held)} more is held for requests in progress)" if held else ""
    )


def _until(q: QuotaFigures) -> str:
    # Money held by calls in progress comes back when they finish (usually within seconds).
    held = "requests in progress finish or " if q.reserved_micros else ""
    return f"until {held}the quota resets on {when(q.resets_at)}"


def refusal_message(q: QuotaFigures) -> str:
    """The 402's `message`: which of the two situations this is."""
    return MONTH_SPENT if q.month_spent else NOT_ENOUGH


def month_spent_reason(q: QuotaFigures) -> str:
    return (
        f"You have used {_usd(q.spent_micros)} of your {_usd(q.limit_micros)} monthly AI quota. "
        f"AI generation is paused until the quota resets on {when(q.resets_at)}."
    )


def refusal_reason(q: QuotaFigures, needed_micros: int) -> str:
    """Why one request was refused (the 402's `reason`)."""
    if q.month_spent:
        return month_spent_reason(q)
    return (
        f"This request can cost up to {_usd(needed_micros)}, and only {_left(q)}. "
        f"A smaller request may still fit; the quota resets on {when(q.resets_at)}."
    )


def feature_paused_reason(q: QuotaFigures, plural: str, one: str, needed_micros: int) -> str:
    """Why a kind of request is paused: even its smallest one cannot fit."""
    if q.month_spent:
        return month_spent_reason(q)
    return (
        f"Only {_left(q)}, and {one} can cost up to {_usd(needed_micros)}. "
        f"New {plural} are paused {_until(q)}."
    )


def all_paused_reason(q: QuotaFigures, one: str, needed_micros: int) -> str:
    """Why every kind of request is paused: even the cheapest (`one`) cannot fit."""
    if q.month_spent:
        return month_spent_reason(q)
    return (
        f"Only {_left(q)}, less than the smallest AI request can cost ({one}: up to "
        f"{_usd(needed_micros)}). AI generation is paused {_until(q)}."
    )
