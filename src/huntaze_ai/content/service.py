"""Captions (DESIGN §2.1): the content agent, then the platform rules applied to its answer."""

from __future__ import annotations

from huntaze_ai.content import rules
from huntaze_ai.content.agent import caption_agents
from huntaze_ai.content.schemas import CaptionOut, CaptionRequest, CaptionResponse
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.prompts import data_block, render
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.models import User

TOKENS_PER_VARIANT = 200


async def generate_captions(
    ai: AIPipeline, creator: User, body: CaptionRequest, request_id: str | None = None
) -> CaptionResponse:
    instructions = render(
        "content.j2",
        creator_name=creator.display_name,
        persona=creator.persona,
        platform=body.platform,
        guidance=rules.RULES[body.platform].guidance,
        variants=body.variants,
        tone=body.tone,
    )
    prompt = Prompt(
        Feature.CONTENT,
        instructions,
        data_block({"media_description": body.description}),
        answer_tokens=TOKENS_PER_VARIANT * body.variants,
    )
    result = await ai.run(creator, caption_agents[body.variants], prompt, request_id=request_id)
    captions = []
    for draft in result.output.captions[: body.variants]:
        text, tags = rules.apply(body.platform, draft.text, draft.hashtags, body.description)
        captions.append(CaptionOut(text=text, hashtags=[f"#{t}" for t in tags]))
    return CaptionResponse(captions=captions, usage=result.usage(), emulated=ai.emulated)
