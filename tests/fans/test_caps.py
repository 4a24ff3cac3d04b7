"""The automatic notes' caps under concurrency: replies on several app instances (each its own
engine and connections) proposing sure notes for one fan at once never save more than five a
UTC day or fifty in all; what the caps refuse waits as a proposal, and nothing is lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.fans import service
from huntaze_ai.fans.service import Proposal
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import FanMemory, FanNote
from tests.metering.conftest import new_creator

REPLIES = 12


async def _race(
    database_url: URL, creator_id: int, fan_id: str, platform: str = "onlyfans"
) -> list[list[str]]:
    instances = [Database.from_url(database_url) for _ in range(3)]
    try:
        outcomes = await asyncio.gather(
            *(
                service.remember(
                    instances[i % len(instances)].sessionmaker,
                    creator_id=creator_id,
                    platform=platform,
                    fan_id=fan_id,
                    fan_message=f"message {i}",
                    draft_id=None,
                    member_id=None,
                    proposals=[Proposal("interests", f"Collects stamps, album {i}", 0.95)],
                )
                for i in range(REPLIES)
            )
        )
    finally:
        for db in instances:
            await db.dispose()
    return [[r.status for r in outcome] for outcome in outcomes]


async def _notes(
    database: Database, creator_id: int, fan_id: str, platform: str = "onlyfans"
) -> dict[str, int]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(FanNote.status).where(
                FanNote.creator_id == creator_id,
                FanNote.platform == platform,
                FanNote.fan_id == fan_id,
            )
        )
        statuses = list(rows)
    return {s: statuses.count(s) for s in set(statuses)}


async def test_concurrent_replies_save_at_most_five_sure_notes_a_day_for_a_fan(
    database_url: URL, database: Database
) -> None:
    creator = await new_creator(database)
    statuses = await _race(database_url, creator.id, "fan-race")

    flat = [s for outcome in statuses for s in outcome]
    assert flat.count("saved") == service.AUTO_PER_DAY
    assert flat.count("proposed") == REPLIES - service.AUTO_PER_DAY
    assert await _notes(database, creator.id, "fan-race") == {
        "saved": service.AUTO_PER_DAY,
        "proposed": REPLIES - service.AUTO_PER_DAY,
    }


async def test_the_same_fan_id_on_two_platforms_is_two_fans_with_caps_of_their_own(
    database_url: URL, database: Database
) -> None:
    creator = await new_creator(database)
    onlyfans, fansly = await asyncio.gather(
        _race(database_url, creator.id, "fan-twice", "onlyfans"),
        _race(database_url, creator.id, "fan-twice", "fansly"),
    )

    for statuses in (onlyfans, fansly):
        assert [s for outcome in statuses for s in outcome].count("saved") == service.AUTO_PER_DAY
    for platform in ("onlyfans", "fansly"):
        assert await _notes(database, creator.id, "fan-twice", platform) == {
            "saved": service.AUTO_PER_DAY,
            "proposed": REPLIES - service.AUTO_PER_DAY,
        }
        async with database.sessionmaker() as session:
            messages = await service.conversation(session, creator.id, platform, "fan-twice")
        assert len(messages) == REPLIES  # each platform's conversation has its own messages


async def test_concurrent_replies_never_pass_fifty_sure_notes_for_a_fan(
    database_url: URL, database: Database
) -> None:
    creator = await new_creator(database)
    async with database.sessionmaker() as session, session.begin():
        yesterday = (utcnow() - timedelta(days=1)).date()
        session.add(
            FanMemory(
                creator_id=creator.id,
                platform="onlyfans",
                fan_id="fan-old",
                auto_notes=service.AUTO_IN_ALL - 2,
                auto_day=yesterday,
                auto_day_notes=service.AUTO_PER_DAY,
            )
        )
    statuses = await _race(database_url, creator.id, "fan-old")

    assert [s for outcome in statuses for s in outcome].count("saved") == 2
    async with database.sessionmaker() as session:
        memory = await session.get(FanMemory, (creator.id, "onlyfans", "fan-old"))
        assert memory is not None
        assert memory.auto_notes == service.AUTO_IN_ALL
        assert memory.auto_day == utcnow().date()
        assert memory.auto_day_notes == 2  # a new day: yesterday's five do not count
    async with database.sessionmaker() as session:
        left = await service.auto_notes_left(session, creator.id, "onlyfans", "fan-old")
    assert left == (service.AUTO_PER_DAY - 2, 0)


async def test_one_message_drafted_at_once_by_several_chatters_is_stored_once(
    database_url: URL, database: Database
) -> None:
    creator = await new_creator(database)
    instances = [Database.from_url(database_url) for _ in range(3)]
    try:
        await asyncio.gather(
            *(
                service.remember(
                    db.sessionmaker,
                    creator_id=creator.id,
                    platform="onlyfans",
                    fan_id="fan-same",
                    fan_message="Are you online?",
                    draft_id=None,
                    member_id=None,
                    proposals=[],
                )
                for db in instances * 3
            )
        )
    finally:
        for db in instances:
            await db.dispose()
    async with database.sessionmaker() as session:
        messages = await service.conversation(session, creator.id, "onlyfans", "fan-same")
    assert [m.text for m in messages] == ["Are you online?"]
