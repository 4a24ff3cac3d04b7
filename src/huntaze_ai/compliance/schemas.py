from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from huntaze_ai.kit.platforms import Platform


class CheckRequest(BaseModel):
    # Longer than any message the cap allows, so an over-long text gets a `too_long` verdict
    # telling the chatter by how much, rather than a bare 422.
    text: str = Field(min_length=1, max_length=10_000)
    platform: Platform | None = None


class ReasonOut(BaseModel):
    code: str
    detail: str


class CheckResponse(BaseModel):
    verdict: Literal["ok", "block", "escalate"]
    reasons: list[ReasonOut]
