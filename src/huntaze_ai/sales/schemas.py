from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SuggestionsRequest(BaseModel):
    # Looked up in the database, and PostgreSQL text cannot hold a NUL: a 422 rather than a 500.
    fan_id: str | None = Field(default=None, min_length=1, max_length=255, pattern=r"^[^\x00]*$")


class SuggestionOut(BaseModel):
    kind: str
    title: str
    rationale: str
    target_segment: str
    price_min_usd: str
    price_max_usd: str


class SuggestionsResponse(BaseModel):
    suggestions: list[SuggestionOut]
    usage: dict[str, Any]
    emulated: bool
