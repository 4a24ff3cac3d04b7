"""Which AI plan a creator is on (DESIGN §2.3)."""

from __future__ import annotations

import logging

from huntaze_ai.config import PLANS, Plan

log = logging.getLogger(__name__)

# The creator's Huntaze subscription tier implies at least this AI plan.
_TIER_PLANS: dict[str, Plan] = {
    "free": "starter",
    "starter": "starter",
    "basic": "starter",
    "creator": "starter",
    "pro": "pro",
    "premium": "pro",
    "growth": "pro",
    "business": "business",
    "agency": "business",
    "enterprise": "business",
}

RATE_LIMITS_PER_HOUR: dict[Plan, int] = {"starter": 50, "pro": 100, "business": 500}


def get_user_ai_plan_from_subscription(ai_plan: str | None, subscription_tier: str | None) -> Plan:
    """The higher of the plan set on the user and the plan their Huntaze tier includes.

    An operator can grant more than the tier includes; a tier upgrade takes effect without anyone
    editing `ai_plan`. Unknown values fall back to starter (logged), never to an error mid-call.
    """
    candidates: list[Plan] = []
    if ai_plan in PLANS:
        candidates.append(ai_plan)
    elif ai_plan is not None:
        log.warning("unknown ai_plan %r; treating as starter", ai_plan)
    if subscription_tier is not None:
        tier_plan = _TIER_PLANS.get(subscription_tier.strip().lower())
        if tier_plan is None:
            log.warning("unknown subscription tier %r; ignored for the AI plan", subscription_tier)
        else:
            candidates.append(tier_plan)
    return max(candidates, key=PLANS.index, default="starter")
