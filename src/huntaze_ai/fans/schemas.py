from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, StringConstraints

from huntaze_ai.creator_data.segments import FanSegment
from huntaze_ai.fans.service import MAX_NOTE_CHARS
from huntaze_ai.kit.text import RequestModel, refuse_blank
from huntaze_ai.models import NoteCategory

# A note shown as empty tells the next chatter nothing: invisible characters alone are refused
# as spaces alone are (kit/text.py).
NoteText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_CHARS),
    AfterValidator(refuse_blank),
]


class NoteIn(RequestModel):
    category: NoteCategory
    text: NoteText


class NoteOut(BaseModel):
    """A note (`saved`) or the model's proposal of one (`proposed`, `dismissed`). `confidence`
    is the model's, for notes it proposed; `created_by` the member who wrote it or whose reply
    proposed it."""

    id: int
    category: NoteCategory
    text: str
    status: Literal["saved", "proposed", "dismissed"]
    confidence: float | None
    draft_id: int | None
    created_by: int | None
    created_at: datetime
    updated_by: int | None
    updated_at: datetime | None
    decided_by: int | None  # who kept or dismissed the proposal
    decided_at: datetime | None


class NoteList(BaseModel):
    notes: list[NoteOut]  # important first, then the newest
    proposals: list[NoteOut]  # waiting for a chatter: accept or dismiss


class MessageOut(BaseModel):
    sender: Literal["fan", "creator"]
    text: str
    draft_id: int | None
    member_id: int | None  # who approved or wrote the creator's message
    created_at: datetime


class TodayOut(BaseModel):
    """What is left for the fan today: approved messages and PPV offers (the drafts' caps) and
    notes the assistant may still save on its own (today and in all); when the day resets."""

    dms_left: int
    ppvs_left: int
    auto_notes_left: int
    auto_notes_left_in_all: int
    resets_at: datetime


class FanElsewhere(BaseModel):
    """Another of the creator's fans with the same id, on another platform: someone else, whose
    memory and caps are kept apart."""

    platform: str
    display_name: str | None


class FanOut(BaseModel):
    fan_id: str
    platform: str
    display_name: str | None
    segments: list[FanSegment]
    total_spent_usd: str
    tips_usd: str
    first_seen_at: datetime
    last_active_at: datetime | None
    notes: list[NoteOut]
    proposals: list[NoteOut]
    conversation: list[MessageOut]  # the most recent, oldest first
    today: TodayOut
    also_on: list[FanElsewhere] = []
