from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from huntaze_ai.webhooks.service import LoggedEvent

StatusName = Literal["pending", "delivered", "failed"]


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    # None while it runs, or for good when its instance stopped mid-attempt.
    finished_at: datetime | None
    status_code: int | None
    error: str | None  # None: delivered (a 2xx)
    duration_ms: int | None


class WebhookEventOut(BaseModel):
    """An event as the receiver gets it (`id`, `type`, `created_at`, `data`) and its delivery."""

    id: str
    type: Literal["message.approved", "draft.escalated", "quota.alert"]
    created_at: datetime
    data: dict[str, Any]
    status: StatusName
    attempts: int
    next_attempt_at: datetime | None  # when a pending event is due
    delivered_at: datetime | None
    last_error: str | None
    attempt_log: list[AttemptOut]

    @classmethod
    def of(cls, logged: LoggedEvent) -> WebhookEventOut:
        e = logged.event
        return cls(
            id=e.id,
            type=e.type,
            created_at=e.created_at,
            data=e.data,
            status=e.status,
            attempts=e.attempts,
            next_attempt_at=e.next_attempt_at if e.status == "pending" else None,
            delivered_at=e.delivered_at,
            last_error=e.last_error,
            attempt_log=[
                AttemptOut.model_validate(a, from_attributes=True) for a in logged.attempts
            ],
        )


class WebhookEventList(BaseModel):
    events: list[WebhookEventOut]
