"""Invariant 8 end to end: the app is killed (SIGKILL) while a receiver holds a delivery open;
started again, it sends that event again under the same id, and every event written reaches the
receiver. Nothing waited only in the dead process's memory."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.models import User, WebhookAttempt, WebhookEvent
from tests.served import Served, serve
from tests.webhooks.helpers import SECRET, attempts_of, events_of, receiver

REFUND = "I want a refund for the last video"


def _token(served: Served, creator_id: int) -> str:
    async def go() -> str:
        database = Database.from_url(served.database_url)
        try:
            async with database.sessionmaker() as session, session.begin():
                user = await session.get(User, creator_id)
                assert user is not None
                return await create_api_token(session, user)
        finally:
            await database.dispose()

    return asyncio.run(go())


Outbox = tuple[list[WebhookEvent], dict[str, list[WebhookAttempt]]]


def _outbox(served: Served, creator_id: int) -> Outbox:
    async def go() -> Outbox:
        database = Database.from_url(served.database_url)
        try:
            events = await events_of(database, creator_id)
            return events, {e.id: await attempts_of(database, e.id) for e in events}
        finally:
            await database.dispose()

    return asyncio.run(go())


def _wait(condition, timeout_s: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_delivery_cut_by_kill_9_is_sent_again_after_a_restart_with_the_same_id(
    tmp_path: Path,
) -> None:
    def stall_first(n: int) -> int:
        if n == 1:
            rec.release.wait(120)  # holds the first delivery open until the test ends
        return 200

    env = {"WEBHOOK_SECRET": SECRET, "WEBHOOK_TIMEOUT_S": "2"}
    with receiver(stall_first) as rec:
        env["WEBHOOK_URL"] = rec.url
        with serve(tmp_path, **env) as first:
            creator_id, _ = first.create_creator()
            headers = {"Authorization": f"Bearer {_token(first, creator_id)}"}
            for n in range(3):
                reply = httpx.post(
                    f"{first.url}/api/ai/messages/reply",
                    json={"fan_message": f"{REFUND} #{n}"},
                    headers=headers,
                    timeout=30,
                )
                assert reply.json()["status"] == "escalate", reply.text
            assert rec.first_request.wait(30), first.log_text()[-2000:]
            first.process.kill()  # SIGKILL: no shutdown, no lease given back
            first.process.wait()
        stalled = rec.got[0].json
        events, attempts = _outbox(first, creator_id)
        cut = next(e for e in events if e.id == stalled["id"])
        assert (cut.status, cut.lease_owner is not None) == ("pending", True)
        assert attempts[cut.id][0].finished_at is None

        with serve(tmp_path, **env) as second:
            _wait(lambda: _all_delivered(second, creator_id), 60, "every event delivered")

        events, attempts = _outbox(second, creator_id)
    assert len(events) == 3
    assert all(e.status == "delivered" for e in events)
    assert set(rec.ids()) == {e.id for e in events}  # none lost
    resent = [r for r in rec.got if r.json["id"] == stalled["id"]]
    assert len(resent) == 2
    assert resent[1].json == stalled  # the same event: id, type, time and data
    first_try, second_try = attempts[stalled["id"]]
    assert first_try.finished_at is None  # the attempt the kill cut short, kept in the log
    assert second_try.status_code == 200
    assert first_try.instance != second_try.instance


def _all_delivered(served: Served, creator_id: int) -> bool:
    events, _ = _outbox(served, creator_id)
    return len(events) == 3 and all(e.status == "delivered" for e in events)
