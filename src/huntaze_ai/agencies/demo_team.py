"""The demo's agency (DESIGN §6 `demo`): the demo creator owns "Luna Demo Agency" and is one of
its creators, beside a second creator; a manager acts for both, a chatter for the demo creator
only, whose inbox holds drafts and an escalation. Every login shares the demo's password. Run
again, it reuses what exists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies import repository, service
from huntaze_ai.creator_data.demo_data import fill_demo_data
from huntaze_ai.drafts.demo import seed_demo_inbox
from huntaze_ai.fans.demo import seed_demo_memory
from huntaze_ai.kit.security import hash_password
from huntaze_ai.models import Role, User
from huntaze_ai.users import repository as users
from huntaze_ai.users.schemas import UserCreate
from huntaze_ai.users.service import create_user

AGENCY = "Luna Demo Agency"
SECOND_CREATOR = ("nova@huntaze.example", "Nova Demo")
MANAGER = ("manager@huntaze.example", "Mia Manager")
CHATTER = ("chatter@huntaze.example", "Chris Chatter")


@dataclass(frozen=True)
class DemoTeam:
    agency: str
    logins: list[tuple[str, str]]  # (email, what it shows)


async def _account(session: AsyncSession, email: str, name: str, password: str) -> User:
    user = await users.get_by_email(session, email)
    if user is None:
        data = UserCreate(email=email, password=password, plan="pro", display_name=name)
        return await create_user(session, data)
    user.password_hash = hash_password(password)  # the printed login must work
    return user


async def seed_demo_team(
    session: AsyncSession, owner: User, password: str, secret_key: str
) -> DemoTeam:
    nova = await _account(session, *SECOND_CREATOR, password)
    await fill_demo_data(session, nova, secret_key=secret_key, seed=1)  # other fans
    manager = await _account(session, *MANAGER, password)
    chatter = await _account(session, *CHATTER, password)
    agency = await repository.by_name(session, AGENCY)
    if agency is None:
        seat = await repository.seat(session, owner.id)
        if seat is not None:  # the demo creator was seated elsewhere by hand: leave it be
            return DemoTeam("", [])
        agency = await service.create_agency(session, AGENCY, owner, owner_is_creator=True)
    if await repository.creator_link(session, nova.id) is None:
        await service.add_creator(session, agency.id, nova)
    for user, role in ((manager, Role.MANAGER), (chatter, Role.CHATTER)):
        if await repository.seat(session, user.id) is None:
            await service.add_member(session, agency.id, user, role)
    await service.assign(session, agency.id, chatter.id, owner.id)
    await seed_demo_inbox(session, owner, chatter)
    await seed_demo_memory(session, owner, chatter)
    return DemoTeam(
        AGENCY,
        [
            (nova.email, "a second creator of the agency"),
            (manager.email, "the agency's manager: both creators, the team page"),
            (chatter.email, f"a chatter who works for {owner.display_name or owner.email}"),
        ],
    )
