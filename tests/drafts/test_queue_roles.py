"""Who answers the escalation queue (DESIGN §2.8: a manager or the creator). A chatter sees the
queue but cannot answer, dismiss or hand back an escalation: an answer is held only to the
guard's blocking rules, so a chatter could otherwise send what the escalate rules stopped."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import Draft, DraftStatus
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
