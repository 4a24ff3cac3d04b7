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


MICROS_PER_CENT = 10_000
MICROS_PER_TEN_THOUSANDTH = 100  # $0.0001


def _half_up(micros: int, unit: int) -> int:
    return (micros + unit // 2) // unit


def dollars(usd: str | Decimal | int) -> str:
    """Money for people to read, the one rule every page and sentence writes it by:
    $1,234.56, $0.50, $0.0146, <$0.0001 or $0.00 (integer arithmetic, halves round up).

    Cents from a dollar up, or when cents say the amount exactly. Below a dollar, four places:
    a month's AI spend is made of fractions of a cent, and parts rounded to cents ($0.01 and
    $0.0014) would not add up to their total ($0.02) on the same page.
    """
    micros = usd_to_micros(usd)
    sign, micros = ("-" if micros < 0 else ""), abs(micros)
    if micros == 0:
        return "$0.00"
    tenth_mils = _half_up(micros, MICROS_PER_TEN_THOUSANDTH)
    if tenth_mils == 0:
        return f"{sign}<$0.0001"
    if tenth_mils < MICROS_PER_USD // MICROS_PER_TEN_THOUSANDTH and micros % MICROS_PER_CENT:
        return f"{sign}$0.{tenth_mils:04d}"
    cents = _half_up(micros, MICROS_PER_CENT)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def when(moment: datetime) -> str:
    """A UTC moment for display: "Dec 1, 2026 00:00 UTC"."""
    return moment.strftime("%b %-d, %Y %H:%M UTC")
