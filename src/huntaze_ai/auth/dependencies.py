"""Typed auth dependencies: `CurrentCreator` for the API (bearer token or the pages' session
cookie with CSRF), `PageCreator` for the pages (session cookie, else a redirect to the login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huntaze_ai.auth.service import authenticate_token, needs_touch, touch_token
from huntaze_ai.auth.sessions import CSRF_HEADER, SAFE_METHODS, check_csrf, session_token
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import Unauthenticated
from huntaze_ai.kit.logging import creator_id_var
from huntaze_ai.models import TokenKind, User

_bearer = HTTPBearer(auto_error=False)


class LoginRequired(Unauthenticated):
    """A page was asked for without a valid session: answered with a redirect to the login."""


async def _authenticate(request: Request, token: str, kind: TokenKind) -> User:
    # Not the request's session: a lookup of its own leaves that session without a transaction,
    # so nothing is held open if the endpoint goes on to a slow model call.
    database: Database = request.app.state.database
    async with database.reader() as reader:
        user, api_token = await authenticate_token(reader, token, kind)
    creator_id_var.set(user.id)  # every log line of this request names the creator
    if needs_touch(api_token):
        await touch_token(database.sessionmaker, api_token.id)
    return user


async def get_current_creator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return await _authenticate(request, credentials.credentials, TokenKind.API)
    cookie = session_token(request)
    if not cookie:
        raise Unauthenticated()
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return await _authenticate(request, cookie, TokenKind.SESSION)


async def get_page_creator(request: Request) -> User:
    cookie = session_token(request)
    if not cookie:
        raise LoginRequired()
    try:
        return await _authenticate(request, cookie, TokenKind.SESSION)
    except Unauthenticated:
        raise LoginRequired() from None


CurrentCreator = Annotated[User, Depends(get_current_creator)]
PageCreator = Annotated[User, Depends(get_page_creator)]
