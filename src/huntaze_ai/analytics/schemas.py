from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class InsightOut(BaseModel):
    id: int
    type: str
    confidence: float
    summary: str
    data: dict[str, Any]
    created_at: datetime


class RefreshResponse(BaseModel):
    insights: list[InsightOut]
    usage: dict[str, Any]
    emulated: bool
