"""Fan segments, with the origin app's thresholds (DESIGN §2.1).

- `whale`: at least $500 spent in total AND at least $100 of it in tips (both bounds inclusive).
- `new`: first seen at most 14 days ago (exactly 14 days is still new).
- `at_risk`: inactive for 14 days or more, but less than 30.
- `dormant`: inactive for 30 days or more.
- `active`: none of new, at_risk, dormant.

Inactivity counts from the last activity, or from the first sighting for a fan never seen active.
`whale` combines with any of the others (a whale going quiet is exactly who to win back); a fan
first seen exactly 14 days ago and silent since is both `new` and `at_risk`. A timestamp in the
future (clock skew between systems) counts as "now".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from huntaze_ai.kit.money import usd_to_micros

WHALE_SPENT_MICROS = usd_to_micros(500)
WHALE_TIPS_MICROS = usd_to_micros(100)
NEW_FOR = timedelta(days=14)
AT_RISK_AFTER = timedelta(days=14)
DORMANT_AFTER = timedelta(days=30)


class FanSegment(StrEnum):
    WHALE = "whale"
    NEW = "new"
    AT_RISK = "at_risk"
    DORMANT = "dormant"
    ACTIVE = "active"


def segment_fan(
    *,
    total_spent_micros: int,
    tips_micros: int,
    first_seen_at: datetime,
    last_active_at: datetime | None,
    now: datetime,
) -> list[FanSegment]:
    segments: list[FanSegment] = []
    if total_spent_micros >= WHALE_SPENT_MICROS and tips_micros >= WHALE_TIPS_MICROS:
        segments.append(FanSegment.WHALE)
    if now - first_seen_at <= NEW_FOR:
        segments.append(FanSegment.NEW)
    inactive = max(now - (last_active_at or first_seen_at), timedelta(0))
    if inactive >= DORMANT_AFTER:
        segments.append(FanSegment.DORMANT)
    elif inactive >= AT_RISK_AFTER:
        segments.append(FanSegment.AT_RISK)
    if not {FanSegment.NEW, FanSegment.AT_RISK, FanSegment.DORMANT} & set(segments):
        segments.append(FanSegment.ACTIVE)
    return segments
