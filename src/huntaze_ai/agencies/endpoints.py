"""The team API: who am I and whom may I act for (/api/me), the agency's roster, roles,
assignments, invitations and the managers' figures. These concern the login, not the creator it
acts for, so they take `CurrentLogin`; a role without the right gets 404 like everything else a
login may not see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from huntaze_ai.agencies import repository, service
from huntaze_ai.agencies.access import Seat, creators_for
from huntaze_ai.agencies.figures import team_figures
from huntaze_ai.agencies.schemas import (
    AgencyCreate,
    AgencyRef,
    AssignmentIn,
    AssignmentOut,
    CreatorRef,
    FiguresOut,
    InviteAccept,
    InviteCreated,
    InviteIn,
    InviteOut,
    Joined,
    MemberOut,
    MeOut,
    RoleChange,
    TeamOut,
)
from huntaze_ai.auth.dependencies import CurrentLogin
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import API_ERRORS, NotFound, error_responses
from huntaze_ai.kit.ids import PathId
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.llm.dependencies import MeterDep
from huntaze_ai.metering.reports import parse_month
from huntaze_ai.models import Role, User

router = APIRouter(
    prefix="/api", tags=["team"], responses={**API_ERRORS, **error_responses(409, 410)}
)


class NoTeam(NotFound):
    default_message = "You are not a member of an agency"


class ManagersOnly(NotFound):
    default_message = "Only the agency's owners and managers can see this"


class OwnersOnly(NotFound):
    default_message = "Only the agency's owners can do this"


def manager_seat(seat: Seat | None) -> Seat:
    if seat is None:
        raise NoTeam()
    if not seat.role.acts_for_all:
        raise ManagersOnly()
    return seat


def owner_seat(seat: Seat | None) -> Seat:
    if seat is None:
        raise NoTeam()
    if seat.role is not Role.OWNER:
        raise OwnersOnly()
    return seat


def creator_ref(user: User) -> CreatorRef:
    return CreatorRef(id=user.id, email=user.email, display_name=user.display_name)


@router.get("/me", response_model=MeOut)
async def me(login: CurrentLogin, session: SessionDep) -> MeOut:
    """The login, its agency and role, and the creators it may act for."""
    creators = await creators_for(session, login.user, login.seat)
    # As act_for decides without the header: the own account (listed first when it may act for
    # it), else the only creator; with several to choose from, the API must say.
    alone = len(creators) == 1 or (bool(creators) and creators[0].id == login.user.id)
    default = creators[0] if alone else None
    seat = login.seat
    return MeOut(
        id=login.user.id,
        email=login.user.email,
        display_name=login.user.display_name,
        agency=None if seat is None else AgencyRef(id=seat.agency_id, name=seat.agency_name),
        role=None if seat is None else seat.role.value,
        creators=[creator_ref(c) for c in creators],
        acting_for=None if default is None else default.id,
    )


async def team_view(session: SessionDep, seat: Seat) -> TeamOut:
    pairs = await repository.assignments(session, seat.agency_id)
    return TeamOut(
        agency=AgencyRef(id=seat.agency_id, name=seat.agency_name),
        role=seat.role.value,
        members=[
            MemberOut(
                id=user.id,
                email=user.email,
                display_name=user.display_name,
                role=role,
                assigned_creators=[c for m, c in pairs if m == user.id],
            )
            for user, role in await repository.members(session, seat.agency_id)
        ],
        creators=[creator_ref(c) for c in await repository.creators(session, seat.agency_id)],
    )


@router.post("/agency", response_model=TeamOut, status_code=201)
async def create_agency(body: AgencyCreate, login: CurrentLogin, session: SessionDep) -> TeamOut:
    """Create an agency with you as its owner (409 `already_member` if you hold a seat)."""
    agency = await service.create_agency(
        session, body.name, login.user, owner_is_creator=body.owner_is_creator
    )
    return await team_view(session, Seat(agency.id, agency.name, Role.OWNER))


@router.get("/agency", response_model=TeamOut)
async def get_team(login: CurrentLogin, session: SessionDep) -> TeamOut:
    """The agency's members, roles, creators and assignments (owners and managers)."""
    return await team_view(session, manager_seat(login.seat))


