"""The API tokens page: a member makes a named API token (shown once), lists the account's
working ones and revokes them (the services of POST /api/auth/token, GET /api/auth/tokens and
DELETE /api/auth/tokens/{id})."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting
from huntaze_ai.auth import service as auth
from huntaze_ai.auth.dependencies import PageActing
from huntaze_ai.auth.endpoints import MAX_TOKEN_ID
from huntaze_ai.auth.sessions import device_nonce, forget_shown_once, show_once, shown_once
from huntaze_ai.auth.throttle import LoginThrottle
from huntaze_ai.config import Settings
from huntaze_ai.kit.errors import HuntazeError, InvalidRequest, Unauthenticated
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.web.forms import CsrfChecked
from huntaze_ai.web.rendering import PageError, page

router = APIRouter(include_in_schema=False)

ONCE_KIND = "api_token"  # what the one-time cookie holds (auth/sessions.py)

# Notices travel in the redirect's query string as codes, never as text a link could inject.
_NOTICES = {"revoked": "Token revoked. Requests that use it are refused from now on."}


@router.get("/tokens", response_class=HTMLResponse)
async def tokens(
    request: Request, acting: PageActing, session: SessionDep, notice: str | None = None
) -> Response:
    new_token = shown_once(request, ONCE_KIND)
    response = await _tokens_page(request, acting, session, notice=notice, new_token=new_token)
    if new_token is not None:
        forget_shown_once(request, response)
    return response


@router.post("/tokens", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def create(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    name: Annotated[str, Form(max_length=400)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """A token for an integration, valid as long as a login's (30 days); shown once, on the page
    this redirects to (reloading that page makes no other): only its hash is stored. It asks for
    the password, as POST /api/auth/token does (and counts against the same login limits): a
    browser session alone, left open on a shared machine, must not turn into a 30-day bearer
    token that outlives its logout."""
    settings: Settings = request.app.state.settings
    throttle: LoginThrottle = request.app.state.login_throttle
    email = acting.member.email
    device = device_nonce(request, email)
    try:
        await throttle.attempt(email, request.client.host if request.client else None, device)
        try:
            await auth.login(session, email, password)
        except Unauthenticated:
            await throttle.failed(device)
            raise InvalidRequest(
                "That is not your password: no token was made",
                fields=[{"field": "password", "message": "wrong password"}],
            ) from None
        token = await auth.create_api_token(
            session,
            acting.member,
            auth.token_label(name),
            ttl=auth.LOGIN_TOKEN_TTL,
            max_active=settings.max_api_tokens,
        )
    except HuntazeError as exc:
        await session.rollback()
        error = PageError.from_error(exc)
        return await _tokens_page(request, acting, session, error=error, typed=name)
    response = RedirectResponse("/tokens", status_code=303)
    show_once(request, response, ONCE_KIND, token)
    return response


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
    new_token: str | None = None,
    typed: str = "",
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
        new_token=new_token,
        typed=typed,
        token_days=auth.LOGIN_TOKEN_TTL.days,
    )
