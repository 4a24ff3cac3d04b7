"""The delivery log API (DESIGN §2.9): the acting creator's webhook events with every attempt,
and a retry of a failed one under the same event id. The creator and the agency's owners and
managers may use it; for anyone else it does not exist (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from huntaze_ai.auth.dependencies import CurrentActing
from huntaze_ai.kit.errors import API_ERRORS, error_responses
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.webhooks import service
from huntaze_ai.webhooks.schemas import StatusName, WebhookEventList, WebhookEventOut

router = APIRouter(
    prefix="/api/webhooks", tags=["webhooks"], responses={**API_ERRORS, **error_responses(409)}
)
EventId = Annotated[str, Path(min_length=1, max_length=36)]


@router.get("", response_model=WebhookEventList)
async def list_events(
    acting: CurrentActing,
    session: SessionDep,
    status: StatusName | None = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIST)] = 50,
) -> WebhookEventList:
    """The creator's events, newest first, each with its delivery attempts."""
    logged = await service.delivery_log(session, service.reader(acting), status=status, limit=limit)
    return WebhookEventList(events=[WebhookEventOut.of(e) for e in logged])


@router.post("/{event_id}/retry", response_model=WebhookEventOut)
async def retry(event_id: EventId, acting: CurrentActing, session: SessionDep) -> WebhookEventOut:
    """Send a failed event again now (one more attempt), with the same event id; 409
    `webhook_not_failed` for an event that is pending or delivered."""
    return WebhookEventOut.of(await service.retry(session, event_id, service.reader(acting)))
