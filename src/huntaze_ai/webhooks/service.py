"""The delivery log (DESIGN §2.9): a creator's events with their attempts, and a person's retry
of a failed one. Its readers are the creator and the agency's owners and managers; a chatter,
like anyone else who may not see it, gets 404. The operator's CLI sees every creator's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import Conflict, NotFound
from huntaze_ai.models import WebhookAttempt, WebhookEvent
from huntaze_ai.webhooks import outbox, repository

MAX_LIST = 200


class WebhookEventNotFound(NotFound):
    default_message = "No such webhook event"


class DeliveryLogHidden(NotFound):
    default_message = "Only the creator and the agency's owners and managers can see webhooks"


class NotRetryable(Conflict):
    code = "webhook_not_failed"
    default_message = "Only a failed event can be retried"


@dataclass(frozen=True)
class LoggedEvent:
    event: WebhookEvent
    attempts: list[WebhookAttempt]


def may_read(acting: Acting | None) -> bool:
    return acting is not None and (acting.member.id == acting.creator.id or acting.manages)


def reader(acting: Acting) -> int:
    """The creator whose log this login may read, or DeliveryLogHidden."""
    if not may_read(acting):
        raise DeliveryLogHidden()
    return acting.creator.id


async def delivery_log(
    session: AsyncSession, creator_id: int | None, *, status: str | None, limit: int = 50
) -> list[LoggedEvent]:
    """Newest first, each with its attempts; every creator's when `creator_id` is None."""
    events: Sequence[WebhookEvent] = await repository.listing(
        session, creator_id=creator_id, status=status, limit=max(1, min(limit, MAX_LIST))
    )
    attempts = await repository.attempts_of(session, [e.id for e in events])
    return [LoggedEvent(e, attempts[e.id]) for e in events]


async def retry(session: AsyncSession, event_id: str, creator_id: int | None) -> LoggedEvent:
    """Make a failed event due again now, for one more attempt, under the same event id."""
    if not await repository.retry(session, event_id, creator_id, utcnow()):
        event = await repository.get(session, event_id, creator_id)
        if event is None:
            raise WebhookEventNotFound()
        raise NotRetryable(f"This event is {event.status}, not failed", status=event.status)
    outbox.mark_written(session)
    event = await repository.get(session, event_id, creator_id)
    assert event is not None  # just updated in this transaction
    return LoggedEvent(event, (await repository.attempts_of(session, [event_id]))[event_id])
