from __future__ import annotations

from pydantic import BaseModel, Field, create_model
from pydantic_ai import Agent

MAX_VARIANTS = 5


class CaptionDraft(BaseModel):
    text: str = Field(description="The caption text, without hashtags", max_length=1000)
    hashtags: list[str] = Field(description="Hashtags without the # sign", max_length=15)


class CaptionSet(BaseModel):
    captions: list[CaptionDraft]


def _agent_for(count: int) -> Agent[None, CaptionSet]:
    # The number of variants is part of the output schema, so the model is held to it.
    output = create_model(
        f"CaptionSet{count}",
        __base__=CaptionSet,
        captions=(list[CaptionDraft], Field(min_length=count, max_length=count)),
    )
    return Agent(output_type=output, retries=0, name="content")


caption_agents: dict[int, Agent[None, CaptionSet]] = {
    n: _agent_for(n) for n in range(1, MAX_VARIANTS + 1)
}
