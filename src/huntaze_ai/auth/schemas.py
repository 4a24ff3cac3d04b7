from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TokenRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type
    expires_in: int = Field(description="Seconds until the token expires")
