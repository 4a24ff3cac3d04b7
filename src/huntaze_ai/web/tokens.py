"""The API tokens page: a member lists the account's working API tokens and revokes them (the
same service as GET /api/auth/tokens and DELETE /api/auth/tokens/{id})."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting
from huntaze_ai.auth import service as auth
from huntaze_ai.auth.dependencies import PageActing
from huntaze_ai.auth.endpoints import MAX_TOKEN_ID
from huntaze_ai.config import Settings
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.web.forms import CsrfChecked
from huntaze_ai.web.rendering import PageError, page

router = APIRouter(include_in_schema=False)


# Notices travel in the redirect's query string as codes, never as text a link could inject.
_NOTICES = {"revoked": "Token revoked. Requests that use it are refused from now on."}


@router.get("/tokens", response_class=HTMLResponse)
async def tokens(
    request: Request, acting: PageActing, session: SessionDep, notice: str | None = None
) -> Response:
    return await _tokens_page(request, acting, session, notice=notice)


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def revoke(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    token_id: Annotated[int, Path(ge=1, le=MAX_TOKEN_ID)],
) -> Response:
    try:
        await auth.revoke_api_token(session, acting.member.id, token_id)
    except auth.TokenNotFound as exc:
        error = PageError.from_error(exc)
        return await _tokens_page(request, acting, session, error=error)
    return RedirectResponse("/tokens?notice=revoked", status_code=303)


async def _tokens_page(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    error: PageError | None = None,
    notice: str | None = None,
) -> Response:
    settings: Settings = request.app.state.settings
    return await page(
        request,
        "tokens.html",
        acting.creator,
        session,
        # The login's own tokens, whichever creator it acts for.
        tokens=await auth.list_api_tokens(session, acting.member.id),
        max_tokens=settings.max_api_tokens,
        error=error,
        notice=_NOTICES.get(notice or ""),
    )
