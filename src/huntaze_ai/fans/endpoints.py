"""The fan API (DESIGN §4): a fan's profile and memory, notes a chatter adds, edits and deletes,
and the assistant's proposed notes to accept or dismiss. Everything acts for the X-Creator-Id
creator; a fan the creator does not have is 404. A fan is an id on a platform: `?platform=`
picks the fan when the id exists on two; without it, the most recently active of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from huntaze_ai.auth.dependencies import CurrentActing
from huntaze_ai.fans import service
from huntaze_ai.fans.profile import fan_profile, known_fan, note_out
from huntaze_ai.fans.schemas import FanOut, NoteIn, NoteList, NoteOut
from huntaze_ai.kit.errors import API_ERRORS, error_responses
from huntaze_ai.kit.ids import FanId, PathId
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.session_deps import ReaderDep, SessionDep
from huntaze_ai.models import NoteStatus

router = APIRouter(
    prefix="/api/fans", tags=["fans"], responses={**API_ERRORS, **error_responses(409)}
)
OnPlatform = Annotated[Platform | None, Query()]


@router.get("/{fan_id}", response_model=FanOut)
async def get_fan(
    fan_id: FanId,
    acting: CurrentActing,
    session: SessionDep,
    platform: OnPlatform = None,
) -> FanOut:
    """The fan's profile, segment and spend, notes, pending proposals, the recent conversation
    and what is left of today's caps. `platform` picks the fan when the id exists on two."""
    return await fan_profile(session, acting.creator.id, fan_id, platform)


@router.get("/{fan_id}/notes", response_model=NoteList)
async def list_notes(
    fan_id: FanId, acting: CurrentActing, session: SessionDep, platform: OnPlatform = None
) -> NoteList:
    fan = await known_fan(session, acting.creator.id, fan_id, platform)
    key = (acting.creator.id, fan.platform, fan.external_id)
    return NoteList(
        notes=[note_out(n) for n in await service.notes(session, *key)],
        proposals=[note_out(n) for n in await service.notes(session, *key, NoteStatus.PROPOSED)],
    )


@router.post("/{fan_id}/notes", response_model=NoteOut, status_code=201)
async def add_note(
    fan_id: FanId,
    body: NoteIn,
    acting: CurrentActing,
    session: SessionDep,
    reader: ReaderDep,
    platform: OnPlatform = None,
) -> NoteOut:
    """A note from the member acting; 409 `note_exists` when the fan has it already (whatever
    its case or spacing). A pending proposal with the same text becomes this note."""
    # The fan is looked up on the reader: a write transaction that read first could not take
    # SQLite's write lock once another write had committed ("database is locked").
    fan = await known_fan(reader, acting.creator.id, fan_id, platform)
    note = await service.add_note(
        session,
        acting.creator.id,
        fan.platform,
        fan.external_id,
        acting.member.id,
        body.category,
        body.text,
    )
    return note_out(note)


async def _note_platform(
    fan_id: FanId,
    note_id: PathId,
    acting: CurrentActing,
    reader: ReaderDep,
    platform: OnPlatform = None,
) -> str:
    """The platform of the fan whose note the path names: `?platform=`, else the note's own."""
    return await service.note_platform(reader, acting.creator.id, platform, fan_id, note_id)


NoteOn = Annotated[str, Depends(_note_platform)]


@router.put("/{fan_id}/notes/{note_id}", response_model=NoteOut)
async def edit_note(
    fan_id: FanId,
    note_id: PathId,
    body: NoteIn,
    acting: CurrentActing,
    session: SessionDep,
    on: NoteOn,
) -> NoteOut:
    """Change a note's category and text (who and when are recorded)."""
    note = await service.edit_note(
        session,
        acting.creator.id,
        on,
        fan_id,
        acting.member.id,
        note_id,
        body.category,
        body.text,
    )
    return note_out(note)


@router.delete("/{fan_id}/notes/{note_id}", status_code=204)
async def delete_note(
    fan_id: FanId,
    note_id: PathId,
    acting: CurrentActing,
    session: SessionDep,
    on: NoteOn,
) -> Response:
    await service.delete_note(session, acting.creator.id, on, fan_id, note_id)
    return Response(status_code=204)


@router.post("/{fan_id}/proposals/{note_id}/accept", response_model=NoteOut)
async def accept_proposal(
    fan_id: FanId,
    note_id: PathId,
    acting: CurrentActing,
    session: SessionDep,
    on: NoteOn,
) -> NoteOut:
    """Keep the assistant's proposal as a note; 409 `proposal_decided` once someone did."""
    note = await service.decide_proposal(
        session, acting.creator.id, on, fan_id, acting.member.id, note_id, accept=True
    )
    return note_out(note)


@router.post("/{fan_id}/proposals/{note_id}/dismiss", response_model=NoteOut)
async def dismiss_proposal(
    fan_id: FanId,
    note_id: PathId,
    acting: CurrentActing,
    session: SessionDep,
    on: NoteOn,
) -> NoteOut:
    """Drop the proposal; the assistant will not propose the same note for this fan again."""
    note = await service.decide_proposal(
        session, acting.creator.id, on, fan_id, acting.member.id, note_id, accept=False
    )
    return note_out(note)
