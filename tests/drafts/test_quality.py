"""The drafts' quality figures: what the transitions record (who escalated and when, who
resolved, the characters an edit changed), the month per member and creator on the API, mean
and median waits in the queue, and who may see them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.drafts.quality import chars_changed, creator_quality
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import Draft, DraftStatus, User
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, draft_reply, settings_for
from tests.factories import create_user


def test_the_characters_changed_count_insertions_deletions_and_replacements() -> None:
    assert chars_changed("kitten", "sitting") == 3
    assert chars_changed("  as drafted \n", "as drafted") == 0  # approval strips the text
    assert chars_changed("", "written by hand") == 15
    assert chars_changed("hi babe", "hi babe 💕") == 2  # an emoji is one character


async def test_an_escalation_keeps_who_sent_it_to_the_queue_after_a_manager_answers_it(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        reply = await draft_reply(client, chatter)
        draft_id = reply["draft_id"]
        await client.post(
            f"/api/drafts/{draft_id}/escalate", json={"reason": "custom video"}, headers=chatter
        )
        answered = await client.post(
            f"/api/escalations/{draft_id}/resolve",
            json={"text": reply["reply"] + " 💕"},
            headers=manager,
        )
        refund = await draft_reply(client, chatter, "I want a refund now")
        dismissed = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve", json={}, headers=manager
        )
        chargeback = await draft_reply(client, chatter, "I'm filing a chargeback with my bank")
        written = await client.post(
            f"/api/escalations/{chargeback['draft_id']}/resolve",
            json={"text": "I'm sorry love, let me look into it for you"},
            headers=manager,
        )
        plain = await draft_reply(client, chatter)
        as_drafted = await client.post(
            f"/api/drafts/{plain['draft_id']}/approve", json={}, headers=chatter
        )

    answer = answered.json()
    assert answer["status"] == "approved", answered.text
    assert answer["escalated_by"] == team.chatter_a.id  # kept after the resolution
    assert answer["resolved_by"] == answer["decided_by"] == team.manager.id
    assert answer["escalated_at"] <= answer["resolved_at"]
    assert (answer["edited"], answer["chars_changed"]) == (True, 2)
    gone = dismissed.json()
    assert gone["status"] == "dismissed"
    assert gone["escalated_by"] is None  # the guard sent it, when the draft was stored
    assert gone["escalated_at"] == gone["created_at"]
    assert gone["resolved_by"] == team.manager.id
    assert gone["chars_changed"] is None  # nothing was sent
    # No model text to edit: the manager wrote the answer; the chatter is not charged an edit.
    assert written.json()["status"] == "approved", written.text
    assert (written.json()["edited"], written.json()["chars_changed"]) == (False, None)
    assert (as_drafted.json()["edited"], as_drafted.json()["chars_changed"]) == (False, 0)


async def test_the_creators_month_counts_approvals_edits_rejections_and_escalations_per_member(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        ids = [(await draft_reply(client, chatter))["draft_id"] for _ in range(4)]
        texts = {
            d["id"]: d["text"]
            for d in (await client.get("/api/drafts", headers=chatter)).json()["drafts"]
        }
        await client.post(f"/api/drafts/{ids[0]}/approve", json={}, headers=chatter)
        await client.post(
            f"/api/drafts/{ids[1]}/approve", json={"text": texts[ids[1]] + "!!!"}, headers=chatter
        )
        await client.post(f"/api/drafts/{ids[2]}/reject", headers=chatter)
        await client.post(f"/api/drafts/{ids[3]}/escalate", json={"reason": "?"}, headers=chatter)
        await client.post(f"/api/escalations/{ids[3]}/resolve", json={}, headers=manager)
        await draft_reply(client, manager)  # left pending
        own = await client.get(
            "/api/drafts/quality", headers=await bearer(database, team.creator_1)
        )
        owner = await client.get(
            "/api/drafts/quality", headers=await bearer(database, team.owner, team.creator_1)
        )
        other = await client.get(
            "/api/drafts/quality", headers=await bearer(database, team.owner, team.creator_2)
        )
        refused = await client.get("/api/drafts/quality", headers=chatter)
        agency = await client.get("/api/agency/figures", headers=await bearer(database, team.owner))

    assert own.status_code == 200, own.text
    body = own.json()
    assert body == owner.json()  # the creator and the agency's owner see the same month
    totals = body["totals"]
    assert (totals["drafts"], totals["approved"], totals["approval_rate"]) == (5, 2, 0.4)
    assert (totals["edited"], totals["edit_rate"], totals["mean_chars_changed"]) == (1, 0.5, 3.0)
    assert (totals["rejected"], totals["escalated"], totals["resolved"]) == (1, 1, 1)
    assert totals["mean_resolve_s"] >= 0
    assert totals["median_resolve_s"] == totals["mean_resolve_s"]  # one wait
    ana, max_ = body["members"]  # most drafts first
    assert (ana["member_id"], ana["email"], ana["drafts"]) == (
        team.chatter_a.id,
        team.chatter_a.email,
        4,
    )
    assert (ana["rejected"], ana["escalated"], ana["approval_rate"]) == (1, 1, 0.5)
    assert (max_["member_id"], max_["drafts"], max_["approved"], max_["approval_rate"]) == (
        team.manager.id,
        1,
        0,
        0.0,
    )
    assert other.json()["totals"]["drafts"] == 0  # creator 2's month has none of these
    assert other.json()["members"] == []
    assert refused.status_code == 404  # a chatter: as for the other managers' figures
    assert refused.json()["message"].startswith("Only the creator and the agency")
    (in_agency,) = [m for m in agency.json()["members"] if m["member_id"] == team.chatter_a.id]
    assert {k: in_agency[k] for k in ("drafts", "rejected", "escalated", "mean_chars_changed")} == {
        "drafts": 4,
        "rejected": 1,
        "escalated": 1,
        "mean_chars_changed": 3.0,
    }
    assert in_agency["by_creator"][0]["resolved"] == 1


async def test_a_creator_working_alone_sees_their_own_month(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        alone = await bearer(database, team.outsider)
        reply = await draft_reply(client, alone)
        await client.post(f"/api/drafts/{reply['draft_id']}/approve", json={}, headers=alone)
        seen = await client.get(
            "/api/drafts/quality?month=" + utcnow().strftime("%Y-%m"), headers=alone
        )
        bad = await client.get("/api/drafts/quality?month=2026-13", headers=alone)
    body = seen.json()
    assert (body["totals"]["drafts"], body["totals"]["approval_rate"]) == (1, 1.0)
    assert [m["member_id"] for m in body["members"]] == [team.outsider.id]
    assert bad.status_code == 422


def _at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


def _stored(creator: User, created: datetime, **values: Any) -> Draft:
    fields: dict[str, Any] = {
        "creator_id": creator.id,
        "member_id": creator.id,
        "platform": "onlyfans",
        "fan_message": "hey",
        "text": "hi babe",
        "guard_verdict": "ok",
        "reasons": [],
        "status": DraftStatus.PENDING,
        "created_at": created,
        **values,
    }
    return Draft(**fields)


async def test_the_time_to_resolve_is_the_mean_and_median_wait_of_the_resolved_escalations(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    other = await create_user(session)
    waits_s = [60, 120, 900]
    for i, wait in enumerate(waits_s):
        start = _at(2 + i)
        session.add(
            _stored(
                creator,
                start,
                status=DraftStatus.DISMISSED,
                escalated_at=start,
                resolved_at=start + timedelta(seconds=wait),
                resolved_by=creator.id,
            )
        )
    session.add(_stored(creator, _at(9), status=DraftStatus.ESCALATED, escalated_at=_at(9)))
    last_month = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    session.add(_stored(creator, last_month, escalated_at=last_month, resolved_at=_at(1, 0, 30)))
    session.add(_stored(other, _at(3), escalated_at=_at(3), resolved_at=_at(25)))
    await session.flush()

    figures = (await creator_quality(session, creator.id, date(2026, 10, 1))).totals

    assert (figures.drafts, figures.escalated, figures.resolved) == (4, 4, 3)
    assert figures.mean_resolve_s == 360
    assert figures.median_resolve_s == 120
    assert figures.approval_rate == 0.0
    assert figures.edit_rate is None  # nothing approved: no rate to give


async def test_a_month_of_year_one_is_written_with_four_digits_wherever_it_is_shown(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        owner = await bearer(database, team.owner, team.creator_1)
        month = "?month=0001-01"
        quality = await client.get(f"/api/drafts/quality{month}", headers=owner)
        export = await client.get(f"/api/drafts/authorship.csv{month}", headers=owner)
        figures = await client.get(f"/api/agency/figures{month}", headers=owner)
        usage = await client.get(f"/api/ai/usage{month}", headers=owner)

    assert quality.json()["month"] == figures.json()["month"] == usage.json()["month"] == "0001-01"
    assert export.headers["content-disposition"].endswith(f'-{team.creator_1.id}-0001-01.csv"')
