"""The team rules under concurrency: what the database must hold however requests interleave."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from huntaze_ai.agencies import service
from huntaze_ai.agencies.access import Seat
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import HuntazeError
from huntaze_ai.models import AgencyMember, Role, User
from tests.agencies.helpers import Team, new_team
from tests.factories import create_user


async def _new_users(database: Database, count: int) -> list[User]:
    async with database.sessionmaker() as session, session.begin():
        return [await create_user(session) for _ in range(count)]


async def _attempt(database: Database, work) -> str:  # type: ignore[no-untyped-def]
    try:
        async with database.sessionmaker() as session, session.begin():
            await work(session)
    except HuntazeError as exc:
        return exc.code
    return "ok"


async def test_an_invitation_opened_by_five_people_at_once_seats_exactly_one(
    database: Database,
) -> None:
    team: Team = await new_team(database)
    async with database.sessionmaker() as session, session.begin():
        seat = Seat(team.agency_id, team.agency_name, Role.OWNER)
        invite = await service.create_invite(session, seat, "chatter", team.owner)
    people = await _new_users(database, 5)

    def accept(user: User):  # type: ignore[no-untyped-def]
        return lambda session: service.accept_invite(session, invite.token, user)

    outcomes = await asyncio.gather(*(_attempt(database, accept(u)) for u in people))

    assert sorted(outcomes) == ["invite_unusable"] * 4 + ["ok"]
    async with database.sessionmaker() as session:
        seated = await session.scalar(
            select(func.count())
            .select_from(AgencyMember)
            .where(AgencyMember.user_id.in_([u.id for u in people]))
        )
    assert seated == 1


async def test_two_owners_removing_each_other_at_once_leave_one_owner(
    database: Database,
) -> None:
    team = await new_team(database)
    async with database.sessionmaker() as session, session.begin():
        await service.set_role(session, team.agency_id, team.manager.id, "owner")

    def remove(user: User):  # type: ignore[no-untyped-def]
        return lambda session: service.remove_member(session, team.agency_id, user.id)

    outcomes = await asyncio.gather(
        _attempt(database, remove(team.owner)), _attempt(database, remove(team.manager))
    )

    assert sorted(outcomes) == ["last_owner", "ok"]
    async with database.sessionmaker() as session:
        owners = await session.scalar(
            select(func.count())
            .select_from(AgencyMember)
            .where(AgencyMember.agency_id == team.agency_id, AgencyMember.role == "owner")
        )
    assert owners == 1
