"""A committed agency for API and page tests: an owner, a manager, chatter A (works for creator
1), chatter B (works for creator 2), two creators; and, outside it, a lone creator and the
owner of another agency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from huntaze_ai.agencies import service
from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.factories import create_user


@dataclass
class Team:
    agency_id: int
    agency_name: str
    owner: User
    manager: User
    chatter_a: User
    chatter_b: User
    creator_1: User
    creator_2: User
    outsider: User  # a creator working alone
    rival_owner: User  # owner of another agency, whose creator is `rival_creator`
    rival_creator: User


async def _user(database: Database, label: str, name: str | None = None) -> User:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session, email=f"{label}-{uuid.uuid4().hex[:8]}@example.com")
        user.display_name = name
        return user


async def new_team(database: Database) -> Team:
    tag = uuid.uuid4().hex[:8]
    people = {
        label: await _user(database, label, name)
        for label, name in [
            ("owner", "Olivia Owner"),
            ("manager", "Max Manager"),
            ("chatter_a", "Ana Chatter"),
            ("chatter_b", "Ben Chatter"),
            ("creator_1", "Cleo Creator"),
            ("creator_2", "Dana Creator"),
            ("outsider", "Lone Creator"),
            ("rival_owner", "Rita Rival"),
            ("rival_creator", "Rick Rival"),
        ]
    }
    async with database.sessionmaker() as session, session.begin():
        agency = await service.create_agency(session, f"Stars {tag}", people["owner"])
        for label in ("creator_1", "creator_2"):
            await service.add_creator(session, agency.id, people[label])
        await service.add_member(session, agency.id, people["manager"], "manager")
        await service.add_member(session, agency.id, people["chatter_a"], "chatter")
        await service.add_member(session, agency.id, people["chatter_b"], "chatter")
        await service.assign(session, agency.id, people["chatter_a"].id, people["creator_1"].id)
        await service.assign(session, agency.id, people["chatter_b"].id, people["creator_2"].id)
        rival = await service.create_agency(session, f"Rivals {tag}", people["rival_owner"])
        await service.add_creator(session, rival.id, people["rival_creator"])
        return Team(agency.id, agency.name, **people)


async def bearer(database: Database, user: User, creator: User | None = None) -> dict[str, str]:
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user)
    headers = {"Authorization": f"Bearer {token}"}
    if creator is not None:
        headers["X-Creator-Id"] = str(creator.id)
    return headers
