"""Money is integer micro-USD everywhere; Decimal only at the edges (settings, prices, JSON)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, Decimal

MICROS_PER_USD = 1_000_000


def usd_to_micros(usd: Decimal | int | str, *, round_up: bool = False) -> int:
    """Exact conversion; fractions of a micro-dollar round half-even, or up when reserving.

    Floats are refused: a float has already lost the exactness this type exists to keep.
    """
    if isinstance(usd, float):
        raise TypeError("money must not be a float")
    micros = Decimal(usd) * MICROS_PER_USD
    if round_up:
        return int(micros.to_integral_value(rounding=ROUND_CEILING))
    return int(micros.to_integral_value())


def micros_to_usd(micros: int) -> Decimal:
    return (Decimal(micros) / MICROS_PER_USD).quantize(Decimal("0.000001"))


def format_usd(micros: int) -> str:
    """The decimal string the API uses for money (six places, no float on the way)."""
    return str(micros_to_usd(micros))


def dollars(usd: str | Decimal | int) -> str:
    """$1,234.56 for display; amounts under a cent keep four places so a first call shows."""
    value = Decimal(usd)
    if value != 0 and abs(value) < Decimal("0.01"):
        return f"${value:,.4f}"
    return f"${value:,.2f}"


def when(moment: datetime) -> str:
    """A UTC moment for display: "Dec 1, 2026 00:00 UTC"."""
    return moment.strftime("%b %-d, %Y %H:%M UTC")
