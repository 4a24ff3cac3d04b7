"""The draft inbox API (DESIGN §4): drafts and their decisions, the escalation queue, per-fan
caps. Everything acts for the X-Creator-Id creator; decisions record the member who made them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from huntaze_ai.agencies.access import overseen
from huntaze_ai.auth.dependencies import CurrentActing, ReaderActing
from huntaze_ai.compliance.guard import GuardDep
from huntaze_ai.creator_data.service import fan_platform
from huntaze_ai.drafts import service
from huntaze_ai.drafts.authorship import authorship_csv
from huntaze_ai.drafts.quality import creator_quality
from huntaze_ai.drafts.schemas import (
    Approve,
    CapsIn,
    CapsOut,
    DraftList,
    DraftOut,
    EscalateIn,
    EscalationList,
    EscalationOut,
    FanToday,
    QualityOut,
    ResolveIn,
    StatusName,
)
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import API_ERRORS, error_responses
from huntaze_ai.kit.ids import FanId, PathId
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.metering.reports import format_month, parse_month
from huntaze_ai.models import Draft

router = APIRouter(prefix="/api", tags=["drafts"], responses={**API_ERRORS, **error_responses(409)})
Month = Annotated[str | None, Query(description="YYYY-MM (UTC); default: this month")]


def draft_out(draft: Draft) -> DraftOut:
    return DraftOut.model_validate(draft, from_attributes=True)


@router.get("/drafts", response_model=DraftList)
async def list_drafts(
    acting: CurrentActing,
    session: SessionDep,
    status: StatusName | None = None,
    fan_id: Annotated[FanId | None, Query()] = None,
    platform: Annotated[Platform | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIST)] = 50,
) -> DraftList:
    """The creator's drafts, newest first, by status, fan and platform."""
    drafts = await service.list_drafts(
        session, acting.creator.id, status=status, fan_id=fan_id, platform=platform, limit=limit
    )
    return DraftList(drafts=[draft_out(d) for d in drafts])


@router.get("/drafts/caps", response_model=CapsOut)
async def get_caps(acting: CurrentActing, session: SessionDep) -> CapsOut:
    dms, ppvs = await service.fan_caps(session, acting.creator.id)
    return CapsOut(dms_per_day=dms, ppvs_per_day=ppvs)


@router.put("/drafts/caps", response_model=CapsOut)
async def set_caps(body: CapsIn, acting: CurrentActing, session: SessionDep) -> CapsOut:
    """The creator's per-fan caps: approved DMs and PPV offers per fan per UTC day. The creator
    and the agency's owners and managers: the caps are what hold the chatters (404 for them)."""
    overseen(acting, service.CapsOverseen)
    await service.set_caps(session, acting.creator.id, body.dms_per_day, body.ppvs_per_day)
    return CapsOut(dms_per_day=body.dms_per_day, ppvs_per_day=body.ppvs_per_day)


@router.get("/drafts/quality", response_model=QualityOut)
async def quality(acting: CurrentActing, session: SessionDep, month: Month = None) -> QualityOut:
    """The month's drafts (by when drafted): approved, edited and by how many characters,
    rejected, escalated, and how long escalations waited; in all, then per member who asked.
    The creator and the agency's owners and managers; a chatter gets 404."""
    creator_id = overseen(acting).creator.id
    return await creator_quality(session, creator_id, parse_month(month))


