from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from huntaze_ai.creator_data.segments import FanSegment, segment_fan
from huntaze_ai.kit.money import usd_to_micros

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=200)
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)


def _segments(
    *,
    spent: str = "0",
    tips: str = "0",
    first_seen: datetime = OLD,
    last_active: datetime | None = NOW,
) -> list[str]:
    return [
        str(s)
        for s in segment_fan(
            total_spent_micros=usd_to_micros(spent),
            tips_micros=usd_to_micros(tips),
            first_seen_at=first_seen,
            last_active_at=last_active,
            now=NOW,
        )
    ]


@pytest.mark.parametrize(
    ("spent", "tips", "whale"),
    [
        ("500", "100", True),  # both bounds inclusive
        ("499.999999", "100", False),
        ("500", "99.999999", False),
        ("10000", "0", False),  # big spender, no tips
        ("600", "600", True),
    ],
)
def test_a_whale_has_spent_500_including_100_in_tips(spent: str, tips: str, whale: bool) -> None:
    assert ("whale" in _segments(spent=spent, tips=tips)) is whale


@pytest.mark.parametrize(
    ("seen_ago", "new"),
    [(0 * DAY, True), (14 * DAY - TICK, True), (14 * DAY, True), (14 * DAY + TICK, False)],
)
def test_new_means_first_seen_at_most_14_days_ago(seen_ago: timedelta, new: bool) -> None:
    assert ("new" in _segments(first_seen=NOW - seen_ago)) is new


@pytest.mark.parametrize(
    ("idle", "expected"),
    [
        (timedelta(0), ["active"]),
        (14 * DAY - TICK, ["active"]),
        (14 * DAY, ["at_risk"]),
        (29 * DAY, ["at_risk"]),
        (30 * DAY - TICK, ["at_risk"]),
        (30 * DAY, ["dormant"]),
        (365 * DAY, ["dormant"]),
    ],
)
def test_inactivity_makes_a_fan_at_risk_at_14_days_and_dormant_at_30(
    idle: timedelta, expected: list[str]
) -> None:
    assert _segments(last_active=NOW - idle) == expected


def test_segments_combine_where_they_describe_different_things() -> None:
    assert _segments(spent="900", tips="150", last_active=NOW - 20 * DAY) == ["whale", "at_risk"]
    assert _segments(spent="900", tips="150") == ["whale", "active"]
    assert _segments(first_seen=NOW - 3 * DAY, last_active=NOW - DAY) == ["new"]


def test_a_fan_never_active_counts_idle_time_from_first_sighting() -> None:
    assert _segments(first_seen=NOW - 14 * DAY, last_active=None) == ["new", "at_risk"]
    assert _segments(first_seen=NOW - 40 * DAY, last_active=None) == ["dormant"]
    assert _segments(first_seen=NOW - DAY, last_active=None) == ["new"]


def test_timestamps_in_the_future_count_as_now() -> None:
    assert _segments(first_seen=NOW + DAY, last_active=NOW + DAY) == ["new"]


def test_segments_are_strings_for_prompts_and_json() -> None:
    assert str(FanSegment.AT_RISK) == "at_risk"
    assert FanSegment("dormant") is FanSegment.DORMANT
