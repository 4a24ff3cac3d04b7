"""Agency teams (DESIGN §2.7): creating an agency, its creators, members and their roles,
chatter assignments and invitations. Services flush; the caller's session commits.

Every rule that keeps an agency usable is checked here, under the agency's lock: an account holds
one seat; a creator belongs to one agency; an agency always keeps an owner; only chatters are
assigned (owners and managers act for every creator anyway); a removed member's tokens and
sessions are revoked in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies import repository
from huntaze_ai.agencies.access import NoSuchCreator, Seat
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import Conflict, HuntazeError, InvalidRequest, NotFound
from huntaze_ai.kit.security import hash_api_token
from huntaze_ai.models import (
    INVITE_ROLES,
    Agency,
    AgencyCreator,
    AgencyInvite,
    AgencyMember,
    Assignment,
    Role,
    User,
)

INVITE_TTL = timedelta(days=7)
INVITE_PREFIX = "hzinv_"
MAX_NAME = 120


class AlreadyMember(Conflict):
    code = "already_member"
    default_message = "This account is already a member of an agency"


class CreatorAccountTaken(Conflict):
    code = "creator_account"
    default_message = (
        "This account is a creator's own (it has fans, drafts or AI usage): a seat would close "
        "it. Join as one of the agency's creators, or take the seat with another email"
    )


class AlreadyInAgency(Conflict):
    code = "already_in_agency"
    default_message = "This creator already belongs to an agency"


class LastOwner(Conflict):
    code = "last_owner"
    default_message = "An agency must keep at least one owner: make someone else owner first"


class AgencyNameTaken(Conflict):
    code = "agency_name_taken"
    default_message = "An agency with this name already exists"


class InviteUnusable(HuntazeError):
    status_code = 410
    code = "invite_unusable"
    default_message = "This invitation has expired or was already used: ask for a new link"


class InviterGone(InviteUnusable):
    default_message = (
        "Whoever made this invitation no longer owns the agency: ask one of its owners for a "
        "new link"
    )


class AgencyNotFound(NotFound):
    default_message = "No such agency"


class MemberNotFound(NotFound):
    default_message = "No such member in your agency"


class NotAChatter(InvalidRequest):
    default_message = "Only chatters are assigned to creators: owners and managers act for all"


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME or not cleaned.isprintable():
        raise InvalidRequest(
            f"An agency name is 1 to {MAX_NAME} printable characters",
            fields=[{"field": "name", "message": "1-120 printable characters"}],
        )
    return cleaned


def parse_role(value: str, allowed: tuple[str, ...] = tuple(Role)) -> str:
    if value not in allowed:
        raise InvalidRequest(
            f"role must be one of {', '.join(allowed)}",
            fields=[{"field": "role", "message": f"one of {', '.join(allowed)}"}],
        )
    return value


async def create_agency(
    session: AsyncSession, name: str, owner: User, *, owner_is_creator: bool = False
) -> Agency:
    """A new agency with `owner` as its first owner; `owner_is_creator` also makes the owner's
    own account one of its creators (a creator who hires chatters)."""
    name = clean_name(name)
    agency = Agency(name=name)
    # The insert comes first (it takes SQLite's write lock at once); the unique name and the
    # one-seat-per-account key decide races that the checks below cannot see.
    try:
        async with session.begin_nested():
            session.add(agency)
            await session.flush()
    except IntegrityError:
        raise AgencyNameTaken(name=name) from None
    if await repository.seat(session, owner.id) is not None:
        raise AlreadyMember(email=owner.email)
    if owner_is_creator and await repository.creator_link(session, owner.id) is not None:
        raise AlreadyInAgency(email=owner.email)
    try:
        async with session.begin_nested():
            session.add(AgencyMember(agency_id=agency.id, user_id=owner.id, role=Role.OWNER))
            if owner_is_creator:
                session.add(AgencyCreator(agency_id=agency.id, creator_id=owner.id))
            await session.flush()
    except IntegrityError:
        raise AlreadyMember(email=owner.email) from None
    return agency


async def add_creator(session: AsyncSession, agency_id: int, creator: User) -> None:
    await repository.lock(session, agency_id)
    link = await repository.creator_link(session, creator.id)
    if link is not None:
        raise AlreadyInAgency(email=creator.email)
    session.add(AgencyCreator(agency_id=agency_id, creator_id=creator.id))
    await session.flush()


async def remove_creator(session: AsyncSession, agency_id: int, creator_id: int) -> None:
    """The creator works alone again; the agency's members lose access at once."""
    await repository.lock(session, agency_id)
    if not await repository.remove_creator(session, agency_id, creator_id):
        raise NoSuchCreator()


