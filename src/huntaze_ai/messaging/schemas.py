from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from huntaze_ai.kit.platforms import Platform


class ConversationTurn(BaseModel):
    sender: Literal["fan", "creator"] = Field(alias="from")
    text: str = Field(min_length=1, max_length=4000)

    model_config = {"populate_by_name": True}


class ReplyRequest(BaseModel):
    fan_message: str = Field(min_length=1, max_length=4000)
    # Looked up in the database, and PostgreSQL text cannot hold a NUL: a 422 rather than a 500.
    fan_id: str | None = Field(default=None, min_length=1, max_length=255, pattern=r"^[^\x00]*$")
    platform: Platform | None = None
    conversation: list[ConversationTurn] = Field(default_factory=list, max_length=100)


class UpsellOut(BaseModel):
    kind: str
    description: str
    price_usd: str


class ComplianceReasonOut(BaseModel):
    code: str
    detail: str


class ComplianceOut(BaseModel):
    verdict: str
    reasons: list[ComplianceReasonOut]


class ReplyResponse(BaseModel):
    reply: str
    status: Literal["draft", "escalate"]
    confidence: float
    suggested_upsell: UpsellOut | None = None
    compliance: ComplianceOut
    usage: dict[str, Any]
    emulated: bool
