from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_ai import Agent


class SuggestionDraft(BaseModel):
    kind: Literal["upsell", "ppv", "bundle", "renewal_offer", "tip_prompt"]
    title: str = Field(max_length=120)
    rationale: str = Field(max_length=500)
    target_segment: Literal["whale", "new", "at_risk", "dormant", "active", "all"]
    price_min_usd: float = Field(ge=1, le=1000)
    price_max_usd: float = Field(ge=1, le=1000)


class SuggestionSet(BaseModel):
    suggestions: list[SuggestionDraft] = Field(min_length=1, max_length=5)


sales_agent: Agent[None, SuggestionSet] = Agent(output_type=SuggestionSet, retries=0, name="sales")