async def add_member(session: AsyncSession, agency_id: int, user: User, role: str) -> None:
    parse_role(role)
    await repository.lock(session, agency_id)
    if await repository.seat(session, user.id) is not None:
        raise AlreadyMember(email=user.email)
    session.add(AgencyMember(agency_id=agency_id, user_id=user.id, role=role))
    await session.flush()


async def _member(session: AsyncSession, agency_id: int, user_id: int) -> AgencyMember:
    seat = await repository.seat(session, user_id)
    if seat is None or seat.agency_id != agency_id:
        raise MemberNotFound()
    return seat


async def _keep_an_owner(session: AsyncSession, member: AgencyMember) -> None:
    if member.role == Role.OWNER and await repository.owner_count(session, member.agency_id) <= 1:
        raise LastOwner()


async def set_role(session: AsyncSession, agency_id: int, user_id: int, role: str) -> None:
    parse_role(role)
    await repository.lock(session, agency_id)
    member = await _member(session, agency_id, user_id)
    if member.role == role:
        return
    await _keep_an_owner(session, member)
    if member.role == Role.OWNER:
        # Only owners invite: a former owner's links would let anyone in with its role.
        await repository.cancel_invites_by(session, agency_id, user_id)
    if role != Role.CHATTER:
        # Assignments only mean something for chatters; a promoted one acts for all anyway.
        for chatter_id, creator_id in await repository.assignments(session, agency_id):
            if chatter_id == user_id:
                await repository.unassign(session, agency_id, chatter_id, creator_id)
    member.role = role
    await session.flush()


async def remove_member(session: AsyncSession, agency_id: int, user_id: int) -> None:
    """Removes the seat and its assignments, and revokes every token and session of the account,
    so whatever it had open stops working with the next request."""
    await repository.lock(session, agency_id)
    member = await _member(session, agency_id, user_id)
    await _keep_an_owner(session, member)
    await repository.remove_seat(session, agency_id, user_id)
    await repository.cancel_invites_by(session, agency_id, user_id)
    await repository.revoke_all_tokens(session, user_id, utcnow())


async def assign(session: AsyncSession, agency_id: int, chatter_id: int, creator_id: int) -> bool:
    """True when the pair is new; assigning twice changes nothing."""
    await repository.lock(session, agency_id)
    member = await _member(session, agency_id, chatter_id)
    if member.role != Role.CHATTER:
        raise NotAChatter()
    link = await repository.creator_link(session, creator_id)
    if link is None or link.agency_id != agency_id:
        raise NoSuchCreator()
    if await repository.assignment(session, agency_id, chatter_id, creator_id) is not None:
        return False
    session.add(Assignment(agency_id=agency_id, member_id=chatter_id, creator_id=creator_id))
    await session.flush()
    return True


async def unassign(session: AsyncSession, agency_id: int, chatter_id: int, creator_id: int) -> None:
    await repository.lock(session, agency_id)
    await _member(session, agency_id, chatter_id)
    if not await repository.unassign(session, agency_id, chatter_id, creator_id):
        raise NotFound("This chatter is not assigned to this creator")


@dataclass(frozen=True)
class NewInvite:
    token: str  # shown once: only its hash is stored
    invite: AgencyInvite


