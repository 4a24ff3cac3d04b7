from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from huntaze_ai.drafts.schemas import DraftQuality
from huntaze_ai.kit.ids import RowId
from huntaze_ai.kit.text import RequestModel

RoleName = Literal["owner", "manager", "chatter"]
InviteRole = Literal["owner", "manager", "chatter", "creator"]


class CreatorRef(BaseModel):
    id: int
    email: str
    display_name: str | None


class AgencyRef(BaseModel):
    id: int
    name: str


class MeOut(BaseModel):
    """The login, its agency seat, and the creators it may act for (send one's id as
    X-Creator-Id; `acting_for` is the one a request without the header acts for, or null when
    the header is required)."""

    id: int
    email: str
    display_name: str | None
    agency: AgencyRef | None
    role: RoleName | None
    creators: list[CreatorRef]
    acting_for: int | None


class AgencyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=120)
    # The owner's own account is also one of the agency's creators (a creator hiring chatters).
    owner_is_creator: bool = False


class MemberOut(BaseModel):
    id: int
    email: str
    display_name: str | None
    role: RoleName
    assigned_creators: list[int]  # chatters only: the creators they work for


class TeamOut(BaseModel):
    agency: AgencyRef
    role: RoleName  # the caller's
    members: list[MemberOut]
    creators: list[CreatorRef]


class RoleChange(RequestModel):
    role: RoleName


class AssignmentIn(RequestModel):
    chatter_id: RowId
    creator_id: RowId


class AssignmentOut(BaseModel):
    chatter_id: int
    creator_id: int
    created: bool  # false: the pair already existed


class InviteIn(RequestModel):
    role: InviteRole


class InviteOut(BaseModel):
    id: int
    role: InviteRole
    created_at: datetime
    expires_at: datetime


class InviteCreated(InviteOut):
    """The link is shown once: only a hash of its token is kept."""

    token: str
    url: str


class InviteAccept(RequestModel):
    token: str = Field(min_length=1, max_length=200)


class Joined(BaseModel):
    agency: AgencyRef
    role: InviteRole


class CreatorFigures(DraftQuality):
    creator_id: int
    calls: int
    cost_usd: str
    escalations: int


class MemberFigures(DraftQuality):
    """One person's month across the agency's creators. `role` is their seat now: `creator`
    for a creator's own calls, null for someone no longer on the team. `escalations` counts
    the guard's escalations and the model's safety blocks of their requests, hand checks
    included; `escalated` (of DraftQuality) the drafts they asked for that reached the queue,
    escalations by hand included."""

    member_id: int | None
    email: str | None
    display_name: str | None
    role: Literal["owner", "manager", "chatter", "creator"] | None
    calls: int
    cost_usd: str
    escalations: int
    by_creator: list[CreatorFigures]


class CreatorQuota(BaseModel):
    id: int
    email: str
    display_name: str | None
    plan: str
    spent_usd: str
    reserved_usd: str
    limit_usd: str
    percent_used: Decimal


class FiguresOut(BaseModel):
    month: str
    members: list[MemberFigures]
    creators: list[CreatorQuota]