@router.get("/agency/figures", response_model=FiguresOut)
async def get_figures(
    login: CurrentLogin,
    session: SessionDep,
    meter: MeterDep,
    month: Annotated[str | None, Query(description="YYYY-MM (UTC); default: this month")] = None,
) -> FiguresOut:
    """The month per member and creator (AI calls, spend, escalations) and each creator's spend
    against quota (owners and managers)."""
    seat = manager_seat(login.seat)
    return await team_figures(session, meter, seat.agency_id, parse_month(month))


@router.patch("/agency/members/{user_id}", response_model=TeamOut)
async def change_role(
    user_id: PathId, body: RoleChange, login: CurrentLogin, session: SessionDep
) -> TeamOut:
    """Set a member's role (owners). 409 `last_owner` when it would leave no owner."""
    seat = owner_seat(login.seat)
    await service.set_role(session, seat.agency_id, user_id, body.role)
    return await team_view(session, seat)


@router.delete("/agency/members/{user_id}", status_code=204)
async def remove_member(user_id: PathId, login: CurrentLogin, session: SessionDep) -> Response:
    """Remove a member (owners): their tokens and sessions stop working at once."""
    seat = owner_seat(login.seat)
    await service.remove_member(session, seat.agency_id, user_id)
    return Response(status_code=204)


@router.delete("/agency/creators/{creator_id}", status_code=204)
async def remove_creator(creator_id: PathId, login: CurrentLogin, session: SessionDep) -> Response:
    """Take a creator out of the agency (owners): the team loses access to them at once."""
    seat = owner_seat(login.seat)
    await service.remove_creator(session, seat.agency_id, creator_id)
    return Response(status_code=204)


@router.post("/agency/assignments", response_model=AssignmentOut)
async def assign(body: AssignmentIn, login: CurrentLogin, session: SessionDep) -> AssignmentOut:
    """Let a chatter work for one of the agency's creators (owners and managers)."""
    seat = manager_seat(login.seat)
    created = await service.assign(session, seat.agency_id, body.chatter_id, body.creator_id)
    return AssignmentOut(chatter_id=body.chatter_id, creator_id=body.creator_id, created=created)


@router.delete("/agency/assignments/{chatter_id}/{creator_id}", status_code=204)
async def unassign(
    chatter_id: PathId, creator_id: PathId, login: CurrentLogin, session: SessionDep
) -> Response:
    seat = manager_seat(login.seat)
    await service.unassign(session, seat.agency_id, chatter_id, creator_id)
    return Response(status_code=204)


@router.get("/agency/invites", response_model=list[InviteOut])
async def list_invites(login: CurrentLogin, session: SessionDep) -> list[InviteOut]:
    """Invitations not used and not expired (owners)."""
    seat = owner_seat(login.seat)
    invites = await repository.open_invites(session, seat.agency_id, utcnow())
    return [InviteOut.model_validate(i, from_attributes=True) for i in invites]


@router.post("/agency/invites", response_model=InviteCreated, status_code=201)
async def create_invite(
    body: InviteIn, request: Request, login: CurrentLogin, session: SessionDep
) -> InviteCreated:
    """A one-time link to join as a member with `role`, or as one of the agency's creators;
    valid 7 days, shown once."""
    seat = owner_seat(login.seat)
    new = await service.create_invite(session, seat, body.role, login.user)
    return InviteCreated(
        id=new.invite.id,
        role=body.role,
        created_at=new.invite.created_at,
        expires_at=new.invite.expires_at,
        token=new.token,
        url=str(request.url_for("join_page", token=new.token)),
    )


@router.delete("/agency/invites/{invite_id}", status_code=204)
async def cancel_invite(invite_id: PathId, login: CurrentLogin, session: SessionDep) -> Response:
    seat = owner_seat(login.seat)
    await service.cancel_invite(session, seat.agency_id, invite_id)
    return Response(status_code=204)


@router.post("/invites/accept", response_model=Joined)
async def accept_invite(body: InviteAccept, login: CurrentLogin, session: SessionDep) -> Joined:
    """Join the agency an invitation names. 410 `invite_unusable` when expired or used."""
    agency, role = await service.accept_invite(session, body.token, login.user)
    return Joined(agency=AgencyRef(id=agency.id, name=agency.name), role=role)