async def create_invite(session: AsyncSession, seat: Seat, role: str, by: User) -> NewInvite:
    parse_role(role, INVITE_ROLES)
    token = INVITE_PREFIX + secrets.token_urlsafe(32)
    invite = AgencyInvite(
        agency_id=seat.agency_id,
        role=role,
        token_hash=hash_api_token(token),
        created_by=by.id,
        expires_at=utcnow() + INVITE_TTL,
    )
    session.add(invite)
    await session.flush()
    return NewInvite(token, invite)


async def open_invite(session: AsyncSession, token: str) -> tuple[AgencyInvite, Agency]:
    """The invitation this token opens, or InviteUnusable (unknown, used or expired alike)."""
    invite = await repository.invite_by_hash(session, hash_api_token(token.strip()))
    if invite is None or invite.used_at is not None or invite.expires_at <= utcnow():
        raise InviteUnusable()
    agency = await repository.by_id(session, invite.agency_id)
    if agency is None:
        raise InviteUnusable()
    await _made_by_an_owner(session, invite)
    return invite, agency


async def accept_invite(session: AsyncSession, token: str, user: User) -> tuple[Agency, str]:
    """Join the agency the way the invitation says: as a member with its role, or as one of
    its creators. Returns the agency and that role. The claim is the first statement: of many
    people opening one link at once exactly one gets it; a refusal after it rolls it back."""
    if not await repository.claim_invite(session, hash_api_token(token.strip()), user.id, utcnow()):
        raise InviteUnusable()
    invite, agency = await _claimed(session, token)
    await _made_by_an_owner(session, invite)
    await vet_acceptance(session, invite, user)
    if invite.role == "creator":
        session.add(AgencyCreator(agency_id=agency.id, creator_id=user.id))
    else:
        session.add(AgencyMember(agency_id=agency.id, user_id=user.id, role=invite.role))
    await session.flush()
    return agency, invite.role


async def vet_acceptance(session: AsyncSession, invite: AgencyInvite, user: User) -> bool:
    """Refuse `user` what accepting `invite` would refuse them; else whether accepting closes
    the account as a creator of its own: a seat does, unless the account is already one of an
    agency's creators (agencies/access.py). The join page says both before the button."""
    if invite.role == "creator":
        if await repository.creator_link(session, user.id) is not None:
            raise AlreadyInAgency(email=user.email)
        return False
    if await repository.seat(session, user.id) is not None:
        raise AlreadyMember(email=user.email)
    if await _a_lone_creators_account(session, user):
        raise CreatorAccountTaken(email=user.email)
    return await repository.creator_link(session, user.id) is None


async def _a_lone_creators_account(session: AsyncSession, user: User) -> bool:
    """A seat-holder acts for their own account only as one of the agency's creators
    (agencies/access.py): a seat would put a lone creator's own data out of their reach."""
    if await repository.creator_link(session, user.id) is not None:
        return False
    return await repository.holds_creator_data(session, user.id)


async def _made_by_an_owner(session: AsyncSession, invite: AgencyInvite) -> None:
    """Refuse a link whose maker no longer owns its agency. Removing or demoting an owner drops
    their links; this holds for any made before that."""
    by = invite.created_by
    inviter = None if by is None else await repository.seat(session, by)
    if inviter is None or inviter.agency_id != invite.agency_id or inviter.role != Role.OWNER:
        raise InviterGone()


async def _claimed(session: AsyncSession, token: str) -> tuple[AgencyInvite, Agency]:
    invite = await repository.invite_by_hash(session, hash_api_token(token.strip()))
    agency = None if invite is None else await repository.by_id(session, invite.agency_id)
    if invite is None or agency is None:
        raise InviteUnusable()
    return invite, agency


async def cancel_invite(session: AsyncSession, agency_id: int, invite_id: int) -> None:
    if not await repository.cancel_invite(session, agency_id, invite_id):
        raise NotFound("No such open invitation")
