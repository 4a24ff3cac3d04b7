"""Reading the outbox straight from the database, and a local receiver for deliveries."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select, update

from huntaze_ai.kit.db import Database
from huntaze_ai.models import WebhookAttempt, WebhookEvent

SECRET = "whsec-test-0123456789abcdef"


async def set_aside_pending(database: Database) -> None:
    """The session's database is shared: events other tests left pending are set aside as
    delivered, so a worker a test starts sends (or fails) only the test's own."""
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            update(WebhookEvent).where(WebhookEvent.status == "pending").values(status="delivered")
        )


async def events_of(database: Database, creator_id: int) -> list[WebhookEvent]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(WebhookEvent)
            .where(WebhookEvent.creator_id == creator_id)
            .order_by(WebhookEvent.created_at, WebhookEvent.id)
        )
        return list(rows)


async def attempts_of(database: Database, event_id: str) -> list[WebhookAttempt]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.event_id == event_id)
            .order_by(WebhookAttempt.number)
        )
        return list(rows)


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Receiver:
    """What a test receiver got, and how it answers: `answer(n)` gives the status for the n-th
    request (from 1); it may block (a receiver that stalls)."""

    url: str
    got: list[Received] = field(default_factory=list)
    answer: Callable[[int], int] = lambda _n: 200
    first_request: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def ids(self) -> list[str]:
        return [r.json["id"] for r in self.got]


@contextmanager
def receiver(answer: Callable[[int], int] | None = None) -> Iterator[Receiver]:
    lock = threading.Lock()
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            rec = state["r"]
            with lock:
                rec.got.append(Received(body, {k.lower(): v for k, v in self.headers.items()}))
                number = len(rec.got)
            rec.first_request.set()
            status = rec.answer(number)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender gave up (timed out, or was killed)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks")
    if answer is not None:
        rec.answer = answer
    state["r"] = rec
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec
    finally:
        rec.release.set()
        server.shutdown()
        server.server_close()
