"""Analytics insights (DESIGN §2.1): the creator's stats and subscriptions in, typed insights out,
stored as AI insights (which campaigns can then link)."""

from __future__ import annotations

from typing import Any

from pydantic_ai import Agent
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.analytics.agent import analytics_agent
from huntaze_ai.analytics.schemas import RefreshResponse
from huntaze_ai.creator_data.service import (
    get_connected_platforms,
    get_subscription_context,
    get_user_stats_context,
)
from huntaze_ai.insights.service import InsightIn, insight_out, save_insights
from huntaze_ai.kit.money import format_usd
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.prompts import EMPTY_DATA, data_block, render
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.models import User

MAX_INSIGHTS = 6
ANSWER_TOKENS = 250 * MAX_INSIGHTS


def _instructions(creator: User) -> str:
    return render("analytics.j2", creator_name=creator.display_name, max_insights=MAX_INSIGHTS)


def least_prompts(creator: User) -> list[tuple[Agent[None, Any], Prompt]]:
    """The smallest request a refresh can make for `creator` (its stats left out): no real
    refresh reserves less."""
    return [
        (
            analytics_agent,
            Prompt(Feature.ANALYTICS, _instructions(creator), EMPTY_DATA, ANSWER_TOKENS),
        )
    ]


async def refresh_insights(
    session: AsyncSession, ai: AIPipeline, creator: User, request_id: str | None = None
) -> RefreshResponse:
    stats = await get_user_stats_context(session, creator.id)
    subs = await get_subscription_context(session, creator.id)
    platforms = await get_connected_platforms(session, creator.id)
    data = {
        "messages_sent": stats.messages_sent,
        "messages_trend_percent": stats.messages_trend,
        "response_rate": stats.response_rate,
        "revenue_usd": format_usd(stats.revenue_micros),
        "revenue_trend_percent": stats.revenue_trend,
        "active_chats": stats.active_chats,
        "active_subscriptions": subs.active_count,
        "subscription_revenue_usd": format_usd(subs.total_revenue_micros),
        "average_subscription_usd": format_usd(subs.average_value_micros),
        "subscription_tiers": subs.tiers,
        "platforms": [p.provider for p in platforms],
    }
    prompt = Prompt(
        Feature.ANALYTICS,
        _instructions(creator),
        data_block(data),
        answer_tokens=ANSWER_TOKENS,
    )
    result = await ai.run(creator, analytics_agent, prompt, request_id=request_id, session=session)
    stored = await save_insights(
        session,
        creator.id,
        [
            InsightIn(
                type=draft.type,
                confidence=round(draft.confidence, 3),
                summary=draft.summary,
                data={
                    "recommended_action": draft.recommended_action,
                    "metrics": {m.name: m.value for m in draft.metrics},
                },
            )
            for draft in result.output.insights
        ],
        result.call.request_id,
        member_id=result.call.member_id,
    )
    return RefreshResponse(
        insights=[insight_out(i) for i in stored],
        usage=result.usage(),
        emulated=ai.emulated,
    )
