"""The delivery worker against a real local receiver: signed bodies, retries with backoff then
failure, the lease that keeps two workers from sending one event, and an expired lease taken
over (an instance that died mid-delivery)."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import DeliveryStatus, WebhookEvent
from huntaze_ai.webhooks import outbox, repository, signing
from huntaze_ai.webhooks.worker import DeliveryWorker, backoff_s
from tests.metering.conftest import new_creator
from tests.webhooks.helpers import SECRET, attempts_of, events_of, receiver

HEADER = re.compile(r"^t=(\d+),v1=([0-9a-f]{64})$")


def worker_for(database: Database, url: str, **options: object) -> DeliveryWorker:
    values: dict[str, object] = {
        "timeout_s": 2.0,
        "max_attempts": 3,
        "backoff_base_s": 0.05,
        "poll_s": 0.2,
        **options,
    }
    return DeliveryWorker(database.sessionmaker, url, SECRET, **values)  # type: ignore[arg-type]


def alert_data(creator_id: int, n: int) -> dict[str, object]:
    return outbox.quota_alert_data(
        creator_id,
        80,
        date(2026, 11, 1),
        8_000_000 + n,
        10_000_000,
        datetime(2026, 12, 1, tzinfo=UTC),
    )


async def write_events(database: Database, creator_id: int, count: int = 1) -> list[str]:
    """`count` committed events (quota alerts, as the settle statement writes them)."""
    async with database.sessionmaker() as session, session.begin():
        return [
            await outbox.add(
                session, creator_id, outbox.EventType.QUOTA_ALERT, alert_data(creator_id, n)
            )
            for n in range(count)
        ]


async def wait_for(check, timeout_s: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.mark.usefixtures("own_outbox")
async def test_an_event_is_posted_signed_with_its_id_type_time_and_data(database: Database) -> None:
    creator = await new_creator(database)
    with receiver() as rec:
        worker = worker_for(database, rec.url)
        await worker.start()
        try:
            [event_id] = await write_events(database, creator.id)
            await wait_for(lambda: _status(database, creator.id, "delivered"))
        finally:
            await worker.stop()

    [got] = rec.got
    body = got.json
    [event] = await events_of(database, creator.id)
    assert body == {
        "id": event_id,
        "type": "quota.alert",
        "created_at": event.created_at.isoformat(),
        "data": alert_data(creator.id, 0),
    }
    assert body["data"]["spent_usd"] == "8.000000"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"].startswith("Huntaze-Webhooks/")
    match = HEADER.match(got.headers["x-huntaze-signature"])
    assert match, got.headers["x-huntaze-signature"]
    assert abs(int(match[1]) - time.time()) < 60
    assert signing.verify(SECRET, got.body, got.headers["x-huntaze-signature"])
    assert not signing.verify("another-secret", got.body, got.headers["x-huntaze-signature"])
    assert not signing.verify(SECRET, got.body + b" ", got.headers["x-huntaze-signature"])
    [attempt] = await attempts_of(database, event_id)
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, None)
    assert event.delivered_at is not None
    assert event.lease_owner is None


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_raw_body() -> None:
    import hashlib
    import hmac

    body = b'{"id":"x"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signing.header_value("k", body, 1700000000) == f"t=1700000000,v1={expected}"
    header = signing.header_value("k", body, 1700000000)
    assert signing.verify("k", body, header, now=1700000100)
    assert not signing.verify("k", body, header, now=1700000000 + 301)  # too old: a replay


async def _status(database: Database, creator_id: int, status: str, count: int = 1) -> bool:
    events = await events_of(database, creator_id)
    return len(events) == count and all(e.status == status for e in events)


@pytest.mark.usefixtures("own_outbox")
async def test_a_receiver_answering_500_is_retried_with_backoff_then_the_event_fails(
    database: Database,
) -> None:
    creator = await new_creator(database)
    with receiver(lambda _n: 500) as rec:
        worker = worker_for(database, rec.url, max_attempts=3)
        await worker.start()
        try:
            [event_id] = await write_events(database, creator.id)
            await wait_for(lambda: _status(database, creator.id, "failed"))
        finally:
            await worker.stop()

    assert rec.ids() == [event_id] * 3  # the same id every time
    [event] = await events_of(database, creator.id)
    assert (event.attempts, event.last_error) == (3, "HTTP 500")
    attempts = await attempts_of(database, event_id)
    assert [(a.number, a.status_code, a.error) for a in attempts] == [
        (n, 500, "HTTP 500") for n in (1, 2, 3)
    ]
    # Each retry waited at least half its backoff (0.025 s, then 0.05 s).
    ends = [a.finished_at for a in attempts]
    assert None not in ends
    gaps = [
        (b.started_at - end).total_seconds() for end, b in zip(ends, attempts[1:], strict=False)
    ]  # type: ignore[operator]
    assert gaps[0] >= 0.025, gaps
    assert gaps[1] >= 0.05, gaps


@pytest.mark.usefixtures("own_outbox")
async def test_a_receiver_that_does_not_answer_in_time_is_retried_then_failed(
    database: Database,
) -> None:
    creator = await new_creator(database)

    def stall(_n: int) -> int:
        rec.release.wait(3)
        return 200

    with receiver(stall) as rec:
        worker = worker_for(database, rec.url, timeout_s=0.3, max_attempts=2)
        await worker.start()
        try:
            await write_events(database, creator.id)
            await wait_for(lambda: _status(database, creator.id, "failed"))
        finally:
            await worker.stop()
    [event] = await events_of(database, creator.id)
    assert event.last_error == "no answer within 0.3 s"
    assert [a.error for a in await attempts_of(database, event.id)] == [event.last_error] * 2


def test_backoff_doubles_within_its_jitter_and_is_capped() -> None:
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (10, 3600), (40, 3600)]:
        waits = [backoff_s(attempt, 30) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits), (attempt, min(waits), max(waits))
        assert max(waits) - min(waits) > ceiling / 10  # jittered, not one fixed wait


@pytest.mark.usefixtures("own_outbox")
async def test_two_workers_racing_on_one_outbox_never_both_deliver_an_event(
    database: Database,
) -> None:
    creator = await new_creator(database)

    def slow_ok(_n: int) -> int:
        time.sleep(0.01)  # long enough for the other worker's claims to interleave
        return 200

    with receiver(slow_ok) as rec:
        ids = await write_events(database, creator.id, count=30)
        workers = [worker_for(database, rec.url, lanes=3) for _ in range(2)]
        for w in workers:
            await w.start()
        try:
            await wait_for(lambda: _status(database, creator.id, "delivered", count=30))
        finally:
            for w in workers:
                await w.stop()
    assert sorted(rec.ids()) == sorted(ids)  # each exactly once
    senders = {a.instance for e in ids for a in await attempts_of(database, e)}
    assert len(senders) == 2  # both took part


@pytest.mark.usefixtures("own_outbox")
async def test_an_expired_lease_is_taken_over_and_the_event_resent_with_its_id(
    database: Database,
) -> None:
    """An instance claimed the event and died: once its lease expires another sends it."""
    creator = await new_creator(database)
    [event_id] = await write_events(database, creator.id)
    now = utcnow()
    async with database.sessionmaker() as session, session.begin():
        dead = await repository.claim(
            session,
            owner="dead:1:a",
            instance="dead:1",
            now=now,
            lease_until=now + timedelta(seconds=60),
        )
    assert dead is not None
    assert dead.id == event_id
    with receiver() as rec:
        worker = worker_for(database, rec.url)
        assert await worker_deliver(worker) is False  # the lease is live: nobody takes it
        async with database.sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == event_id)
                .values(lease_expires_at=utcnow() - timedelta(seconds=1))
            )
        assert await worker_deliver(worker) is True
    assert rec.ids() == [event_id]
    first, second = await attempts_of(database, event_id)
    assert (first.instance, first.finished_at) == ("dead:1", None)  # shown as interrupted
    assert (second.number, second.status_code) == (2, 200)


@pytest.mark.usefixtures("own_outbox")
async def test_a_lane_that_outlived_its_lease_cannot_close_the_delivery_a_sibling_lane_took_over(
    database: Database,
) -> None:
    """Each claim owns its lease, not the instance: a lane of the same process that took the
    event over after the first lane's lease ran out keeps it."""
    creator = await new_creator(database)
    [event_id] = await write_events(database, creator.id)
    worker = worker_for(database, "http://127.0.0.1:9/unused")
    claims = []
    for lane in ("a", "b"):
        now = utcnow()
        async with database.sessionmaker() as session, session.begin():
            claims.append(
                await repository.claim(
                    session,
                    owner=f"{worker.instance}:{lane}",
                    instance=worker.instance,
                    now=now,
                    lease_until=now + timedelta(seconds=60),
                )
            )
            if lane == "a":  # then lane a's POST outlives its lease
                await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id == event_id)
                    .values(lease_expires_at=utcnow() - timedelta(seconds=1))
                )
    first, second = claims
    assert first is not None
    assert second is not None
    assert first.owner != second.owner
    async with database.sessionmaker() as session, session.begin():
        kept = await repository.finish(
            session,
            first,
            owner=first.owner,
            now=utcnow(),
            status_code=200,
            error=None,
            duration_ms=5,
            status=DeliveryStatus.DELIVERED,
            next_attempt_at=None,
        )
    assert kept is False
    [event] = [e for e in await events_of(database, creator.id) if e.id == event_id]
    assert (event.status, event.lease_owner) == ("pending", second.owner)


async def worker_deliver(worker: DeliveryWorker) -> bool:
    import httpx

    worker._client = httpx.AsyncClient(timeout=2)
    try:
        return await worker.deliver_one()
    finally:
        await worker._client.aclose()


@pytest.mark.usefixtures("own_outbox")
async def test_a_commit_wakes_the_worker_before_its_poll(database: Database) -> None:
    creator = await new_creator(database)
    with receiver() as rec:
        worker = worker_for(database, rec.url, poll_s=30)
        await worker.start()
        try:
            await asyncio.sleep(0.2)  # both lanes found nothing and sleep for 30 s
            started = time.monotonic()
            await write_events(database, creator.id)
            await wait_for(lambda: _status(database, creator.id, "delivered"), timeout_s=10)
            took = time.monotonic() - started
        finally:
            await worker.stop()
    assert took < 5, took


def test_a_forged_signature_with_non_ascii_characters_is_refused_not_an_error() -> None:
    now = 1_800_000_000
    genuine = signing.header_value(SECRET, b"{}", now)
    forged = genuine.split("v1=")[0] + "v1=é"
    assert signing.verify(SECRET, b"{}", genuine, now=now) is True
    assert signing.verify(SECRET, b"{}", forged, now=now) is False
