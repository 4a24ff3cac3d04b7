"""The team pages: the creator switcher's POST, /team (roster, roles, assignments, invitations,
the month per member and each creator's quota) and the invitation link. They call the same
services as the team API, with the same role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies import repository, service
from huntaze_ai.agencies.access import Acting, act_for, creators_for, parse_creator_id
from huntaze_ai.agencies.endpoints import manager_seat, owner_seat, team_view
from huntaze_ai.agencies.figures import team_figures
from huntaze_ai.auth.dependencies import CREATOR_COOKIE, PageActing, PageLogin
from huntaze_ai.auth.sessions import forget_shown_once, show_once, shown_once
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import HuntazeError
from huntaze_ai.kit.ids import MAX_ID, PathId
from huntaze_ai.kit.security import hash_api_token
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.metering.reports import parse_month
from huntaze_ai.web.forms import CsrfChecked, page_at_or_above, submit
from huntaze_ai.web.rendering import PAGE_HEADERS, PageError, page, templates

router = APIRouter(include_in_schema=False)
# The team forms: every one posts with the CSRF field.
forms = APIRouter(dependencies=[CsrfChecked], default_response_class=HTMLResponse)

ONCE_KIND = "invite"  # what the one-time cookie holds (auth/sessions.py)

# Notices travel in the redirect's query string as codes, never as text a link could inject.
_NOTICES = {
    "created": "Agency created. Invite your team below.",
    "role": "Role changed.",
    "removed": "Member removed: their sessions and API tokens stopped working.",
    "creator_removed": "Creator removed from the agency: the team no longer acts for them.",
    "assigned": "Chatter assigned.",
    "already_assigned": "That chatter already works for this creator.",
    "unassigned": "Assignment removed.",
    "invite_cancelled": "Invitation cancelled.",
    "joined": "Welcome to the team.",
}


@router.post("/acting", dependencies=[CsrfChecked])
async def switch_creator(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    creator_id: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/dashboard",
) -> Response:
    """Act for another creator from now on in this browser, on the page the switcher was on (or
    the nearest page above it); a creator the login may not act for is a 404 page like any
    other."""
    chosen = await act_for(
        session, acting.member, acting.seat, parse_creator_id(creator_id), pick_first=True
    )
    response = RedirectResponse(page_at_or_above(request, next), status_code=303)
    settings = request.app.state.settings
    response.set_cookie(
        CREATOR_COOKIE,
        str(chosen.creator.id),
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
    )
    return response


async def _team_page(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    *,
    month: str | None = None,
    error: PageError | None = None,
    notice: str | None = None,
    invite: service.NewInvite | None = None,
    status_code: int | None = None,
) -> Response:
    seat = acting.seat
    context: dict[str, object] = {
        "error": error,
        "notice": _NOTICES.get(notice or ""),
        "seat": seat,
        "new_invite": invite,
        "invite_url": None
        if invite is None
        else str(request.url_for("join_page", token=invite.token)),
    }
    if seat is not None and seat.role.acts_for_all:
        period = parse_month(month)
        team = await team_view(session, seat)
        context["team"] = team
        context["creator_names"] = {c.id: c.display_name or c.email for c in team.creators}
        context["chatters"] = [m for m in team.members if m.role == "chatter"]
        context["figures"] = await team_figures(
            session, request.app.state.meter, seat.agency_id, period
        )
        context["invites"] = await repository.open_invites(session, seat.agency_id, utcnow())
    elif seat is not None:
        context["works_for"] = await creators_for(session, acting.member, seat)
    return await page(
        request, "team.html", acting.creator, session, status_code=status_code, **context
    )


@router.get("/team", response_class=HTMLResponse)
async def team(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    notice: str | None = None,
    month: str | None = None,
) -> Response:
    invite = await _new_invite(request, acting, session)
    try:
        response = await _team_page(
            request, acting, session, month=month, notice=notice, invite=invite
        )
    except HuntazeError as exc:
        error = PageError.from_error(exc)
        response = await _team_page(request, acting, session, error=error, invite=invite)
    if invite is not None:
        forget_shown_once(request, response)
    return response


async def _new_invite(
    request: Request, acting: Acting, session: AsyncSession
) -> service.NewInvite | None:
    """The invitation this browser just made (create_invite's redirect), while it is still open
    and of the agency the login is in."""
    token = shown_once(request, ONCE_KIND)
    if token is None or acting.seat is None:
        return None
    invite = await repository.invite_by_hash(session, hash_api_token(token))
    if invite is None or invite.agency_id != acting.seat.agency_id or invite.used_at is not None:
        return None
    return service.NewInvite(token, invite)


async def _act(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    action: Callable[[], Awaitable[str | None]],
    notice: str,
) -> Response:
    async def show(error: PageError) -> Response:
        return await _team_page(request, acting, session, error=error)

    return await submit(session, action, back_to="/team", notice=notice, show=show)


@forms.post("/team/create")
async def create_agency(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    owner_is_creator: Annotated[bool, Form()] = False,
) -> Response:
    async def action() -> None:
        await service.create_agency(session, name, acting.member, owner_is_creator=owner_is_creator)

    return await _act(request, acting, session, action, "created")


@forms.post("/team/members/{user_id}/role")
async def change_role(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    user_id: PathId,
    role: Annotated[str, Form()] = "",
) -> Response:
    async def action() -> None:
        seat = owner_seat(acting.seat)
        await service.set_role(session, seat.agency_id, user_id, role)

    return await _act(request, acting, session, action, "role")


@forms.post("/team/members/{user_id}/remove")
async def remove_member(
    request: Request, acting: PageActing, session: SessionDep, user_id: PathId
) -> Response:
    async def action() -> None:
        seat = owner_seat(acting.seat)
        await service.remove_member(session, seat.agency_id, user_id)

    return await _act(request, acting, session, action, "removed")


@forms.post("/team/creators/{creator_id}/remove")
async def remove_creator(
    request: Request, acting: PageActing, session: SessionDep, creator_id: PathId
) -> Response:
    async def action() -> None:
        seat = owner_seat(acting.seat)
        await service.remove_creator(session, seat.agency_id, creator_id)

    return await _act(request, acting, session, action, "creator_removed")


@forms.post("/team/assignments")
async def assign(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    chatter_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    creator_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    async def action() -> str:
        seat = manager_seat(acting.seat)
        created = await service.assign(session, seat.agency_id, chatter_id, creator_id)
        return "assigned" if created else "already_assigned"

    return await _act(request, acting, session, action, "assigned")


@forms.post("/team/assignments/{chatter_id}/{creator_id}/remove")
async def unassign(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    chatter_id: PathId,
    creator_id: PathId,
) -> Response:
    async def action() -> None:
        seat = manager_seat(acting.seat)
        await service.unassign(session, seat.agency_id, chatter_id, creator_id)

    return await _act(request, acting, session, action, "unassigned")


@forms.post("/team/invites")
async def create_invite(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    role: Annotated[str, Form()] = "",
) -> Response:
    """The link is shown once, on the page this redirects to (reloading that page makes no
    other); only its hash is stored."""
    try:
        seat = owner_seat(acting.seat)
        new = await service.create_invite(session, seat, role, acting.member)
    except HuntazeError as exc:
        await session.rollback()
        return await _team_page(request, acting, session, error=PageError.from_error(exc))
    response = RedirectResponse("/team", status_code=303)
    show_once(request, response, ONCE_KIND, new.token)
    return response


@forms.post("/team/invites/{invite_id}/cancel")
async def cancel_invite(
    request: Request, acting: PageActing, session: SessionDep, invite_id: PathId
) -> Response:
    async def action() -> None:
        seat = owner_seat(acting.seat)
        await service.cancel_invite(session, seat.agency_id, invite_id)

    return await _act(request, acting, session, action, "invite_cancelled")


@router.get("/team/join/{token}", response_class=HTMLResponse, name="join_page")
async def join_page(
    request: Request, token: str, login: PageLogin, session: SessionDep
) -> Response:
    """What the invitation offers and what accepting does to this login, with an Accept button
    (none when accepting would be refused: the refusal is shown instead). Works for a login that
    acts for no creator yet (a new chatter), so it does not render the creator pages' header."""
    error = None
    offer: dict[str, object] | None = None
    try:
        invite, agency = await service.open_invite(session, token)
        offer = {"agency": agency.name, "role": invite.role, "expires_at": invite.expires_at}
        # Said before the button: a seat ends the account's life as a creator of its own.
        offer["closes_own_account"] = await service.vet_acceptance(session, invite, login.user)
    except HuntazeError as exc:
        error = PageError.from_error(exc)
    return _join_response(request, login.user.email, token, offer, error)


@forms.post("/team/join/{token}")
async def join(request: Request, token: str, login: PageLogin, session: SessionDep) -> Response:
    try:
        await service.accept_invite(session, token, login.user)
    except HuntazeError as exc:
        await session.rollback()
        return _join_response(request, login.user.email, token, None, PageError.from_error(exc))
    response = RedirectResponse("/team?notice=joined", status_code=303)
    response.delete_cookie(CREATOR_COOKIE, path="/")
    return response


async def invitation_to(session: AsyncSession, next_url: str) -> str | None:
    """The agency a login page's `next` invites to: a join link opened while logged out goes
    through the login, which then says what it is for. None for any other page, and for a link
    that no longer works (the join page says so after the login)."""
    token = next_url.partition("?")[0].removeprefix("/team/join/")
    if token == next_url or not token or "/" in token:
        return None
    try:
        _, agency = await service.open_invite(session, token)
    except HuntazeError:
        return None
    return agency.name


def _join_response(
    request: Request,
    email: str,
    token: str,
    offer: dict[str, object] | None,
    error: PageError | None,
) -> HTMLResponse:
    from huntaze_ai.auth.sessions import csrf_binding, csrf_token

    return templates.TemplateResponse(
        request,
        "team_join.html",
        {
            "email": email,
            "token": token,
            "offer": offer,
            "error": error,
            "csrf_token": csrf_token(request.app.state.settings, csrf_binding(request) or ""),
        },
        status_code=error.status_code if error else 200,
        headers=PAGE_HEADERS,
    )


router.include_router(forms)  # last: including copies the routes defined so far
