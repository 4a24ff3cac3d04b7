"""/fans/{fan_id}?platform=: one fan's profile, segment and spend, notes (add, edit, delete), the
assistant's proposed notes (accept, dismiss), the conversation and what is left of today's caps,
over the same services as the fan API. Without a platform, the most recently active fan with the
id; the page's links and forms then name the platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting
from huntaze_ai.auth.dependencies import PageActing
from huntaze_ai.creator_data.service import list_fans
from huntaze_ai.fans import service
from huntaze_ai.fans.profile import FanNotFound, fan_profile, known_fan
from huntaze_ai.kit.errors import InvalidRequest
from huntaze_ai.kit.ids import FanId, PathId
from huntaze_ai.kit.platforms import PLATFORM_NAMES
from huntaze_ai.kit.session_deps import ReaderDep, SessionDep
from huntaze_ai.kit.text import is_blank
from huntaze_ai.models import NoteCategory
from huntaze_ai.users.repository import display_names
from huntaze_ai.web.formatting import fan_href
from huntaze_ai.web.forms import CsrfChecked, submit
from huntaze_ai.web.rendering import PageError, page

router = APIRouter(include_in_schema=False)
forms = APIRouter(dependencies=[CsrfChecked], default_response_class=HTMLResponse)

# A plain string: a page answers an unknown platform with its 404, not a validation error.
OnPlatform = Annotated[str | None, Query()]
Category = Annotated[str, Form(max_length=40)]
Text = Annotated[str, Form(max_length=service.MAX_NOTE_CHARS * 2)]
CATEGORY_LABELS = {
    NoteCategory.IMPORTANT: "Important",
    NoteCategory.PREFERENCES: "Preferences",
    NoteCategory.INTERESTS: "Interests",
    NoteCategory.PERSONAL: "Personal",
    NoteCategory.PURCHASE_BEHAVIOR: "Purchase behavior",
    NoteCategory.COMMUNICATION_STYLE: "Communication style",
    NoteCategory.EMOTIONAL_STATE: "Emotional state",
}
# Notices travel in the redirect's query string as codes, never as text a link could inject.
_NOTICES = {
    "added": "Note added.",
    "edited": "Note saved.",
    "deleted": "Note deleted.",
    "accepted": "Proposal kept as a note.",
    "dismissed": "Proposal dismissed: it will not be proposed again for this fan.",
}


PICKS_LISTED = 20
RECENT_PICKS = 6
MAX_SEARCH = 100


fan_url = fan_href


def _platform(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in PLATFORM_NAMES:
        raise FanNotFound()
    return value


def parse_choice(choice: str) -> tuple[str, str | None]:
    """(fan id, platform) of a picker value "<platform>:<id>"; a bare id has no platform."""
    platform, sep, external_id = choice.partition(":")
    if sep and external_id and platform in PLATFORM_NAMES:
        return external_id, platform
    return choice, None


async def fan_picker(
    session: AsyncSession, creator_id: int, choice: str, search: str
) -> dict[str, Any]:
    """The /messages picker: the fans whose name or id contains `search` (else the most recently
    active few), and the fan picked, with the memory shown beside the draft form."""
    search = search.strip()[:MAX_SEARCH]
    fans, total = await list_fans(
        session, creator_id, PICKS_LISTED if search else RECENT_PICKS, search or None
    )
    chosen = None
    if choice:
        fan_id, platform = parse_choice(choice[:300])
        try:
            chosen = await fan_profile(session, creator_id, fan_id, platform)
        except FanNotFound:
            chosen = None
    return {
        "picks": [(f"{f.platform}:{f.external_id}", f) for f in fans],
        "picks_total": total,
        "search": search,
        "chosen": chosen,
        "chosen_missing": bool(choice) and chosen is None,
        "chosen_url": fan_url(chosen.fan_id, chosen.platform) if chosen else None,
        "categories": CATEGORY_LABELS,
    }


async def _fan_page(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    fan_id: str,
    platform: str | None,
    *,
    notice: str | None = None,
    error: PageError | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    fan = await fan_profile(session, acting.creator.id, fan_id, platform)
    people = {p for n in fan.notes for p in (n.created_by, n.updated_by, n.decided_by)}
    return await page(
        request,
        "fan.html",
        acting.creator,
        session,
        fan=fan,
        fan_url=fan_url(fan.fan_id, fan.platform),
        fan_action=lambda suffix: fan_url(fan.fan_id, fan.platform, suffix),
        picker_value=f"{fan.platform}:{fan.fan_id}",
        names=await display_names(session, {p for p in people if p is not None}),
        categories=CATEGORY_LABELS,
        max_chars=service.MAX_NOTE_CHARS,
        notice=_NOTICES.get(notice or ""),
        error=error,
        form=form or {},
    )


@router.get("/fans/{fan_id}", response_class=HTMLResponse)
async def fan_page(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    fan_id: FanId,
    platform: OnPlatform = None,
    notice: str | None = None,
) -> Response:
    return await _fan_page(request, acting, session, fan_id, _platform(platform), notice=notice)


def _note_input(category: str, text: str) -> tuple[str, str]:
    if category not in CATEGORY_LABELS:
        raise InvalidRequest("Choose one of the categories", fields=[{"field": "category"}])
    text = text.strip()
    if is_blank(text):
        raise InvalidRequest("Write the note", fields=[{"field": "text"}])
    if len(text) > service.MAX_NOTE_CHARS:
        raise InvalidRequest(
            f"A note holds at most {service.MAX_NOTE_CHARS} characters",
            fields=[{"field": "text"}],
        )
    return category, text


async def _change(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    fan_id: str,
    platform: str | None,
    action: Callable[[], Awaitable[str]],
    notice: str,
    form: dict[str, str] | None = None,
) -> Response:
    """Run `action`, which answers the platform of the fan it changed: a form from a page opened
    before fans had platforms names none, and its redirect must still show that fan."""
    changed_on = platform

    async def show(error: PageError) -> Response:
        return await _fan_page(request, acting, session, fan_id, platform, error=error, form=form)

    async def run() -> None:
        nonlocal changed_on
        changed_on = await action()

    def back_to() -> str:
        return fan_url(fan_id, changed_on)

    return await submit(session, run, back_to=back_to, notice=notice, show=show)


@forms.post("/fans/{fan_id}/notes")
async def add_note(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    reader: ReaderDep,
    fan_id: FanId,
    platform: OnPlatform = None,
    category: Category = "",
    text: Text = "",
) -> Response:
    on = _platform(platform)

    async def action() -> str:
        # On the reader: the form's transaction must write first (SQLite's write lock).
        fan = await known_fan(reader, acting.creator.id, fan_id, on)
        what, words = _note_input(category, text)
        await service.add_note(
            session, acting.creator.id, fan.platform, fan.external_id, acting.member.id, what, words
        )
        return fan.platform

    form = {"category": category, "text": text}
    return await _change(request, acting, session, fan_id, on, action, "added", form)


@forms.post("/fans/{fan_id}/notes/{note_id}/edit")
async def edit_note(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    fan_id: FanId,
    reader: ReaderDep,
    note_id: PathId,
    platform: OnPlatform = None,
    category: Category = "",
    text: Text = "",
) -> Response:
    on = _platform(platform)

    async def action() -> str:
        what, words = _note_input(category, text)
        fan_on = await service.note_platform(reader, acting.creator.id, on, fan_id, note_id)
        await service.edit_note(
            session, acting.creator.id, fan_on, fan_id, acting.member.id, note_id, what, words
        )
        return fan_on

    # On a refusal (a duplicate, too long) the page shows this note's form open as typed.
    form = {"edit_id": str(note_id), "category": category, "text": text}
    return await _change(request, acting, session, fan_id, on, action, "edited", form)


@forms.post("/fans/{fan_id}/notes/{note_id}/delete")
async def delete_note(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    fan_id: FanId,
    reader: ReaderDep,
    note_id: PathId,
    platform: OnPlatform = None,
) -> Response:
    on = _platform(platform)

    async def action() -> str:
        fan_on = await service.note_platform(reader, acting.creator.id, on, fan_id, note_id)
        await service.delete_note(session, acting.creator.id, fan_on, fan_id, note_id)
        return fan_on

    return await _change(request, acting, session, fan_id, on, action, "deleted")


@forms.post("/fans/{fan_id}/proposals/{note_id}/{decision}")
async def decide(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    fan_id: FanId,
    note_id: PathId,
    decision: Annotated[str, Path(pattern="^(accept|dismiss)$")],
    reader: ReaderDep,
    platform: OnPlatform = None,
) -> Response:
    on = _platform(platform)

    async def action() -> str:
        fan_on = await service.note_platform(reader, acting.creator.id, on, fan_id, note_id)
        await service.decide_proposal(
            session,
            acting.creator.id,
            fan_on,
            fan_id,
            acting.member.id,
            note_id,
            decision == "accept",
        )
        return fan_on

    notice = "accepted" if decision == "accept" else "dismissed"
    return await _change(request, acting, session, fan_id, on, action, notice)


router.include_router(forms)
