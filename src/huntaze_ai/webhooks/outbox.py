"""The transactional outbox (DESIGN §2.9, invariant 8): drafts and metering write an event here in
the same transaction as the change it reports, so an event exists exactly when its change was
committed; the delivery worker (worker.py) sends it later, from any instance.

This module sits below the domains that call it: it imports only kit and models. It also tells
this process's workers that work was written, once the transaction commits; that only saves them
a poll interval, since every worker polls the table anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.money import format_usd
from huntaze_ai.models import Draft, EventType, WebhookEvent

_events = cast(Table, WebhookEvent.__table__)
_WRITTEN = "webhooks.written"
_listeners: set[Callable[[], None]] = set()


def on_written(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` whenever this process commits an event; returns the unsubscribe."""
    _listeners.add(callback)
    return lambda: _listeners.discard(callback)


def notify() -> None:
    """Events were committed outside a Session (metering's PostgreSQL settle statement)."""
    for callback in list(_listeners):
        callback()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WRITTEN, False):
        notify()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def mark_written(session: AsyncSession) -> None:
    """Wake this process's workers once the session commits (a retried event is due again)."""
    session.info[_WRITTEN] = True


def new_event_id() -> str:
    return str(uuid.uuid4())


async def add(
    session: AsyncSession, creator_id: int, type_: EventType, data: dict[str, Any]
) -> str:
    """Write one pending event in the session's transaction; its id (what the receiver sees)."""
    event_id, now = new_event_id(), utcnow()
    await session.execute(
        insert(_events).values(
            id=event_id,
            creator_id=creator_id,
            type=type_.value,
            created_at=now,
            data=data,
            status="pending",
            attempts=0,
            next_attempt_at=now,
        )
    )
    mark_written(session)
    return event_id


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def message_approved(
    session: AsyncSession, draft: Draft, *, answered_escalation: bool = False
) -> str:
    """A reply a person approved (as drafted or edited), or wrote to answer an escalation: the
    text to send to the fan, and the PPV offer when one goes with it."""
    return await add(
        session,
        draft.creator_id,
        EventType.MESSAGE_APPROVED,
        {
            "draft_id": draft.id,
            "creator_id": draft.creator_id,
            "fan_id": draft.fan_id,
            "platform": draft.platform,
            "text": draft.final_text,
            "edited": draft.edited,
            "approved_by": draft.decided_by,
            "approved_at": _iso(draft.decided_at),
            "offer_sent": draft.offer_sent,
            "offer": draft.upsell if draft.offer_sent else None,
            "answered_escalation": answered_escalation,
        },
    )


async def draft_escalated(session: AsyncSession, draft: Draft) -> str:
    """A draft in the escalation queue: put there by the guard, the fan's trigger words or the
    model's safety filter (`by` "guard", with `reasons`), or by a member (`by` "member", with
    the `reason` they gave)."""
    by_member = draft.escalation_reason is not None
    return await add(
        session,
        draft.creator_id,
        EventType.DRAFT_ESCALATED,
        {
            "draft_id": draft.id,
            "creator_id": draft.creator_id,
            "fan_id": draft.fan_id,
            "platform": draft.platform,
            "fan_message": draft.fan_message,
            "draft_text": draft.text,
            "by": "member" if by_member else "guard",
            "escalated_by": draft.decided_by if by_member else None,
            "escalated_at": _iso(draft.decided_at if by_member else draft.created_at),
            "reason": draft.escalation_reason,
            "reasons": [
                {k: r.get(k) for k in ("code", "rule", "verdict", "why", "where")}
                for r in draft.reasons
            ],
        },
    )


def quota_alert_data(
    creator_id: int, threshold: int, period: date, spent: int, limit: int, resets_at: datetime
) -> dict[str, Any]:
    """metering/pg_statements.py builds the same object in SQL; a test holds the two equal."""
    return {
        "creator_id": creator_id,
        "threshold_percent": threshold,
        "period": period.strftime("%Y-%m"),
        "spent_usd": format_usd(spent),
        "limit_usd": format_usd(limit),
        "resets_at": resets_at.isoformat(),
    }


async def quota_alert(
    session: AsyncSession,
    *,
    creator_id: int,
    threshold: int,
    period: date,
    spent: int,
    limit: int,
    resets_at: datetime,
) -> str:
    """The creator's settled spend first reached `threshold` % of the month's quota."""
    data = quota_alert_data(creator_id, threshold, period, spent, limit, resets_at)
    return await add(session, creator_id, EventType.QUOTA_ALERT, data)
