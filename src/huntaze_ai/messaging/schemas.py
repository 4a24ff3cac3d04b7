from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from huntaze_ai.compliance.schemas import ReasonOut
from huntaze_ai.kit.ids import FanId
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.text import RequestModel


class ConversationTurn(RequestModel):
    sender: Literal["fan", "creator"] = Field(alias="from")
    text: str = Field(min_length=1, max_length=4000)

    model_config = ConfigDict(populate_by_name=True)


class ReplyRequest(RequestModel):
    fan_message: str = Field(min_length=1, max_length=4000)
    fan_id: FanId | None = None
    platform: Platform | None = None
    conversation: list[ConversationTurn] = Field(default_factory=list, max_length=100)


class UpsellOut(BaseModel):
    kind: str
    description: str
    price_usd: str
    # Set when the price was moved into the platform's PPV range ("clamped to …").
    price_note: str | None = None


# The guard's reasons, as POST /api/ai/compliance/check returns them.
ComplianceReasonOut = ReasonOut


class ComplianceOut(BaseModel):
    verdict: Literal["ok", "block", "escalate"]
    reasons: list[ReasonOut]
    rules_version: str = ""


class FanNoteOut(BaseModel):
    """A note the model proposed from the fan's message: `saved` (confident enough, within the
    fan's caps: a note now) or `proposed` (waits for a chatter on the fan's page)."""

    id: int
    category: str
    text: str
    confidence: float
    status: Literal["saved", "proposed"]


class ReplyResponse(BaseModel):
    """`status`: `draft` (may be sent: `reply` holds it), `blocked` (the draft broke a rule and
    must not be sent; `reply` is empty, `compliance.reasons` say why: regenerate or write one),
    `escalate` (a person must answer this fan: a refund, a threat, a minor, self-harm, or the
    model refused). `sendable` is true only for `draft`. Every reply is stored as a draft
    (`draft_id`): pending, or in the escalation queue when it is `escalate`. A suggested upsell
    the guard would not let through is dropped (`suggested_upsell` null) and `upsell_withheld`
    says why."""

    reply: str
    status: Literal["draft", "blocked", "escalate"]
    sendable: bool
    confidence: float
    suggested_upsell: UpsellOut | None = None
    upsell_withheld: ComplianceOut | None = None
    compliance: ComplianceOut
    usage: dict[str, Any]
    emulated: bool
    # The stored draft (GET /api/drafts/{id}): approve, edit, reject or escalate it there.
    draft_id: int | None = None
    # What the reply noted about the fan (GET /api/fans/{fan_id}); only with a `fan_id`.
    fan_notes: list[FanNoteOut] = []
