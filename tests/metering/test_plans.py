from __future__ import annotations

import pytest

from huntaze_ai.metering.plans import get_user_ai_plan_from_subscription


@pytest.mark.parametrize(
    ("ai_plan", "tier", "expected"),
    [
        ("starter", None, "starter"),
        ("pro", None, "pro"),
        ("business", None, "business"),
        ("starter", "agency", "business"),
        ("starter", "Premium", "pro"),
        ("business", "free", "business"),
        ("starter", "mystery-tier", "starter"),
        (None, None, "starter"),
        ("platinum", None, "starter"),
    ],
)
def test_the_plan_is_the_higher_of_the_users_plan_and_the_subscription_tiers(
    ai_plan: str | None, tier: str | None, expected: str
) -> None:
    assert get_user_ai_plan_from_subscription(ai_plan, tier) == expected
