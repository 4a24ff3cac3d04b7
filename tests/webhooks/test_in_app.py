"""The app's own worker (main.py's lifespan with WEBHOOK_URL set): a test receiver gets each
event of a chatter's day, signed, as soon as its change commits; a stopping worker hands back
the delivery it is in."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.webhooks import signing
from tests.apphelpers import app_client, creator_headers, settings_for
from tests.metering.conftest import new_creator
from tests.webhooks.helpers import SECRET, Receiver, attempts_of, events_of, receiver
from tests.webhooks.test_worker import worker_for, write_events


async def _received(rec: Receiver, count: int, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while len(rec.got) < count:
        assert time.monotonic() < deadline, [r.json for r in rec.got]
        await asyncio.sleep(0.05)


@pytest.mark.usefixtures("own_outbox")
async def test_the_app_delivers_each_approval_and_escalation_signed_to_the_receiver(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    with receiver() as rec:
        settings = settings_for(database_url, webhook_url=rec.url, webhook_secret=SECRET)
        async with app_client(settings) as client:
            refund = await client.post(
                "/api/ai/messages/reply",
                json={"fan_message": "refund me now", "fan_id": "f-9"},
                headers=headers,
            )
            hello = await client.post(
                "/api/ai/messages/reply",
                json={"fan_message": "Hey! Love your content", "fan_id": "f-9"},
                headers=headers,
            )
            await client.post(
                f"/api/drafts/{hello.json()['draft_id']}/approve", json={}, headers=headers
            )
            await _received(rec, 2)
            listed = (await client.get("/api/webhooks", headers=headers)).json()["events"]

    assert sorted((r.json["type"], r.json["data"]["draft_id"]) for r in rec.got) == sorted(
        [
            ("draft.escalated", refund.json()["draft_id"]),
            ("message.approved", hello.json()["draft_id"]),
        ]
    )
    for got in rec.got:
        assert signing.verify(SECRET, got.body, got.headers["x-huntaze-signature"])
    assert {e["id"] for e in listed} == set(rec.ids())
    assert {e.id for e in await events_of(database, creator_id)} == set(rec.ids())


@pytest.mark.usefixtures("own_outbox")
async def test_a_worker_stopped_mid_delivery_hands_the_event_back_at_once(
    database: Database,
) -> None:
    creator = await new_creator(database)

    def stall(_n: int) -> int:
        rec.release.wait(10)
        return 200

    with receiver(stall) as rec:
        worker = worker_for(database, rec.url, timeout_s=5)
        await worker.start()
        [event_id] = await write_events(database, creator.id)
        await _received(rec, 1)
        await worker.stop(grace_s=0.1)

    [event] = await events_of(database, creator.id)
    assert (event.status, event.lease_owner, event.lease_expires_at) == ("pending", None, None)
    [attempt] = await attempts_of(database, event_id)
    assert attempt.error == "interrupted: the instance was shutting down"
