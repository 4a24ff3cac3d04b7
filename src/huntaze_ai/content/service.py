"""Captions (DESIGN §2.1): the content agent, then the platform rules applied to its answer."""

from __future__ import annotations

from typing import Any

from pydantic_ai import Agent

from huntaze_ai.content import rules
from huntaze_ai.content.agent import caption_agents
from huntaze_ai.content.schemas import CaptionOut, CaptionRequest, CaptionResponse
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.prompts import EMPTY_DATA, data_block, render
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.models import User

TOKENS_PER_VARIANT = 200


def _instructions(creator: User, platform: str, variants: int, tone: str | None) -> str:
    return render(
        "content.j2",
        creator_name=creator.display_name,
        persona=creator.persona,
        platform=platform,
        guidance=rules.RULES[platform].guidance,
        variants=variants,
        tone=tone,
    )


def least_prompts(creator: User) -> list[tuple[Agent[None, Any], Prompt]]:
    """The smallest requests captions can make for `creator`: one variant, no tone, an empty
    description, on each platform. No real request reserves less."""
    return [
        (
            caption_agents[1],
            Prompt(
                Feature.CONTENT, _instructions(creator, p, 1, None), EMPTY_DATA, TOKENS_PER_VARIANT
            ),
        )
        for p in rules.RULES
    ]


async def generate_captions(
    ai: AIPipeline, creator: User, body: CaptionRequest, request_id: str | None = None
) -> CaptionResponse:
    prompt = Prompt(
        Feature.CONTENT,
        _instructions(creator, body.platform, body.variants, body.tone),
        data_block({"media_description": body.description}),
        answer_tokens=TOKENS_PER_VARIANT * body.variants,
    )
    result = await ai.run(creator, caption_agents[body.variants], prompt, request_id=request_id)
    captions = []
    for draft in result.output.captions[: body.variants]:
        text, tags = rules.apply(body.platform, draft.text, draft.hashtags, body.description)
        captions.append(CaptionOut(text=text, hashtags=[f"#{t}" for t in tags]))
    return CaptionResponse(captions=captions, usage=result.usage(), emulated=ai.emulated)
