"""Queries on the outbox. A worker claims an event with one conditional UPDATE that sets its
lease, so two instances never hold the same event at once; every later write on the event is
conditional on still holding that lease."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.models import DeliveryStatus, WebhookAttempt, WebhookEvent

_events = cast(Table, WebhookEvent.__table__)
_attempts = cast(Table, WebhookAttempt.__table__)


@dataclass(frozen=True)
class Claimed:
    """An event this worker holds the lease on, and its attempt's row."""

    id: str
    type: str
    created_at: datetime
    data: dict[str, Any]
    attempt: int
    attempt_id: int
    owner: str  # this claim's own lease owner: no other claim, even in this process, holds it


async def claim(
    session: AsyncSession,
    *,
    owner: str,
    instance: str,
    now: datetime,
    lease_until: datetime,
) -> Claimed | None:
    """Take the lease on the most overdue event that is pending and due with no live lease (an
    expired one belonged to an instance that stopped mid-delivery), count the attempt and log
    its start. The UPDATE is the transaction's first statement, so SQLite's write lock comes
    first; on PostgreSQL, SKIP LOCKED sends concurrent workers to different rows, and the
    repeated condition makes a loser of any race update nothing."""
    e = _events
    due = and_(
        e.c.status == DeliveryStatus.PENDING,
        e.c.next_attempt_at <= now,
        or_(e.c.lease_expires_at.is_(None), e.c.lease_expires_at <= now),
    )
    pick = select(e.c.id).where(due).order_by(e.c.next_attempt_at).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    row = (
        await session.execute(
            update(e)
            .where(e.c.id == pick.scalar_subquery(), due)
            .values(lease_owner=owner, lease_expires_at=lease_until, attempts=e.c.attempts + 1)
            .returning(e.c.id, e.c.type, e.c.created_at, e.c.data, e.c.attempts)
        )
    ).first()
    if row is None:
        return None
    attempt_id = (
        await session.execute(
            insert(_attempts)
            .values(event_id=row.id, number=row.attempts, instance=instance, started_at=now)
            .returning(_attempts.c.id)
        )
    ).scalar_one()
    return Claimed(row.id, row.type, row.created_at, row.data, row.attempts, attempt_id, owner)


async def finish(
    session: AsyncSession,
    claimed: Claimed,
    *,
    owner: str,
    now: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
) -> bool:
    """Record the attempt's outcome and move the event on, if this worker still holds its lease;
    False when it lost it (it outlived its lease and another instance took the event)."""
    values: dict[str, Any] = {
        "status": status,
        "lease_owner": None,
        "lease_expires_at": None,
        "last_error": error,
    }
    if status == DeliveryStatus.DELIVERED:
        values["delivered_at"] = now
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    result = await session.execute(
        update(_events)
        .where(_events.c.id == claimed.id, _events.c.lease_owner == owner)
        .values(**values)
    )
    await session.execute(
        update(_attempts)
        .where(_attempts.c.id == claimed.attempt_id)
        .values(finished_at=now, status_code=status_code, error=error, duration_ms=duration_ms)
    )
    return bool(getattr(result, "rowcount", 0))


async def release(session: AsyncSession, claimed: Claimed, *, owner: str, now: datetime) -> None:
    """Give the lease back at once (this instance is stopping mid-delivery): the event is due
    again for any instance, and its attempt says why it never finished."""
    await session.execute(
        update(_events)
        .where(_events.c.id == claimed.id, _events.c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, next_attempt_at=now)
    )
    await session.execute(
        update(_attempts)
        .where(_attempts.c.id == claimed.attempt_id)
        .values(finished_at=now, error="interrupted: the instance was shutting down")
    )


async def retry(
    session: AsyncSession, event_id: str, creator_id: int | None, now: datetime
) -> bool:
    """A failed event is due again (one more attempt); False when there is no such failed
    event (of this creator, when one is given)."""
    conditions = [_events.c.id == event_id, _events.c.status == DeliveryStatus.FAILED]
    if creator_id is not None:
        conditions.append(_events.c.creator_id == creator_id)
    result = await session.execute(
        update(_events)
        .where(*conditions)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def get(session: AsyncSession, event_id: str, creator_id: int | None) -> WebhookEvent | None:
    query = select(WebhookEvent).where(WebhookEvent.id == event_id)
    if creator_id is not None:
        query = query.where(WebhookEvent.creator_id == creator_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def listing(
    session: AsyncSession, *, creator_id: int | None, status: str | None, limit: int
) -> Sequence[WebhookEvent]:
    """Newest first; every creator's when `creator_id` is None (the operator's CLI)."""
    query = select(WebhookEvent)
    if creator_id is not None:
        query = query.where(WebhookEvent.creator_id == creator_id)
    if status is not None:
        query = query.where(WebhookEvent.status == status)
    query = query.order_by(WebhookEvent.created_at.desc(), WebhookEvent.id).limit(limit)
    return (await session.scalars(query)).all()


async def attempts_of(
    session: AsyncSession, event_ids: Sequence[str]
) -> dict[str, list[WebhookAttempt]]:
    if not event_ids:
        return {}
    rows = await session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.event_id.in_(event_ids))
        .order_by(WebhookAttempt.event_id, WebhookAttempt.number, WebhookAttempt.id)
    )
    found: dict[str, list[WebhookAttempt]] = {event_id: [] for event_id in event_ids}
    for attempt in rows:
        found[attempt.event_id].append(attempt)
    return found
