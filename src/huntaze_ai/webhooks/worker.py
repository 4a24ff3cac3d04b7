"""The delivery worker: every app instance runs one when WEBHOOK_URL is set (main.py's lifespan),
and any of them may deliver any event.

A lane claims one due event (repository.claim: a lease on the row, the attempt counted and logged),
POSTs `{id, type, created_at, data}` signed (signing.py) within WEBHOOK_TIMEOUT_S, and records the
outcome: any 2xx is delivered; anything else (another status, a timeout, a connection error) is
tried again after an exponential backoff with jitter, capped, until WEBHOOK_MAX_ATTEMPTS, then the
event is failed and waits for a person's retry. Nothing waits only in memory: an instance that
dies mid-delivery leaves a lease that expires, and whichever instance claims the event next sends
it again under the same id (at least once; receivers deduplicate on the id).

Lanes wake when this process commits an event (outbox.on_written) and otherwise poll, so events
written by other instances, retries coming due and expired leases are found all the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai import __version__
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.models import DeliveryStatus
from huntaze_ai.webhooks import outbox, repository, signing
from huntaze_ai.webhooks.repository import Claimed

log = logging.getLogger(__name__)

USER_AGENT = f"Huntaze-Webhooks/{__version__}"
BACKOFF_CAP_S = 3600.0
POLL_S = 5.0
# A lease outlives the attempt it covers (the POST is cut at the timeout) by this margin, so it
# only expires when its instance has stopped.
LEASE_MARGIN_S = 10.0
MAX_ERROR_CHARS = 500


def body_of(claimed: Claimed) -> bytes:
    """The JSON the receiver gets, byte for byte what is signed."""
    created = claimed.created_at.isoformat()
    payload = {"id": claimed.id, "type": claimed.type, "created_at": created, "data": claimed.data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def backoff_s(attempt: int, base_s: float, cap_s: float = BACKOFF_CAP_S) -> float:
    """The wait after failed attempt `attempt` (1, 2, …): base·2^(attempt-1), capped, of which a
    random half is dropped ("equal jitter"), so receivers that failed together are not all hit
    again at the same instant."""
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt - 1, 32))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not a secret


class DeliveryWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        url: str,
        secret: str,
        *,
        timeout_s: float = 10.0,
        max_attempts: int = 10,
        backoff_base_s: float = 30.0,
        backoff_cap_s: float = BACKOFF_CAP_S,
        poll_s: float = POLL_S,
        lanes: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._sessions = sessionmaker
        self.url = url
        self._secret = secret
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.poll_s = poll_s
        self.lease_s = timeout_s + LEASE_MARGIN_S
        self.lanes = lanes
        self.instance = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=self.timeout_s,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )
        loop = asyncio.get_running_loop()

        # Commits happen on this loop's thread, but call_soon_threadsafe costs little and keeps
        # a commit from another thread (a test's, a CLI's) from touching the event directly.
        def wake_soon() -> None:
            loop.call_soon_threadsafe(self.wake)

        self._unsubscribe.append(outbox.on_written(wake_soon))
        self._tasks = [
            asyncio.create_task(self._lane(), name=f"webhooks-{n}") for n in range(self.lanes)
        ]
        log.info("webhook delivery started", extra={"instance": self.instance})

    async def stop(self, grace_s: float | None = None) -> None:
        """Let each lane finish the delivery it is in (up to `grace_s`), then cancel the rest:
        a cancelled delivery gives its lease back at once."""
        self._stopping = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._wake.set()
        if self._tasks:
            _, running = await asyncio.wait(
                self._tasks, timeout=self.timeout_s if grace_s is None else grace_s
            )
            for task in running:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def wake(self) -> None:
        self._wake.set()

    async def _lane(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                if await self.deliver_one():
                    continue
            except Exception:
                log.exception("webhook delivery failed; retrying in %ss", self.poll_s)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_s):
                    await self._wake.wait()

    # -- one delivery ------------------------------------------------------------------------

    async def deliver_one(self) -> bool:
        """Claim and send one due event; False when none was due."""
        now = utcnow()
        lease_until = now + timedelta(seconds=self.lease_s)
        async with self._sessions() as session, session.begin():
            # One owner per claim, not per instance: two lanes of this process must not count
            # as holding each other's lease.
            claimed = await repository.claim(
                session,
                owner=f"{self.instance}:{uuid.uuid4().hex[:6]}",
                instance=self.instance,
                now=now,
                lease_until=lease_until,
            )
        if claimed is None:
            return False
        if utcnow() + timedelta(seconds=self.timeout_s) >= lease_until:
            # The claim waited for the database long enough that the lease would run out during
            # the POST, letting another instance send it too: give it back and claim afresh.
            await self._release(claimed)
            return True
        try:
            status_code, error, duration_ms = await self._post(claimed)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._release(claimed))
            raise
        await self._record(claimed, status_code, error, duration_ms)
        return True

    async def _post(self, claimed: Claimed) -> tuple[int | None, str | None, int]:
        assert self._client is not None, "start() first"
        body = body_of(claimed)
        headers = {
            "Content-Type": "application/json",
            signing.HEADER: signing.header_value(self._secret, body, int(time.time())),
            "X-Huntaze-Event-Id": claimed.id,
        }
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        try:
            # The client's timeout bounds each phase; this bounds the whole exchange, so a
            # receiver that trickles its answer cannot hold the lease past its expiry.
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.post(self.url, content=body, headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except (TimeoutError, httpx.TimeoutException):
            error = f"no answer within {self.timeout_s:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        return status_code, error, round((time.perf_counter() - started) * 1000)

    async def _record(
        self, claimed: Claimed, status_code: int | None, error: str | None, duration_ms: int
    ) -> None:
        now = utcnow()
        next_at: datetime | None = None
        if error is None:
            status = DeliveryStatus.DELIVERED
        elif claimed.attempt >= self.max_attempts:
            status = DeliveryStatus.FAILED
        else:
            status = DeliveryStatus.PENDING
            delay = backoff_s(claimed.attempt, self.backoff_base_s, self.backoff_cap_s)
            next_at = now + timedelta(seconds=delay)
            asyncio.get_running_loop().call_later(delay, self.wake)
        async with self._sessions() as session, session.begin():
            kept = await repository.finish(
                session,
                claimed,
                owner=claimed.owner,
                now=now,
                status_code=status_code,
                error=error,
                duration_ms=duration_ms,
                status=status,
                next_attempt_at=next_at,
            )
        if not kept:
            log.warning("webhook %s: lease lost during the attempt", claimed.id)
        level = logging.INFO if error is None else logging.WARNING
        log.log(
            level,
            "webhook attempt",
            extra={
                "event_id": claimed.id,
                "event_type": claimed.type,
                "attempt": claimed.attempt,
                "status_code": status_code,
                "error": error,
                "delivery": status.value,
                "duration_ms": duration_ms,
            },
        )

    async def _release(self, claimed: Claimed) -> None:
        async with self._sessions() as session, session.begin():
            await repository.release(session, claimed, owner=claimed.owner, now=utcnow())
