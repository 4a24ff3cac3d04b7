"""Typed auth dependencies.

- `CurrentMember`: the login (bearer token, or the pages' session cookie with CSRF), for what
  concerns the person: /api/me, their tokens, their team.
- `CurrentActing` / `CurrentCreator`: the creator the login acts for (DESIGN §2.7): the
  `X-Creator-Id` header, else (pages) the creator chosen in the switcher, else the default of
  `agencies.access.act_for`. Quota, rate limit and data are that creator's.
- `PageActing` / `PageCreator`: the same for the pages; no session redirects to the login.
- `ReaderActing` / `ReaderCreator`: `CurrentActing` / `CurrentCreator` looked up on the request's
  reader session (`ReaderDep`), for endpoints that read there anyway (the fan reply): the login,
  the creator and the endpoint's reads share one pooled connection instead of one each.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting, Seat, act_for, parse_creator_id
from huntaze_ai.auth.service import authenticate_token, needs_touch, touch_token
from huntaze_ai.auth.sessions import CSRF_HEADER, SAFE_METHODS, check_csrf, session_token
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import Conflict, InvalidRequest, NotFound, Unauthenticated
from huntaze_ai.kit.logging import creator_id_var, member_id_var
from huntaze_ai.kit.session_deps import ReaderDep
from huntaze_ai.models import TokenKind, User

_bearer = HTTPBearer(auto_error=False)

CREATOR_HEADER = "X-Creator-Id"
# The pages' switcher remembers its choice here; it is re-checked on every request like the header.
CREATOR_COOKIE = "huntaze_creator"


CreatorHeader = Annotated[
    str | None,
    Header(
        alias=CREATOR_HEADER,
        description="The creator to act for (GET /api/me lists them); absent: your own "
        "account, or the only creator you may act for",
    ),
]


class CreatorSwitched(Conflict):
    code = "creator_switched"
    default_message = (
        "This page was for another creator than the one you now act for (switched in another "
        "tab): nothing was changed. Reload the page and try again"
    )


class LoginRequired(Unauthenticated):
    """A page was asked for without a valid session: answered with a redirect to the login."""


@dataclass(frozen=True)
class Login:
    user: User
    seat: Seat | None
    by_session: bool  # the pages' cookie, not a bearer token


async def _authenticate(
    request: Request, token: str, kind: TokenKind, reader: AsyncSession | None = None
) -> Login:
    database: Database = request.app.state.database
    if reader is None:
        # Not the request's session: a lookup of its own leaves that session without a
        # transaction, so nothing is held open if the endpoint goes on to a slow model call.
        async with database.reader() as own:
            user, api_token, seat = await authenticate_token(own, token, kind)
    else:
        user, api_token, seat = await authenticate_token(reader, token, kind)
    member_id_var.set(user.id)
    creator_id_var.set(user.id)  # until the request says whom it acts for
    if needs_touch(api_token):
        await touch_token(database.sessionmaker, api_token.id)
    return Login(user, seat, kind == TokenKind.SESSION)


async def _login(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    reader: AsyncSession | None = None,
) -> Login:
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return await _authenticate(request, credentials.credentials, TokenKind.API, reader)
    cookie = session_token(request)
    if not cookie:
        raise Unauthenticated()
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return await _authenticate(request, cookie, TokenKind.SESSION, reader)


async def get_login(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Login:
    return await _login(request, credentials)


async def get_reader_login(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    reader: ReaderDep,
) -> Login:
    return await _login(request, credentials, reader)


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


async def _acting(
    request: Request, login: Login, header: str | None, reader: AsyncSession | None = None
) -> Acting:
    requested = parse_creator_id(header)
    if reader is None:
        database: Database = request.app.state.database
        async with database.reader() as own:
            acting = await _act_for(request, login, requested, own)
    else:
        acting = await _act_for(request, login, requested, reader)
    creator_id_var.set(acting.creator.id)
    request.state.acting = acting  # for the pages' creator switcher
    return acting


async def _act_for(
    request: Request, login: Login, requested: int | None, reader: AsyncSession
) -> Acting:
    acting = None
    if requested is None and login.by_session and (chosen := _chosen(request)) is not None:
        # A remembered creator the login may no longer act for (unassigned since) falls back to
        # the default instead of locking the pages on a 404.
        with suppress(NotFound):
            acting = await act_for(reader, login.user, login.seat, chosen, pick_first=True)
    if acting is None:
        acting = await act_for(
            reader, login.user, login.seat, requested, pick_first=login.by_session
        )
    return acting


async def get_acting(
    request: Request,
    login: Annotated[Login, Depends(get_login)],
    x_creator_id: CreatorHeader = None,
) -> Acting:
    return await _acting(request, login, x_creator_id)


async def get_reader_acting(
    request: Request,
    login: Annotated[Login, Depends(get_reader_login)],
    reader: ReaderDep,
    x_creator_id: CreatorHeader = None,
) -> Acting:
    return await _acting(request, login, x_creator_id, reader)


async def get_page_acting(
    request: Request, login: Annotated[Login, Depends(get_page_login)]
) -> Acting:
    acting = await _acting(request, login, request.headers.get(CREATOR_HEADER))
    # A creator's forms say whom they were drawn for: a tab left open on one creator must not
    # write to the one picked since in another tab.
    if request.method in SAFE_METHODS:
        return acting
    drawn_for = await _form_creator(request)
    if drawn_for is not None and drawn_for != acting.creator.id:
        # Both by name, for the refusal's page, which offers to switch back.
        then = await _form_creator_named(request, login, drawn_for)
        raise CreatorSwitched(form_creator=then, acting_creator=_named(acting.creator))
    return acting


async def _form_creator_named(
    request: Request, login: Login, drawn_for: int
) -> dict[str, object] | None:
    """The creator a form was drawn for, while the login may still act for them; None for one
    taken away since, who is as unknown as any other creator."""
    database: Database = request.app.state.database
    async with database.reader() as own:
        with suppress(NotFound):
            then = await act_for(own, login.user, login.seat, drawn_for, pick_first=True)
            return _named(then.creator)
    return None


def _named(creator: User) -> dict[str, object]:
    return {"id": creator.id, "name": creator.display_name or creator.email}


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _form_creator(request: Request) -> int | None:
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return None
    value = (await request.form()).get("for_creator")
    return parse_creator_id(value) if isinstance(value, str) else None


async def get_current_creator(acting: Annotated[Acting, Depends(get_acting)]) -> User:
    return acting.creator


async def get_reader_creator(acting: Annotated[Acting, Depends(get_reader_acting)]) -> User:
    return acting.creator


async def get_page_creator(acting: Annotated[Acting, Depends(get_page_acting)]) -> User:
    return acting.creator


CurrentLogin = Annotated[Login, Depends(get_login)]
PageLogin = Annotated[Login, Depends(get_page_login)]
CurrentActing = Annotated[Acting, Depends(get_acting)]
PageActing = Annotated[Acting, Depends(get_page_acting)]
CurrentCreator = Annotated[User, Depends(get_current_creator)]
PageCreator = Annotated[User, Depends(get_page_creator)]
ReaderActing = Annotated[Acting, Depends(get_reader_acting)]
ReaderCreator = Annotated[User, Depends(get_reader_creator)]
