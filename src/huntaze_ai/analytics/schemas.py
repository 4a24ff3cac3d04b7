from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from huntaze_ai.insights.schemas import InsightOut


class RefreshResponse(BaseModel):
    insights: list[InsightOut]
    usage: dict[str, Any]
    emulated: bool
