"""Whether each agent can generate now: the quota states every page and GET /api/ai/quota show.

The Meter reserves a call's worst case before it runs (prompt bound + max output tokens, on the
agent's model or QUOTA_FALLBACK_MODEL), so a quota with money left can still refuse. A feature
is *paused* when its smallest request cannot fit: the creator's real instructions (name, persona,
and the platform or variant count that makes them shortest), the output schema, and every
user and context field empty. Every real request reserves at least that, so a page never says
"paused" while a request would pass; one that is refused anyway (a long message, five variants)
gets "Not enough quota left for this request" with its own worst case (metering/wording.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_ai import Agent

from huntaze_ai.analytics import service as analytics
from huntaze_ai.content import service as content
from huntaze_ai.kit.money import format_usd, usd_to_micros
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.messaging import service as messaging
from huntaze_ai.metering import wording
from huntaze_ai.metering.kinds import FEATURE_NAMES, FEATURE_REQUESTS, Feature
from huntaze_ai.metering.schemas import FeatureStateOut, QuotaOut
from huntaze_ai.models import User
from huntaze_ai.sales import service as sales

LeastPrompts = Callable[[User], list[tuple[Agent[None, Any], Prompt]]]
LEAST_PROMPTS: dict[Feature, LeastPrompts] = {
    Feature.MESSAGING: messaging.least_prompts,
    Feature.CONTENT: content.least_prompts,
    Feature.ANALYTICS: analytics.least_prompts,
    Feature.SALES: sales.least_prompts,
}


def figures(quota: QuotaOut) -> wording.QuotaFigures:
    return wording.QuotaFigures(
        spent_micros=usd_to_micros(quota.spent_usd),
        reserved_micros=usd_to_micros(quota.reserved_usd),
        limit_micros=usd_to_micros(quota.limit_usd),
        resets_at=quota.period_end,
    )


def with_generation(ai: AIPipeline, creator: User, quota: QuotaOut) -> QuotaOut:
    """`quota` with what each agent can do now: `features`, `paused` and why."""
    q = figures(quota)
    states = []
    for feature, least in LEAST_PROMPTS.items():
        needs = ai.least_worst_case_micros(least(creator))
        fits = q.spent_micros + q.reserved_micros + needs <= q.limit_micros
        plural, one = FEATURE_REQUESTS[feature][1], FEATURE_REQUESTS[feature][0]
        states.append(
            FeatureStateOut(
                feature=feature.value,
                name=FEATURE_NAMES[feature],
                can_generate=fits,
                worst_case_usd=format_usd(needs),
                paused_reason=None
                if fits
                else wording.feature_paused_reason(q, plural, one, needs),
            )
        )
    paused = not any(s.can_generate for s in states)
    reason = None
    if paused:
        cheapest = min(states, key=lambda s: usd_to_micros(s.worst_case_usd))
        one = FEATURE_REQUESTS[Feature(cheapest.feature)][0]
        reason = wording.all_paused_reason(q, one, usd_to_micros(cheapest.worst_case_usd))
    return quota.model_copy(update={"paused": paused, "paused_reason": reason, "features": states})
