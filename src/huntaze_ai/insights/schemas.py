from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

# The same six values as `models.campaign.INSIGHT_TYPES` (a test keeps the two in step); a Literal
# so a wrong type is a validation error here rather than a CHECK violation at flush.
InsightType = Literal[
    "churn_alert",
    "revenue_trend",
    "engagement_drop",
    "growth_opportunity",
    "content_performance",
    "fan_behavior",
]


class InsightIn(BaseModel):
    type: InsightType
    confidence: float = Field(ge=0, le=1, allow_inf_nan=False)
    summary: str = Field(min_length=1, max_length=2000)
    data: dict[str, Any] = Field(default_factory=dict)


class InsightOut(BaseModel):
    id: int
    type: str
    confidence: float
    summary: str
    data: dict[str, Any]
    created_at: datetime


class InsightsResponse(BaseModel):
    insights: list[InsightOut]
