from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from huntaze_ai.kit.ids import Count
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.text import RequestModel


class CaptionRequest(RequestModel):
    platform: Platform
    # Blanks alone describe nothing: refused before a paid call writes a generic caption.
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
    ]
    tone: str | None = Field(default=None, max_length=40)
    variants: Count = Field(default=3, ge=1, le=5)


class CaptionOut(BaseModel):
    text: str
    hashtags: list[str]


class CaptionResponse(BaseModel):
    captions: list[CaptionOut]
    usage: dict[str, Any]
    emulated: bool