@router.get(
    "/drafts/authorship.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per draft"}},
)
async def authorship(acting: CurrentActing, session: SessionDep, month: Month = None) -> Response:
    """Who wrote each message of the month, as CSV: who asked, drafted (the AI model or a
    person), edited and approved it and when, the escalation queue's part, the final status
    and text. The creator and the agency's owners and managers; a chatter gets 404."""
    creator_id = overseen(acting).creator.id
    period = parse_month(month)
    name = f"huntaze-ai-authorship-{creator_id}-{format_month(period)}.csv"
    return Response(
        await authorship_csv(session, creator_id, period),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/drafts/{draft_id}", response_model=DraftOut)
async def get_draft(draft_id: PathId, acting: CurrentActing, session: SessionDep) -> DraftOut:
    return draft_out(await service.get_draft(session, acting.creator.id, draft_id))


@router.post("/drafts/{draft_id}/approve", response_model=DraftOut)
async def approve(
    draft_id: PathId, body: Approve, acting: ReaderActing, session: SessionDep, guard: GuardDep
) -> DraftOut:
    """Approve a pending draft as drafted, or with `text` as the edited final text. The guard
    checks the final text (422 `blocked_by_guard` with its reasons); the fan's caps for today
    hold (409 `fan_cap_reached`); a draft someone decided first is 409 `draft_state_changed`."""
    decided = await service.approve(
        session, guard, acting.creator.id, acting.member.id, draft_id, body.text, body.send_offer
    )
    return draft_out(decided.draft)


@router.post("/drafts/{draft_id}/reject", response_model=DraftOut)
async def reject(draft_id: PathId, acting: CurrentActing, session: SessionDep) -> DraftOut:
    return draft_out(await service.reject(session, acting.creator.id, acting.member.id, draft_id))


@router.post("/drafts/{draft_id}/escalate", response_model=DraftOut)
async def escalate(
    draft_id: PathId, body: EscalateIn, acting: CurrentActing, session: SessionDep
) -> DraftOut:
    """Hand a pending draft to the escalation queue, saying why."""
    draft = await service.escalate(
        session, acting.creator.id, acting.member.id, draft_id, body.reason
    )
    return draft_out(draft)


@router.get("/escalations", response_model=EscalationList)
async def escalations(acting: CurrentActing, session: SessionDep) -> EscalationList:
    """The queue, oldest first, each with its age in seconds."""
    now = utcnow()
    queue = await service.escalations(session, acting.creator.id)
    _, waiting = await service.waiting(session, acting.creator.id)
    return EscalationList(
        escalations=[
            EscalationOut(
                **draft_out(d).model_dump(), age_s=int((now - d.created_at).total_seconds())
            )
            for d in queue
        ],
        count=waiting,
    )


@router.post("/escalations/{draft_id}/resolve", response_model=DraftOut)
async def resolve(
    draft_id: PathId, body: ResolveIn, acting: ReaderActing, session: SessionDep, guard: GuardDep
) -> DraftOut:
    """Answer with `text` (guarded and counted like any approval), or dismiss without it. The
    creator and the agency's owners and managers; a chatter gets 404."""
    overseen(acting, service.QueueOverseersOnly)
    decided = await service.resolve(
        session, guard, acting.creator.id, acting.member.id, draft_id, body.text
    )
    return draft_out(decided.draft)


@router.post("/escalations/{draft_id}/hand-back", response_model=DraftOut)
async def hand_back(draft_id: PathId, acting: CurrentActing, session: SessionDep) -> DraftOut:
    """Back to the chatters' inbox as a pending draft. The creator and the agency's owners and
    managers; a chatter gets 404."""
    overseen(acting, service.QueueOverseersOnly)
    draft = await service.hand_back(session, acting.creator.id, acting.member.id, draft_id)
    return draft_out(draft)


@router.get("/fans/{fan_id}/today", response_model=FanToday)
async def fan_today(
    fan_id: FanId,
    acting: CurrentActing,
    session: SessionDep,
    platform: Annotated[Platform | None, Query()] = None,
) -> FanToday:
    """What is left for this fan today under the caps, and when it resets. The caps count per
    platform: without `platform`, the creator's fan with this id (the most recently active),
    else OnlyFans, as a reply without one is. A fan id the creator has no fan row for is
    answered too (all of today left): a reply may name a fan before any data about it exists,
    and its drafts are counted against the caps all the same."""
    on = await fan_platform(session, acting.creator.id, fan_id, platform)
    dms, ppvs, resets = await service.fan_today(session, acting.creator.id, on, fan_id)
    return FanToday(fan_id=fan_id, platform=on, dms_left=dms, ppvs_left=ppvs, resets_at=resets)
