"""Who may act for which creator (DESIGN §2.7), decided on every request from the database.

A login is a `User`. It may hold one seat in an agency (owner, manager or chatter). It acts for
one creator at a time:
- its own account, unless it is a seat-holder who is not one of the agency's creators (a chatter's
  own account has no fans, no data and no business spending quota);
- as an owner or manager, any creator of the agency; as a chatter, the creators assigned to it.

A creator the login may not act for is reported exactly like one that does not exist (404), so
probing ids tells nothing. This module only reads; the auth dependencies apply it per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.errors import InvalidRequest, NotFound
from huntaze_ai.models import Agency, AgencyCreator, AgencyMember, Assignment, Role, User


@dataclass(frozen=True)
class Seat:
    """The login's place in an agency."""

    agency_id: int
    agency_name: str
    role: Role


@dataclass(frozen=True)
class Acting:
    """The request's two identities: `member` asked, `creator` owns the quota and the data."""

    member: User
    creator: User
    seat: Seat | None

    @property
    def role(self) -> Role | None:
        return None if self.seat is None else self.seat.role

    @property
    def manages(self) -> bool:
        """Owners and managers see the team page and the per-member figures."""
        return self.seat is not None and self.seat.role.acts_for_all

    @property
    def oversees(self) -> bool:
        """The creator themself, or an owner or manager acting for them: who sees the creator's
        figures per member and who wrote each of their messages."""
        return self.member.id == self.creator.id or self.manages


class NoSuchCreator(NotFound):
    default_message = "No such creator"


class NoCreatorToActFor(NotFound):
    default_message = (
        "You are not assigned to any creator yet: ask your agency's owner or a manager"
    )


class OverseersOnly(NotFound):
    default_message = "Only the creator and the agency's owners and managers can see this"


def overseen(acting: Acting, refusal: type[OverseersOnly] = OverseersOnly) -> Acting:
    """`acting`, if it oversees its creator; a chatter gets 404 like other managers' things
    (`refusal` says which thing)."""
    if not acting.oversees:
        raise refusal()
    return acting


class CreatorRequired(InvalidRequest):
    default_message = (
        "You may act for several creators: say which one with the X-Creator-Id header "
        "(GET /api/me lists them)"
    )


def parse_creator_id(raw: str | None) -> int | None:
    """The X-Creator-Id header as a creator id, or None when absent."""
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise InvalidRequest(
            "X-Creator-Id must be a creator's numeric id",
            fields=[{"field": "X-Creator-Id", "message": "not a number"}],
        )
    return int(value)


async def seat_of(session: AsyncSession, user_id: int) -> Seat | None:
    row = (
        await session.execute(
            select(AgencyMember.agency_id, Agency.name, AgencyMember.role)
            .join(Agency, Agency.id == AgencyMember.agency_id)
            .where(AgencyMember.user_id == user_id)
        )
    ).first()
    return None if row is None else Seat(row.agency_id, row.name, Role(row.role))


async def _own_account_actable(session: AsyncSession, user: User, seat: Seat | None) -> bool:
    if seat is None:
        return True
    found = await session.scalar(
        select(AgencyCreator.creator_id).where(AgencyCreator.creator_id == user.id)
    )
    return found is not None


def _agency_creators_for(user: User, seat: Seat) -> Select[User]:
    """The agency's creators this seat may act for, as a query on users."""
    query = (
        select(User)
        .join(AgencyCreator, AgencyCreator.creator_id == User.id)
        .where(AgencyCreator.agency_id == seat.agency_id)
    )
    if not seat.role.acts_for_all:
        assigned = exists().where(
            Assignment.member_id == user.id,
            Assignment.creator_id == User.id,
            Assignment.agency_id == seat.agency_id,
        )
        query = query.where(assigned)
    return query


async def creators_for(session: AsyncSession, user: User, seat: Seat | None) -> list[User]:
    """Every creator the login may act for: its own account first, then by name."""
    own = [user] if await _own_account_actable(session, user, seat) else []
    if seat is None:
        return own
    others = await session.scalars(
        _agency_creators_for(user, seat)
        .where(User.id != user.id)
        .order_by(User.display_name, User.email)
    )
    return own + list(others)


async def act_for(
    session: AsyncSession,
    user: User,
    seat: Seat | None,
    requested: int | None,
    *,
    pick_first: bool,
) -> Acting:
    """The creator this request acts for. `requested` absent: the login's own account, or the
    only creator it may act for; with several, the first when `pick_first` (the pages, which
    then offer the switcher), else CreatorRequired (an API client must say)."""
    if requested is not None:
        if requested == user.id and await _own_account_actable(session, user, seat):
            return Acting(user, user, seat)
        if seat is not None:
            creator = await session.scalar(
                _agency_creators_for(user, seat).where(User.id == requested)
            )
            if creator is not None:
                return Acting(user, creator, seat)
        raise NoSuchCreator()
    if await _own_account_actable(session, user, seat):
        return Acting(user, user, seat)
    creators = await creators_for(session, user, seat)
    if not creators:
        raise NoCreatorToActFor()
    if len(creators) > 1 and not pick_first:
        raise CreatorRequired(creators=[c.id for c in creators])
    return Acting(user, creators[0], seat)
