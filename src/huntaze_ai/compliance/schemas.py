from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from huntaze_ai.compliance.service import ComplianceReason, ComplianceResult
from huntaze_ai.compliance.words import MAX_PHRASE_CHARS
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.text import RequestModel


class CheckRequest(RequestModel):
    # Longer than any message the cap allows, so an over-long text gets a `too_long` verdict
    # telling the chatter by how much, rather than a bare 422.
    text: str = Field(min_length=1, max_length=10_000)
    platform: Platform | None = None
    fan_message: str | None = Field(default=None, max_length=10_000)


class ReasonOut(BaseModel):
    """One finding. `code`: the kind (forbidden_word, phone_number, email_address,
    external_link, handle, cashtag, crypto_address, escalation_trigger, custom_word, too_long,
    empty, prompt_leak, model_blocked); `rule` and `category` name the rule; `verdict` is what it
    alone would make of the message; `why` and `clause` explain it; `where` and `start`/`end`
    (character offsets) and `excerpt` point at what matched."""

    code: str
    detail: str
    rule: str = ""
    category: str = ""
    verdict: Literal["block", "escalate"] = "block"
    why: str = ""
    clause: str = ""
    where: Literal["message", "fan_message", "upsell"] = "message"
    start: int | None = None
    end: int | None = None
    excerpt: str = ""

    @classmethod
    def of(cls, reason: ComplianceReason) -> ReasonOut:
        return cls(
            code=reason.code,
            detail=reason.detail,
            rule=reason.rule,
            category=reason.category,
            verdict=reason.verdict,
            why=reason.why,
            clause=reason.clause,
            where=reason.where,
            start=reason.start,
            end=reason.end,
            excerpt=reason.excerpt,
        )


class CheckResponse(BaseModel):
    """`verdict`: ok (may be sent), block (must not be sent as is), escalate (a person must
    answer); `sendable` is true only for ok."""

    verdict: Literal["ok", "block", "escalate"]
    sendable: bool
    reasons: list[ReasonOut]
    rules_version: str

    @classmethod
    def of(cls, result: ComplianceResult) -> CheckResponse:
        return cls(
            verdict=result.verdict,
            sendable=result.sendable,
            reasons=[ReasonOut.of(r) for r in result.reasons],
            rules_version=result.rules_version,
        )


class WordIn(RequestModel):
    phrase: str = Field(min_length=1, max_length=MAX_PHRASE_CHARS)
    verdict: Literal["block", "escalate"] = "block"


class WordOut(BaseModel):
    id: int
    phrase: str
    verdict: Literal["block", "escalate"]
    created_at: datetime


class WordsOut(BaseModel):
    words: list[WordOut]


class ImportOut(BaseModel):
    added: list[WordOut]
    skipped: int


class RuleCountOut(BaseModel):
    rule: str
    category: str
    verdict: str
    count: int


class ViolationOut(BaseModel):
    id: int
    created_at: datetime
    actor_id: int | None
    source: str
    part: str
    rule: str
    category: str
    verdict: str
    excerpt: str
    rules_version: str


class ViolationsOut(BaseModel):
    since: datetime
    total: int
    counts: list[RuleCountOut]
    violations: list[ViolationOut]


class RuleOut(BaseModel):
    id: str
    category: str
    verdict: str
    why: str
    clause: str


class PpvRangeOut(BaseModel):
    min_usd: str
    max_usd: str
    allow_free: bool


class RulePackOut(BaseModel):
    platform: str
    version: str
    max_length: int
    ppv: PpvRangeOut | None
    rules: list[RuleOut]
