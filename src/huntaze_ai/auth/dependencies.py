"""Typed auth dependencies.

- `CurrentMember`: the login (bearer token, or the pages' session cookie with CSRF), for what
  concerns the person: /api/me, their tokens, their team.
- `CurrentActing` / `CurrentCreator`: the creator the login acts for (DESIGN §2.7): the
  `X-Creator-Id` header, else (pages) the creator chosen in the switcher, else the default of
  `agencies.access.act_for`. Quota, rate limit and data are that creator's.
- `PageActing` / `PageCreator`: the same for the pages; no session redirects to the login.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huntaze_ai.agencies.access import Acting, Seat, act_for, parse_creator_id
from huntaze_ai.auth.service import authenticate_token, needs_touch, touch_token
from huntaze_ai.auth.sessions import CSRF_HEADER, SAFE_METHODS, check_csrf, session_token
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import InvalidRequest, NotFound, Unauthenticated
from huntaze_ai.kit.logging import creator_id_var, member_id_var
from huntaze_ai.models import TokenKind, User

_bearer = HTTPBearer(auto_error=False)

CREATOR_HEADER = "X-Creator-Id"
# The pages' switcher remembers its choice here; it is re-checked on every request like the header.
CREATOR_COOKIE = "huntaze_creator"


class LoginRequired(Unauthenticated):
    """A page was asked for without a valid session: answered with a redirect to the login."""


@dataclass(frozen=True)
class Login:
    user: User
    seat: Seat | None
    by_session: bool  # the pages' cookie, not a bearer token


async def _authenticate(request: Request, token: str, kind: TokenKind) -> Login:
    # Not the request's session: a lookup of its own leaves that session without a transaction,
    # so nothing is held open if the endpoint goes on to a slow model call.
    database: Database = request.app.state.database
    async with database.reader() as reader:
        user, api_token, seat = await authenticate_token(reader, token, kind)
    member_id_var.set(user.id)
    creator_id_var.set(user.id)  # until the request says whom it acts for
    if needs_touch(api_token):
        await touch_token(database.sessionmaker, api_token.id)
    return Login(user, seat, kind == TokenKind.SESSION)


async def get_login(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Login:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return await _authenticate(request, credentials.credentials, TokenKind.API)
    cookie = session_token(request)
    if not cookie:
        raise Unauthenticated()
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return await _authenticate(request, cookie, TokenKind.SESSION)


async def get_page_login(request: Request) -> Login:
    cookie = session_token(request)
    if not cookie:
        raise LoginRequired()
    try:
        return await _authenticate(request, cookie, TokenKind.SESSION)
    except Unauthenticated:
        raise LoginRequired() from None


def _chosen(request: Request) -> int | None:
    """The switcher's remembered choice; one that does not parse is simply forgotten."""
    try:
        return parse_creator_id(request.cookies.get(CREATOR_COOKIE))
    except InvalidRequest:
        return None


async def _acting(request: Request, login: Login, header: str | None) -> Acting:
    database: Database = request.app.state.database
    requested = parse_creator_id(header)
    async with database.reader() as reader:
        acting = None
        if requested is None and login.by_session and (chosen := _chosen(request)) is not None:
            # A remembered creator the login may no longer act for (unassigned since) falls
            # back to the default instead of locking the pages on a 404.
            with suppress(NotFound):
                acting = await act_for(reader, login.user, login.seat, chosen, pick_first=True)
        if acting is None:
            acting = await act_for(
                reader, login.user, login.seat, requested, pick_first=login.by_session
            )
    creator_id_var.set(acting.creator.id)
    request.state.acting = acting  # for the pages' creator switcher
    return acting


async def get_acting(
    request: Request,
    login: Annotated[Login, Depends(get_login)],
    x_creator_id: Annotated[
        str | None,
        Header(
            alias=CREATOR_HEADER,
            description="The creator to act for (GET /api/me lists them); absent: your own "
            "account, or the only creator you may act for",
        ),
    ] = None,
) -> Acting:
    return await _acting(request, login, x_creator_id)


async def get_page_acting(
    request: Request, login: Annotated[Login, Depends(get_page_login)]
) -> Acting:
    return await _acting(request, login, request.headers.get(CREATOR_HEADER))


async def get_current_creator(acting: Annotated[Acting, Depends(get_acting)]) -> User:
    return acting.creator


async def get_page_creator(acting: Annotated[Acting, Depends(get_page_acting)]) -> User:
    return acting.creator


CurrentLogin = Annotated[Login, Depends(get_login)]
PageLogin = Annotated[Login, Depends(get_page_login)]
CurrentActing = Annotated[Acting, Depends(get_acting)]
PageActing = Annotated[Acting, Depends(get_page_acting)]
CurrentCreator = Annotated[User, Depends(get_current_creator)]
PageCreator = Annotated[User, Depends(get_page_creator)]
