"""Typed auth dependencies: `CurrentCreator` for the API (bearer token or the pages' session
cookie with CSRF), `PageCreator` for the pages (session cookie, else a redirect to the login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huntaze_ai.auth.service import authenticate_token, needs_touch, touch_token
from huntaze_ai.auth.sessions import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, check_csrf
from huntaze_ai.kit.db import SessionDep, end_transaction
from huntaze_ai.kit.errors import Unauthenticated
from huntaze_ai.kit.logging import creator_id_var
from huntaze_ai.models import User

_bearer = HTTPBearer(auto_error=False)


class LoginRequired(Unauthenticated):
    """A page was asked for without a valid session: answered with a redirect to the login."""


async def _authenticate(request: Request, session: SessionDep, token: str) -> User:
    user, api_token = await authenticate_token(session, token)
    creator_id_var.set(user.id)  # every log line of this request names the creator
    await end_transaction(session)
    if needs_touch(api_token):
        await touch_token(request.app.state.database.sessionmaker, api_token.id)
    return user


async def get_current_creator(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return await _authenticate(request, session, credentials.credentials)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated()
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return await _authenticate(request, session, cookie)


async def get_page_creator(request: Request, session: SessionDep) -> User:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired()
    try:
        return await _authenticate(request, session, cookie)
    except Unauthenticated:
        raise LoginRequired() from None


CurrentCreator = Annotated[User, Depends(get_current_creator)]
PageCreator = Annotated[User, Depends(get_page_creator)]
