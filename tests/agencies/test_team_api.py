"""Managing a team over the API: roles, assignments, invitations, figures; and every bad input
a clear 4xx that changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import URL

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import AgencyInvite, AgencyMember
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, settings_for
from tests.factories import create_user
from tests.fans.helpers import add_fan


async def test_an_owner_runs_the_team_and_each_refusal_changes_nothing(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    owner = await bearer(database, team.owner)
    async with app_client(settings_for(database_url)) as client:
        before = (await client.get("/api/agency", headers=owner)).json()
        refusals = {
            "assign another agency's creator": await client.post(
                "/api/agency/assignments",
                json={"chatter_id": team.chatter_a.id, "creator_id": team.rival_creator.id},
                headers=owner,
            ),
            "assign a manager": await client.post(
                "/api/agency/assignments",
                json={"chatter_id": team.manager.id, "creator_id": team.creator_1.id},
                headers=owner,
            ),
            "demote the last owner": await client.patch(
                f"/api/agency/members/{team.owner.id}", json={"role": "manager"}, headers=owner
            ),
            "remove the last owner": await client.delete(
                f"/api/agency/members/{team.owner.id}", headers=owner
            ),
            "remove another agency's member": await client.delete(
                f"/api/agency/members/{team.rival_owner.id}", headers=owner
            ),
            "a role that does not exist": await client.patch(
                f"/api/agency/members/{team.manager.id}", json={"role": "boss"}, headers=owner
            ),
            "a second agency": await client.post(
                "/api/agency", json={"name": "Another"}, headers=owner
            ),
        }
        after = (await client.get("/api/agency", headers=owner)).json()

    expected = {
        "assign another agency's creator": (404, "not_found"),
        "assign a manager": (422, "invalid_request"),
        "demote the last owner": (409, "last_owner"),
        "remove the last owner": (409, "last_owner"),
        "remove another agency's member": (404, "not_found"),
        "a role that does not exist": (422, "invalid_request"),
        "a second agency": (409, "already_member"),
    }
    for name, (status, code) in expected.items():
        assert refusals[name].status_code == status, (name, refusals[name].text)
        assert refusals[name].json()["error"] == code, name
    assert after == before


async def test_roles_and_assignments_change_what_a_member_may_act_for(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    owner = await bearer(database, team.owner)
    chatter = await bearer(database, team.chatter_a, team.creator_2)
    async with app_client(settings_for(database_url)) as client:
        refused = await client.get("/api/ai/quota", headers=chatter)
        assigned = await client.post(
            "/api/agency/assignments",
            json={"chatter_id": team.chatter_a.id, "creator_id": team.creator_2.id},
            headers=owner,
        )
        twice = await client.post(
            "/api/agency/assignments",
            json={"chatter_id": team.chatter_a.id, "creator_id": team.creator_2.id},
            headers=owner,
        )
        allowed = await client.get("/api/ai/quota", headers=chatter)
        unassigned = await client.delete(
            f"/api/agency/assignments/{team.chatter_a.id}/{team.creator_2.id}", headers=owner
        )
        again = await client.get("/api/ai/quota", headers=chatter)
        promoted = await client.patch(
            f"/api/agency/members/{team.chatter_a.id}", json={"role": "manager"}, headers=owner
        )
        as_manager = await client.get("/api/ai/quota", headers=chatter)
        team_view = await client.get("/api/agency", headers=chatter)
    assert refused.status_code == 404
    assert assigned.json() == {
        "chatter_id": team.chatter_a.id,
        "creator_id": team.creator_2.id,
        "created": True,
    }
    assert twice.json()["created"] is False
    assert allowed.status_code == 200
    assert unassigned.status_code == 204
    assert again.status_code == 404
    assert promoted.status_code == 200
    assert as_manager.status_code == 200
    assert team_view.json()["role"] == "manager"


async def test_chatters_and_outsiders_get_404_from_the_team_api(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        for user in (team.chatter_a, team.outsider, team.creator_1):
            headers = await bearer(database, user)
            for method, path in [
                ("GET", "/api/agency"),
                ("GET", "/api/agency/figures"),
                ("GET", "/api/agency/invites"),
                ("POST", "/api/agency/invites"),
                ("DELETE", f"/api/agency/members/{team.chatter_b.id}"),
            ]:
                answer = await client.request(method, path, headers=headers, json={"role": "owner"})
                assert answer.status_code == 404, (user.email, method, path)
        manager = await bearer(database, team.manager)
        invite = await client.post("/api/agency/invites", json={"role": "owner"}, headers=manager)
    assert invite.status_code == 404  # only owners invite


async def test_an_invitation_works_once_and_not_after_seven_days(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    owner = await bearer(database, team.owner)
    async with app_client(settings_for(database_url)) as client:
        made = await client.post("/api/agency/invites", json={"role": "creator"}, headers=owner)
        stale = await client.post("/api/agency/invites", json={"role": "chatter"}, headers=owner)
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                update(AgencyInvite)
                .where(AgencyInvite.id == stale.json()["id"])
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        listed = await client.get("/api/agency/invites", headers=owner)
        joined = await client.post(
            "/api/invites/accept",
            json={"token": made.json()["token"]},
            headers=await bearer(database, team.outsider),
        )
        reused = await client.post(
            "/api/invites/accept",
            json={"token": made.json()["token"]},
            headers=await bearer(database, team.chatter_b),
        )
        expired = await client.post(
            "/api/invites/accept",
            json={"token": stale.json()["token"]},
            headers=await bearer(database, team.rival_creator),
        )
        member_view = await client.get(
            "/api/ai/quota", headers=await bearer(database, team.manager, team.outsider)
        )
    assert made.status_code == 201
    assert made.json()["url"].endswith(f"/team/join/{made.json()['token']}")
    assert (made.json()["expires_at"] > made.json()["created_at"]) is True
    assert [i["id"] for i in listed.json()] == [made.json()["id"]]  # the expired one is gone
    assert "token" not in listed.json()[0]
    assert joined.json() == {
        "agency": {"id": team.agency_id, "name": team.agency_name},
        "role": "creator",
    }
    assert reused.status_code == 410
    assert reused.json()["error"] == "invite_unusable"
    assert expired.status_code == 410
    assert member_view.status_code == 200  # the new creator is the agency's now


async def test_an_owner_removed_or_demoted_cannot_come_back_through_their_own_links(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    owner = await bearer(database, team.owner)
    co_owner = await bearer(database, team.manager)
    async with app_client(settings_for(database_url)) as client:
        await client.patch(
            f"/api/agency/members/{team.manager.id}", json={"role": "owner"}, headers=owner
        )
        kept = await client.post("/api/agency/invites", json={"role": "owner"}, headers=co_owner)
        removed = await client.delete(f"/api/agency/members/{team.manager.id}", headers=owner)
        listed = await client.get("/api/agency/invites", headers=owner)
        back = await client.post(
            "/api/invites/accept",
            json={"token": kept.json()["token"]},
            headers=await bearer(database, team.manager),
        )
        # A link made before its owner was demoted some other way: refused when it is used.
        await client.patch(
            f"/api/agency/members/{team.chatter_b.id}", json={"role": "owner"}, headers=owner
        )
        old = await client.post(
            "/api/agency/invites",
            json={"role": "manager"},
            headers=await bearer(database, team.chatter_b),
        )
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                update(AgencyMember)
                .where(AgencyMember.user_id == team.chatter_b.id)
                .values(role="chatter")
            )
        used = await client.post(
            "/api/invites/accept",
            json={"token": old.json()["token"]},
            headers=await bearer(database, team.outsider),
        )
        seats = {
            m["id"]: m["role"]
            for m in (await client.get("/api/agency", headers=owner)).json()["members"]
        }

    assert kept.status_code == 201
    assert removed.status_code == 204
    assert kept.json()["id"] not in [i["id"] for i in listed.json()]
    assert back.status_code == used.status_code == 410
    assert "no longer owns the agency" in used.json()["message"]
    assert team.manager.id not in seats
    assert team.outsider.id not in seats


async def test_the_figures_count_each_members_calls_spend_and_escalations(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        replies = [
            await client.post(
                "/api/ai/messages/reply", json={"fan_message": message}, headers=chatter
            )
            for message in ["Hey! Love your content", "I want to kill yourself"]
        ]
        approved = await client.post(
            f"/api/drafts/{replies[0].json()['draft_id']}/approve",
            json={"text": "Thank you babe"},
            headers=chatter,
        )
        assert approved.json()["status"] == "approved", approved.text
        figures = await client.get(
            "/api/agency/figures", headers=await bearer(database, team.owner)
        )
    body = figures.json()
    (ana,) = [m for m in body["members"] if m["member_id"] == team.chatter_a.id]
    assert ana["role"] == "chatter"
    assert ana["calls"] >= 1
    assert ana["by_creator"][0]["creator_id"] == team.creator_1.id
    assert ana["escalations"] >= 1
    assert ana["drafts"] == 2  # every reply is a draft, escalated ones too
    assert ana["approved"] == 1
    assert ana["approval_rate"] == 0.5
    assert ana["edit_rate"] == 1.0
    (ben,) = [m for m in body["members"] if m["member_id"] == team.chatter_b.id]
    assert (ben["calls"], ben["cost_usd"], ben["escalations"]) == (0, "0.000000", 0)
    assert {c["id"] for c in body["creators"]} == {team.creator_1.id, team.creator_2.id}
    (cleo,) = [c for c in body["creators"] if c["id"] == team.creator_1.id]
    assert cleo["spent_usd"] == ana["cost_usd"]


async def test_a_lone_creator_cannot_take_a_seat_that_would_close_their_own_account(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    owner = await bearer(database, team.owner)
    await add_fan(database, team.outsider.id, "fan-1", "Their fan")
    async with database.sessionmaker() as session, session.begin():
        newcomer = await create_user(session, email="new-chatter@example.com")
    async with app_client(settings_for(database_url)) as client:
        made = await client.post("/api/agency/invites", json={"role": "chatter"}, headers=owner)
        lone = await bearer(database, team.outsider)
        refused = await client.post(
            "/api/invites/accept", json={"token": made.json()["token"]}, headers=lone
        )
        still_theirs = await client.get("/api/fans/fan-1", headers=lone)
        taken = await client.post(
            "/api/invites/accept",
            json={"token": made.json()["token"]},
            headers=await bearer(database, newcomer),
        )

    assert refused.status_code == 409
    assert refused.json()["error"] == "creator_account"
    assert still_theirs.status_code == 200
    assert taken.status_code == 200  # the link was not used up by the refusal
    assert taken.json()["role"] == "chatter"
