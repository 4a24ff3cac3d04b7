"""Each change writes its webhook event in its own transaction (invariant 8): one event per
approval, escalation and first crossing of a quota threshold, none for a change rolled back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.metering.quota import QuotaLedger, UsageRecord, month_start
from tests.apphelpers import app_client, creator_headers, draft_reply, settings_for
from tests.metering.conftest import make_settings, new_creator
from tests.webhooks.helpers import events_of


async def test_an_approval_writes_one_message_approved_event_and_a_rejection_none(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        kept = await draft_reply(client, headers, fan_id="fan-7", platform="onlyfans")
        dropped = await draft_reply(client, headers, fan_id="fan-7")
        approved = await client.post(
            f"/api/drafts/{kept['draft_id']}/approve",
            json={"text": "Thank you babe 💕"},
            headers=headers,
        )
        await client.post(f"/api/drafts/{dropped['draft_id']}/reject", headers=headers)

    events = await events_of(database, creator_id)
    assert [e.type for e in events] == ["message.approved"]
    event = events[0]
    draft = approved.json()
    assert event.status == "pending"
    assert event.data == {
        "draft_id": kept["draft_id"],
        "creator_id": creator_id,
        "fan_id": "fan-7",
        "platform": "onlyfans",
        "text": "Thank you babe 💕",
        "edited": True,
        "approved_by": draft["decided_by"],
        "approved_at": datetime.fromisoformat(draft["decided_at"]).isoformat(),
        "offer_sent": False,
        "offer": None,
        "answered_escalation": False,
    }


async def test_an_approval_past_the_fan_cap_is_rolled_back_with_no_event(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    async with app_client(settings_for(database_url)) as client:
        ids = [
            (await draft_reply(client, headers, f"Hey #{n}", fan_id="capped"))["draft_id"]
            for n in range(4)
        ]
        answers = [
            await client.post(f"/api/drafts/{i}/approve", json={}, headers=headers) for i in ids
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 409]
    events = await events_of(database, creator_id)
    assert sorted(e.data["draft_id"] for e in events) == sorted(ids[:3])


async def test_racing_approvals_of_one_draft_write_one_event(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        draft = await draft_reply(client, headers, fan_id="fan-race")
        path = f"/api/drafts/{draft['draft_id']}/approve"
        answers = await asyncio.gather(
            *(client.post(path, json={}, headers=headers) for _ in range(5))
        )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    assert len(await events_of(database, creator_id)) == 1


async def test_escalations_by_guard_and_by_hand_write_one_event_each_and_an_answer_approves(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        refund = await draft_reply(client, headers, fan_message="I want a refund now", fan_id="f1")
        normal = await draft_reply(client, headers, fan_id="f2")
        await client.post(
            f"/api/drafts/{normal['draft_id']}/escalate",
            json={"reason": "asks for a custom video"},
            headers=headers,
        )
        answered = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "I'm sorry babe, support will look at it with you."},
            headers=headers,
        )
        await client.post(
            f"/api/escalations/{normal['draft_id']}/resolve", json={}, headers=headers
        )

    events = await events_of(database, creator_id)
    assert [(e.type, e.data["draft_id"]) for e in events] == [
        ("draft.escalated", refund["draft_id"]),
        ("draft.escalated", normal["draft_id"]),
        ("message.approved", refund["draft_id"]),
    ]  # the dismissal writes none
    by_guard, by_hand, answer = (e.data for e in events)
    assert by_guard["by"] == "guard"
    assert by_guard["fan_message"] == "I want a refund now"
    assert by_guard["reason"] is None
    assert any(r["code"] == "escalation_trigger" for r in by_guard["reasons"]), by_guard
    assert by_hand["by"] == "member"
    assert by_hand["reason"] == "asks for a custom video"
    assert by_hand["escalated_by"] is not None
    assert answer["answered_escalation"] is True
    assert answer["text"] == answered.json()["final_text"]


def _record(cost: int) -> UsageRecord:
    return UsageRecord("messaging", "gemini-2.5-pro", 100, 0, 50, cost, 12, "ok")


async def test_quota_alerts_are_written_once_per_threshold_under_concurrent_settles(
    database: Database,
) -> None:
    """Twenty calls of 10 % each settle at once against a $0.01 quota: the 80 % and 95 %
    thresholds are each crossed by exactly one of them, whatever the interleaving, and the event
    reads the same on both databases (PostgreSQL builds it in SQL)."""
    ledger = QuotaLedger(database.sessionmaker, make_settings(quota_starter_usd=Decimal("0.01")))
    user = await new_creator(database)
    held = [await ledger.reserve(user.id, "starter", 500, f"q{i}") for i in range(20)]
    await asyncio.gather(*(ledger.finish(h, _record(500)) for h in held))
    # A second round in the same month crosses nothing new.
    await ledger.finish(await ledger.reserve(user.id, "starter", 0, "again"), _record(0))

    events = await events_of(database, user.id)
    assert sorted(e.data["threshold_percent"] for e in events) == [80, 95]
    period = month_start(held[0].started_at)
    for event in events:
        assert event.type == "quota.alert"
        spent = event.data["spent_usd"]
        assert Decimal(spent) * 100 >= event.data["threshold_percent"] * Decimal("0.01")
        assert event.data == {
            "creator_id": user.id,
            "threshold_percent": event.data["threshold_percent"],
            "period": period.strftime("%Y-%m"),
            "spent_usd": spent,
            "limit_usd": "0.010000",
            "resets_at": datetime(
                period.year + period.month // 12, period.month % 12 + 1, 1, tzinfo=UTC
            ).isoformat(),
        }
        assert len(spent.split(".")[1]) == 6  # six places, as format_usd writes money
