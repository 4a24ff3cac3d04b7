from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_ai import Agent

from huntaze_ai.insights.schemas import InsightType


class Metric(BaseModel):
    name: str = Field(max_length=60)
    value: float


class InsightDraft(BaseModel):
    type: InsightType
    confidence: float = Field(ge=0, le=1)
    summary: str = Field(max_length=600, description="One or two sentences for the creator")
    recommended_action: str = Field(max_length=300)
    metrics: list[Metric] = Field(default_factory=list, max_length=6)


class InsightSet(BaseModel):
    insights: list[InsightDraft] = Field(min_length=1, max_length=6)


analytics_agent: Agent[None, InsightSet] = Agent(
    output_type=InsightSet, retries=0, name="analytics"
)
