from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from huntaze_ai.kit.text import RequestModel


class TokenRequest(RequestModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type
    expires_in: int = Field(description="Seconds until the token expires")


class TokenOut(BaseModel):
    """An API token as its owner may see it: never the token itself, only its first characters."""

    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute; null if never used")
    expires_at: datetime | None = Field(description="Null for tokens from the CLI")


class TokenList(BaseModel):
    tokens: list[TokenOut]
