"""/webhooks: the delivery log of the acting creator's events (status, attempts, last error,
times, each attempt) and a Retry for failed ones, over the same service as the API."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting
from huntaze_ai.auth.dependencies import PageActing
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.web.forms import CsrfChecked, submit
from huntaze_ai.web.rendering import PageError, page
from huntaze_ai.webhooks import service

router = APIRouter(include_in_schema=False)
forms = APIRouter(dependencies=[CsrfChecked], default_response_class=HTMLResponse)

_NOTICES = {"retried": "Queued again: its next attempt is due now, under the same event id."}
_STATUSES = ("pending", "delivered", "failed")


async def _log(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    *,
    status: str | None = None,
    notice: str | None = None,
    error: PageError | None = None,
) -> Response:
    creator_id = service.reader(acting)
    events = await service.delivery_log(session, creator_id, status=status, limit=100)
    settings = request.app.state.settings
    return await page(
        request,
        "webhooks.html",
        acting.creator,
        session,
        events=events,
        status=status,
        statuses=_STATUSES,
        configured=settings.webhook_url is not None,
        now=utcnow(),
        max_attempts=settings.webhook_max_attempts,
        notice=_NOTICES.get(notice or ""),
        error=error,
    )


@router.get("/webhooks", response_class=HTMLResponse)
async def delivery_log(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    status: Literal["pending", "delivered", "failed"] | None = None,
    notice: str | None = None,
) -> Response:
    return await _log(request, acting, session, status=status, notice=notice)


@forms.post("/webhooks/{event_id}/retry")
async def retry(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    event_id: Annotated[str, Path(min_length=1, max_length=36)],
) -> Response:
    async def show(error: PageError) -> Response:
        return await _log(request, acting, session, error=error)

    async def run() -> None:
        await service.retry(session, event_id, service.reader(acting))

    return await submit(session, run, back_to="/webhooks", notice="retried", show=show)


router.include_router(forms)
