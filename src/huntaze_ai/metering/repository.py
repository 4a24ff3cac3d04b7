"""Ledger statements, each one atomic SQL statement; the service composes them into short
transactions. The dialect `insert` gives the same upsert on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, delete, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.upsert import insert_for
from huntaze_ai.models import (
    QuotaAlert,
    QuotaLedger,
    QuotaReservation,
    ReplayedResponse,
    UsageLog,
    User,
)

_ledger = cast(Table, QuotaLedger.__table__)
_reservations = cast(Table, QuotaReservation.__table__)
_alerts = cast(Table, QuotaAlert.__table__)
_usage = cast(Table, UsageLog.__table__)
_replays = cast(Table, ReplayedResponse.__table__)


async def try_reserve(
    session: AsyncSession,
    *,
    user_id: int,
    period: date,
    amount: int,
    limit: int,
    now: datetime,
) -> Row[tuple[int, int]] | None:
    """Add `amount` to the month's reserved total iff spent + reserved + amount <= limit.

    One INSERT … ON CONFLICT DO UPDATE … WHERE: creates the month's row on first use and is atomic
    against every other process (the row lock on PostgreSQL, the write lock on SQLite). Returns
    (spent, reserved) after the reservation, or None when it would exceed the limit.
    """
    ledger = _ledger
    source = select(
        literal(user_id), literal(period), literal(0), literal(amount), literal(now)
    ).where(literal(amount) <= literal(limit))
    stmt = (
        insert_for(session, ledger)
        .from_select(["user_id", "period", "spent_micros", "reserved_micros", "updated_at"], source)
        .on_conflict_do_update(
            index_elements=["user_id", "period"],
            set_={"reserved_micros": ledger.c.reserved_micros + amount, "updated_at": now},
            where=ledger.c.spent_micros + ledger.c.reserved_micros + amount <= limit,
        )
        .returning(ledger.c.spent_micros, ledger.c.reserved_micros)
    )
    return (await session.execute(stmt)).first()


async def insert_reservation(
    session: AsyncSession,
    *,
    request_id: str,
    user_id: int,
    period: date,
    amount: int,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    """Raises IntegrityError when the request id was already used (idempotency)."""
    await session.execute(
        _reservations.insert().values(
            request_id=request_id,
            user_id=user_id,
            period=period,
            amount_micros=amount,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


async def insert_usage(session: AsyncSession, **values: Any) -> None:
    await session.execute(_usage.insert().values(**values))


async def settle_reservation(
    session: AsyncSession, *, request_id: str, outcome: str, now: datetime
) -> Row[tuple[int, date, int]] | None:
    """Mark a running reservation settled; returns (user_id, period, amount) to whoever wins.

    Exactly one of settle, release and the expiry sweep gets the row back, so the amount leaves
    `reserved_micros` exactly once.
    """
    r = _reservations
    stmt = (
        update(r)
        .where(r.c.request_id == request_id, r.c.settled_at.is_(None))
        .values(settled_at=now, outcome=outcome)
        .returning(r.c.user_id, r.c.period, r.c.amount_micros)
    )
    return (await session.execute(stmt)).first()


async def delete_reservation(session: AsyncSession, request_id: str) -> bool:
    """Forget a running reservation whose call never ran; True to whoever wins, as with
    `settle_reservation`. The key goes too: a retry with the same id may run."""
    r = _reservations
    stmt = (
        delete(r)
        .where(r.c.request_id == request_id, r.c.settled_at.is_(None))
        .returning(r.c.request_id)
    )
    return (await session.execute(stmt)).first() is not None


async def apply_to_ledger(
    session: AsyncSession, *, user_id: int, period: date, spent: int, unreserve: int, now: datetime
) -> int:
    """Move a settled call from reserved to spent; returns the month's new spent total."""
    ledger = _ledger
    stmt = (
        update(ledger)
        .where(ledger.c.user_id == user_id, ledger.c.period == period)
        .values(
            spent_micros=ledger.c.spent_micros + spent,
            reserved_micros=ledger.c.reserved_micros - unreserve,
            updated_at=now,
        )
        .returning(ledger.c.spent_micros)
    )
    return int((await session.execute(stmt)).scalar_one())


async def expire_reservations(
    session: AsyncSession, *, now: datetime, user_id: int | None = None
) -> Sequence[Row[tuple[int, date, int]]]:
    """Settle every expired, still-running reservation as `expired`; returns what was freed."""
    r = _reservations
    conditions = [r.c.settled_at.is_(None), r.c.expires_at < now]
    if user_id is not None:
        conditions.append(r.c.user_id == user_id)
    stmt = (
        update(r)
        .where(and_(*conditions))
        .values(settled_at=now, outcome="expired")
        .returning(r.c.user_id, r.c.period, r.c.amount_micros)
    )
    return (await session.execute(stmt)).all()


async def record_alert(
    session: AsyncSession,
    *,
    user_id: int,
    period: date,
    threshold: int,
    spent: int,
    limit: int,
    now: datetime,
) -> bool:
    """Insert the alert unless it already fired this month; True when this call created it."""
    stmt = (
        insert_for(session, _alerts)
        .values(
            user_id=user_id,
            period=period,
            threshold_percent=threshold,
            spent_micros=spent,
            limit_micros=limit,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "period", "threshold_percent"])
        .returning(_alerts.c.id)
    )
    return (await session.execute(stmt)).first() is not None


async def get_ledger(session: AsyncSession, user_id: int, period: date) -> QuotaLedger | None:
    return await session.get(QuotaLedger, (user_id, period), populate_existing=True)


async def month_usage(
    session: AsyncSession, user_id: int, start: datetime, end: datetime
) -> Sequence[UsageLog]:
    rows = await session.scalars(
        select(UsageLog)
        .where(UsageLog.user_id == user_id, UsageLog.created_at >= start, UsageLog.created_at < end)
        .order_by(UsageLog.created_at, UsageLog.id)
    )
    return rows.all()


async def emails(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    """The accounts' emails by id: who asked for each usage row."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.email).where(User.id.in_(user_ids)))
    return {row[0]: row[1] for row in rows}


async def month_alerts(session: AsyncSession, user_id: int, period: date) -> Sequence[QuotaAlert]:
    rows = await session.scalars(
        select(QuotaAlert)
        .where(QuotaAlert.user_id == user_id, QuotaAlert.period == period)
        .order_by(QuotaAlert.threshold_percent)
    )
    return rows.all()


async def delete_settled_before(session: AsyncSession, cutoff: datetime) -> int:
    r = _reservations
    result = await session.execute(
        r.delete().where(r.c.settled_at.is_not(None), r.c.settled_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def already_billed(session: AsyncSession, request_id: str) -> bool:
    """Whether a call with this request id has its usage row (kept for good, unlike the
    reservation that refuses replays for the idempotency window)."""
    found = await session.scalar(select(_usage.c.id).where(_usage.c.request_id == request_id))
    return found is not None


async def find_replay(
    session: AsyncSession, request_id: str, since: datetime
) -> ReplayedResponse | None:
    """The response stored for a request id within the window, if any."""
    stmt = select(ReplayedResponse).where(
        ReplayedResponse.request_id == request_id, ReplayedResponse.created_at >= since
    )
    return (await session.scalars(stmt)).first()


async def store_replay(session: AsyncSession, **values: Any) -> None:
    await session.execute(_replays.insert().values(**values))


async def delete_replays_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(delete(_replays).where(_replays.c.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
