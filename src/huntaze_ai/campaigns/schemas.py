from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints

from huntaze_ai.insights.schemas import InsightOut
from huntaze_ai.kit.ids import MAX_ID, RowId
from huntaze_ai.kit.text import RequestModel, refuse_invisible

__all__ = ["MAX_ID", "RowId"]


class CampaignCreate(RequestModel):
    # A name is shown on pages: no control or invisible formatting characters (kit/text.py).
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
        AfterValidator(refuse_invisible),
    ]


class CampaignOut(BaseModel):
    id: int
    name: str
    stats: dict[str, Any]
    created_at: datetime
    insight_count: int


class CampaignsResponse(BaseModel):
    campaigns: list[CampaignOut]


class LinkRequest(RequestModel):
    insight_id: RowId


class LinkResponse(BaseModel):
    campaign_id: int
    insight_id: int
    linked: bool  # true: this call made the link
    # true: the pair was linked before this call and nothing changed (then `linked` is false)
    already_linked: bool


class CampaignInsightOut(InsightOut):
    linked_at: datetime


class CampaignInsightsResponse(BaseModel):
    insights: list[CampaignInsightOut]
