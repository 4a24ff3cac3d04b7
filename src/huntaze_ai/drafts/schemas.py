from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from huntaze_ai.kit.ids import Count
from huntaze_ai.kit.text import RequestModel

StatusName = Literal["pending", "approved", "rejected", "escalated", "dismissed", "superseded"]


class DraftOut(BaseModel):
    id: int
    status: StatusName
    fan_id: str | None
    platform: str
    fan_message: str
    text: str  # what the model wrote ("" when none did)
    guard_verdict: Literal["ok", "block", "escalate"]
    reasons: list[dict[str, Any]]
    upsell: dict[str, Any] | None
    final_text: str | None  # what was approved to send
    edited: bool
    offer_sent: bool
    escalation_reason: str | None
    member_id: int | None  # who asked for the draft
    decided_by: int | None  # the latest decision's
    created_at: datetime
    decided_at: datetime | None
    escalated_by: int | None  # null with escalated_at: the guard or the model's filter
    escalated_at: datetime | None
    resolved_by: int | None  # answered, dismissed or handed back
    resolved_at: datetime | None
    chars_changed: int | None  # between the model's text and the approved one


class DraftList(BaseModel):
    drafts: list[DraftOut]


class Approve(RequestModel):
    # The edited final text; absent: the draft as the model wrote it.
    text: str | None = Field(default=None, min_length=1, max_length=1000)
    # Send the draft's suggested PPV offer with it (counts toward the PPV cap).
    send_offer: bool = False


class EscalateIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class ResolveIn(RequestModel):
    # The person's answer, guarded like any reply; absent: dismiss without a reply.
    text: str | None = Field(default=None, min_length=1, max_length=1000)


class EscalationOut(DraftOut):
    age_s: int


class EscalationList(BaseModel):
    escalations: list[EscalationOut]  # the oldest 100
    count: int  # all that wait


MAX_CAP_PER_DAY = 1000  # either cap, per fan per day; the inbox page's form keeps it too


class CapsIn(RequestModel):
    dms_per_day: Count = Field(ge=0, le=MAX_CAP_PER_DAY)
    ppvs_per_day: Count = Field(ge=0, le=MAX_CAP_PER_DAY)


class CapsOut(BaseModel):
    dms_per_day: int
    ppvs_per_day: int


class FanToday(BaseModel):
    fan_id: str
    platform: str
    dms_left: int
    ppvs_left: int
    resets_at: datetime


class DraftQuality(BaseModel):
    """A month of fan-reply drafts (by when each was drafted): how many a person approved, how
    many of those were edited first and by how many characters on average (Levenshtein), how
    many were rejected or went to the escalation queue, and how long the queue took to resolve
    them (answered, dismissed or handed back). Null where there is nothing to divide."""

    drafts: int = 0
    approved: int = 0
    edited: int = 0
    approval_rate: float | None = None
    edit_rate: float | None = None
    mean_chars_changed: float | None = None
    rejected: int = 0
    escalated: int = 0
    resolved: int = 0
    mean_resolve_s: int | None = None
    median_resolve_s: int | None = None


class MemberQuality(DraftQuality):
    member_id: int | None  # null: an account deleted since
    email: str | None
    display_name: str | None


class QualityOut(BaseModel):
    """The acting creator's month: all their drafts, then per member who asked for them."""

    month: str
    creator_id: int
    totals: DraftQuality
    members: list[MemberQuality]
