"""PPV prices within the platform's range (the `[ppv]` table of its rule pack): OnlyFans takes
paid messages at $0 or from $3 to $200. A price outside is clamped, and the caller says so."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from huntaze_ai.compliance.rules import load_pack

_FREE = Decimal("0")


@dataclass(frozen=True)
class Clamped:
    low: Decimal
    high: Decimal
    note: str | None  # what was changed and why; None when the prices were already in range


def clamp_ppv(platform: str | None, low: Decimal, high: Decimal) -> Clamped:
    """`low`..`high` moved into the platform's PPV range (unchanged where it has none)."""
    pack = load_pack(platform)
    limits = pack.ppv
    if limits is None:
        return Clamped(low, high, None)

    def clamp(price: Decimal) -> Decimal:
        if price == _FREE and limits.allow_free:
            return price
        return min(max(price, limits.min_usd), limits.max_usd)

    new_low, new_high = clamp(low), clamp(high)
    if (new_low, new_high) == (low, high):
        return Clamped(low, high, None)
    free = "free or " if limits.allow_free else ""
    note = (
        f"clamped to {pack.name}'s PPV range ({free}${limits.min_usd}–${limits.max_usd}); "
        f"suggested ${low}–${high}"
        if low != high
        else f"clamped to {pack.name}'s PPV range ({free}${limits.min_usd}–${limits.max_usd}); "
        f"suggested ${low}"
    )
    return Clamped(new_low, new_high, note)
