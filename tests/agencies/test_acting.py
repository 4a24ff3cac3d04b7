"""Acting for a creator over the API (DESIGN §2.7): X-Creator-Id, /api/me, and the 404 for
every creator the login may not act for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import UsageLog
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, settings_for


async def test_me_lists_the_creators_each_login_may_act_for(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        me = {
            who: (await client.get("/api/me", headers=await bearer(database, user))).json()
            for who, user in [
                ("owner", team.owner),
                ("manager", team.manager),
                ("chatter_a", team.chatter_a),
                ("creator_1", team.creator_1),
                ("outsider", team.outsider),
            ]
        }

    def ids(who: str) -> set[int]:
        return {c["id"] for c in me[who]["creators"]}

    both = {team.creator_1.id, team.creator_2.id}
    assert ids("owner") == ids("manager") == both
    assert me["manager"]["role"] == "manager"
    assert me["manager"]["agency"] == {"id": team.agency_id, "name": team.agency_name}
    assert me["manager"]["acting_for"] is None  # two creators: the API must say which
    assert ids("chatter_a") == {team.creator_1.id}
    assert me["chatter_a"]["acting_for"] == team.creator_1.id  # the only one
    # A creator of an agency is no member of it: they act for themselves, as before.
    assert me["creator_1"]["role"] is None
    assert ids("creator_1") == {team.creator_1.id}
    assert me["outsider"]["agency"] is None
    assert me["outsider"]["acting_for"] == team.outsider.id


async def test_a_chatter_acts_for_the_assigned_creator_and_the_call_records_who_asked(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    headers = await bearer(database, team.chatter_a)  # no header: the only creator
    async with app_client(settings_for(database_url)) as client:
        reply = await client.post(
            "/api/ai/messages/reply",
            json={"fan_message": "Hey! Love your content"},
            headers=headers,
        )
        usage = await client.get("/api/ai/usage", headers=await bearer(database, team.creator_1))
        own = await client.get(
            "/api/ai/usage", headers=await bearer(database, team.chatter_a, team.creator_1)
        )

    assert reply.status_code == 200, reply.text
    (row,) = usage.json()["rows"]
    assert row["member_id"] == team.chatter_a.id
    assert row["member"] == team.chatter_a.email
    assert own.json()["rows"] == usage.json()["rows"]  # the creator's data, seen by the chatter
    async with database.sessionmaker() as session:
        logged = (
            await session.scalars(select(UsageLog).where(UsageLog.user_id == team.creator_1.id))
        ).one()
    assert logged.member_id == team.chatter_a.id


async def test_every_creator_the_login_may_not_act_for_is_a_404(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    cases = [
        (team.chatter_a, team.creator_2),  # a chatter not assigned to the creator
        (team.rival_owner, team.creator_1),  # a member of another agency
        (team.owner, team.outsider),  # a creator outside the agency
        (team.owner, team.rival_creator),  # another agency's creator
        (team.creator_1, team.creator_2),  # a creator of the agency is no member of it
        (team.outsider, team.creator_1),
        (team.chatter_a, team.chatter_b),  # a chatter's own account is no creator
    ]
    async with app_client(settings_for(database_url)) as client:
        for login, target in cases:
            headers = await bearer(database, login, target)
            for method, path in [("GET", "/api/ai/quota"), ("GET", "/api/ai/usage")]:
                answer = await client.request(method, path, headers=headers)
                assert answer.status_code == 404, (login.email, target.email, path)
                assert answer.json() == {"error": "not_found", "message": "No such creator"}
        missing = await client.get(
            "/api/ai/quota",
            headers=await bearer(database, team.owner) | {"X-Creator-Id": "999999999"},
        )
    assert missing.json() == {"error": "not_found", "message": "No such creator"}


async def test_managers_act_for_every_creator_and_must_name_one(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        unnamed = await client.get("/api/ai/quota", headers=await bearer(database, team.manager))
        one = await client.get(
            "/api/ai/quota", headers=await bearer(database, team.manager, team.creator_2)
        )
    assert unnamed.status_code == 422
    assert unnamed.json()["error"] == "invalid_request"
    assert "X-Creator-Id" in unnamed.json()["message"]
    assert one.status_code == 200


async def test_a_creator_id_that_is_not_a_number_is_a_422_naming_the_header(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    headers = await bearer(database, team.owner)
    async with app_client(settings_for(database_url)) as client:
        answers = [
            await client.get("/api/ai/quota", headers=headers | {"X-Creator-Id": bad})
            for bad in ["abc", "-1", "1.5", "0x10", "99999999999999999999999"]
        ]
    for answer in answers:
        assert answer.status_code == 422
        assert answer.json()["fields"] == [{"field": "X-Creator-Id", "message": "not a number"}]


async def test_a_removed_member_is_refused_at_once_on_every_token(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    chatter = await bearer(database, team.chatter_a, team.creator_1)
    owner = await bearer(database, team.owner)
    async with app_client(settings_for(database_url)) as client:
        before = await client.get("/api/ai/quota", headers=chatter)
        removed = await client.delete(f"/api/agency/members/{team.chatter_a.id}", headers=owner)
        after = await client.get("/api/ai/quota", headers=chatter)
        fresh = await bearer(database, team.chatter_a, team.creator_1)  # a new login
        again = await client.get("/api/ai/quota", headers=fresh)
    assert before.status_code == 200
    assert removed.status_code == 204
    assert after.status_code == 401
    assert again.status_code == 404  # logged in again: no longer acts for the agency's creator
