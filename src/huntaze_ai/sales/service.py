"""Sales suggestions (DESIGN §2.1): subscription context and the fan's segment in, upsell and PPV
ideas with a price range out, held to the platform's PPV range (issue 12: on OnlyFans $0 or
$3–$200; a range outside is clamped and says so)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic_ai import Agent
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.compliance.prices import clamp_ppv
from huntaze_ai.creator_data.service import get_fan, get_subscription_context
from huntaze_ai.kit.errors import NotFound
from huntaze_ai.kit.money import format_usd
from huntaze_ai.kit.platforms import DEFAULT_PLATFORM
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.prompts import EMPTY_DATA, clip, data_block, render
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.models import User
from huntaze_ai.sales.agent import SuggestionDraft, sales_agent
from huntaze_ai.sales.schemas import SuggestionOut, SuggestionsRequest, SuggestionsResponse

MAX_SUGGESTIONS = 5
ANSWER_TOKENS = 200 * MAX_SUGGESTIONS
_CENT = Decimal("0.01")


def _usd(value: float) -> Decimal:
    return Decimal(str(value)).quantize(_CENT)


def _suggestion(s: SuggestionDraft, platform: str) -> SuggestionOut:
    low, high = sorted((_usd(s.price_min_usd), _usd(s.price_max_usd)))
    clamped = clamp_ppv(platform, low, high)
    return SuggestionOut(
        kind=s.kind,
        title=s.title,
        rationale=s.rationale,
        target_segment=s.target_segment,
        price_min_usd=str(clamped.low),
        price_max_usd=str(clamped.high),
        price_note=clamped.note,
    )


def _instructions(creator: User) -> str:
    return render("sales.j2", creator_name=creator.display_name, max_suggestions=MAX_SUGGESTIONS)


def least_prompts(creator: User) -> list[tuple[Agent[None, Any], Prompt]]:
    """The smallest request sales ideas can make for `creator` (no fan, no subscription data):
    no real request reserves less."""
    return [(sales_agent, Prompt(Feature.SALES, _instructions(creator), EMPTY_DATA, ANSWER_TOKENS))]


async def suggest(
    session: AsyncSession,
    ai: AIPipeline,
    creator: User,
    body: SuggestionsRequest,
    request_id: str | None = None,
) -> SuggestionsResponse:
    fan = None
    if body.fan_id is not None:
        # As the messaging agent does: a platform narrows the fan to that platform's.
        fan = await get_fan(session, creator.id, body.fan_id, body.platform)
        if fan is None:
            raise NotFound("No such fan")
    subs = await get_subscription_context(session, creator.id)
    only = subs.platforms[0] if len(subs.platforms) == 1 else None
    platform = body.platform or (fan.platform if fan else None) or only or DEFAULT_PLATFORM
    data = {
        "active_subscriptions": subs.active_count,
        "subscription_revenue_usd": format_usd(subs.total_revenue_micros),
        "average_subscription_usd": format_usd(subs.average_value_micros),
        "platforms": subs.platforms,
        "tiers": subs.tiers,
        "fan": None
        if fan is None
        else {
            "segments": [str(s) for s in fan.segments],
            "total_spent_usd": format_usd(fan.total_spent_micros),
            "tips_usd": format_usd(fan.tips_micros),
            "notes": clip(fan.notes or "", 1000),
        },
    }
    prompt = Prompt(
        Feature.SALES,
        _instructions(creator),
        data_block(data),
        answer_tokens=ANSWER_TOKENS,
    )
    result = await ai.run(creator, sales_agent, prompt, request_id=request_id, session=session)
    return SuggestionsResponse(
        platform=platform,
        suggestions=[_suggestion(s, platform) for s in result.output.suggestions],
        usage=result.usage(),
        emulated=ai.emulated,
    )
