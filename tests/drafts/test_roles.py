"""What a chatter may not do to the safeguards that hold chatters. The escalation queue is answered
by a manager or the creator (DESIGN §2.8): a chatter sees it but cannot answer, dismiss or hand
back an escalation, since an answer is held only to the guard's blocking rules. The per-fan caps
and the word list's removals are the overseers' too; a chatter adds phrases, signed as theirs."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import ComplianceWord, Draft, DraftStatus
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, draft_reply, settings_for

REFUND_PROMISE = "Sure babe, I'll refund you myself and tell your lawyer it's handled"


async def test_a_chatter_cannot_answer_dismiss_or_hand_back_an_escalation(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        refund = await draft_reply(client, chatter, "I want a refund now", "fan-r")
        draft_id = refund["draft_id"]
        queue = (await client.get("/api/escalations", headers=chatter)).json()
        answered = await client.post(
            f"/api/escalations/{draft_id}/resolve", json={"text": REFUND_PROMISE}, headers=chatter
        )
        dismissed = await client.post(
            f"/api/escalations/{draft_id}/resolve", json={}, headers=chatter
        )
        handed_back = await client.post(f"/api/escalations/{draft_id}/hand-back", headers=chatter)
        async with database.sessionmaker() as session:
            untouched = await session.scalar(select(Draft).where(Draft.id == draft_id))
        by_manager = await client.post(f"/api/escalations/{draft_id}/hand-back", headers=manager)

    assert refund["status"] == "escalate"
    assert [e["id"] for e in queue["escalations"]] == [draft_id]  # the chatter sees the queue
    for refused in (answered, dismissed, handed_back):
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"] == "not_found"
        assert "owners and managers" in refused.json()["message"]
    assert untouched is not None
    assert (untouched.status, untouched.resolved_by) == (DraftStatus.ESCALATED, None)
    assert by_manager.status_code == 200, by_manager.text
    assert by_manager.json()["status"] == "pending"


async def test_the_creator_answers_their_own_escalations(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        creator = await bearer(database, team.creator_1)
        refund = await draft_reply(client, creator, "I want a refund now", "fan-c")
        answered = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "Let me look into it for you, love"},
            headers=creator,
        )

    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "approved"


async def test_a_chatter_reads_the_caps_but_only_overseers_change_them(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        loosened = await client.put(
            "/api/drafts/caps", json={"dms_per_day": 1000, "ppvs_per_day": 1000}, headers=chatter
        )
        read = await client.get("/api/drafts/caps", headers=chatter)
        # Six managers' saves at once, the first ever for the creator: each one is answered.
        saves = await asyncio.gather(
            *(
                client.put(
                    "/api/drafts/caps", json={"dms_per_day": n, "ppvs_per_day": 1}, headers=manager
                )
                for n in range(4, 10)
            )
        )
        final = (await client.get("/api/drafts/caps", headers=chatter)).json()

    assert loosened.status_code == 404
    assert "set the fan caps" in loosened.json()["message"]
    assert read.json() == {"dms_per_day": 3, "ppvs_per_day": 1}
    assert [r.status_code for r in saves] == [200] * 6
    assert final["dms_per_day"] in range(4, 10)


async def test_a_chatter_adds_phrases_as_themself_but_cannot_take_one_off(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        creator = await bearer(database, team.creator_1)
        added = await client.post(
            "/api/compliance/words",
            json={"phrase": "venmo me", "verdict": "block"},
            headers=chatter,
        )
        removed = await client.delete(
            f"/api/compliance/words/{added.json()['id']}", headers=chatter
        )
        listed = (await client.get("/api/compliance/words", headers=chatter)).json()
        async with database.sessionmaker() as session:
            word = await session.get(ComplianceWord, added.json()["id"])
        by_creator = await client.delete(
            f"/api/compliance/words/{added.json()['id']}", headers=creator
        )

    assert added.status_code == 201
    assert word is not None
    assert word.created_by == team.chatter_a.id
    assert removed.status_code == 404
    assert "take phrases off the list" in removed.json()["message"]
    assert [w["phrase"] for w in listed["words"]] == ["venmo me"]
    assert by_creator.status_code == 204
