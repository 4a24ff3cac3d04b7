"""Logins, bearer tokens and browser sessions.

A browser session is stored like a token (hashed, revocable, with an expiry) but is of another
kind: the cookie carries a session, the Authorization header an API token, and neither is
accepted in the other's place. An account holds at most `max_active` API tokens: creating one
more revokes the oldest (by creation), so `POST /api/auth/token` in a loop cannot pile up
credentials, and an integration that logs in each time keeps working.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.agencies.access import Seat
from huntaze_ai.auth import repository
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import InvalidRequest, NotFound, Unauthenticated
from huntaze_ai.kit.security import hash_api_token, new_api_token, verify_password
from huntaze_ai.kit.text import refuse_invisible
from huntaze_ai.models import ApiToken, TokenKind, User
from huntaze_ai.users import repository as users

# Writing last_used_at on every request would make every read a write; once a minute is enough
# for an operator to see which tokens are alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)
LOGIN_TOKEN_TTL = timedelta(days=30)
BROWSER_SESSION_TTL = timedelta(days=14)
BROWSER_SESSION_NAME = "browser session"

# Verified when the email is unknown, so a wrong email costs as long as a wrong password and the
# response time does not tell which accounts exist. Written out rather than hashed at import, which
# cost every process that imports this module (each CLI command) an argon2 hash; a test keeps its
# parameters equal to the hasher's, so it still costs what a real verification does.
DUMMY_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$Q32fGbKuviAZhKvxZplNMA$KWY3Bu"  # noqa: S105 - a decoy
    "cbTEx6zVQluo7p2NpatpfeQvlqBpE7KaOG+nQ"
)


class TokenNotFound(NotFound):
    default_message = "No such API token"


DEFAULT_MAX_ACTIVE_TOKENS = 10
MAX_TOKEN_NAME = 100


def token_label(raw: str) -> str:
    """A token's name as the tokens page and `tokens list` show it: spaces collapsed, 1 to 100
    characters, no control or invisible formatting characters (a display field, kit/text.py)."""
    label = " ".join(raw.split())
    problem = None
    if not label or len(label) > MAX_TOKEN_NAME:
        problem = f"must be 1 to {MAX_TOKEN_NAME} characters"
    else:
        try:
            refuse_invisible(label)
        except ValueError as exc:
            problem = str(exc)
    if problem is not None:
        raise InvalidRequest(
            f"A token's name {problem}", fields=[{"field": "name", "message": problem}]
        )
    return label


async def create_api_token(
    session: AsyncSession,
    user: User,
    name: str = "cli",
    ttl: timedelta | None = None,
    *,
    max_active: int = DEFAULT_MAX_ACTIVE_TOKENS,
) -> str:
    """Create an API token for `user` and return it: only its hash is stored, this is the only
    copy. Beyond `max_active` active tokens, the oldest are revoked."""
    token = await _insert(session, user, TokenKind.API, name, ttl)
    await repository.lock_user(session, user.id)
    await repository.revoke_all_but_newest(session, user.id, max_active, utcnow())
    return token


async def create_browser_session(session: AsyncSession, user: User) -> str:
    """A session token for the pages' cookie (not usable as a bearer token)."""
    return await _insert(
        session, user, TokenKind.SESSION, BROWSER_SESSION_NAME, BROWSER_SESSION_TTL
    )


async def _insert(
    session: AsyncSession, user: User, kind: TokenKind, name: str, ttl: timedelta | None
) -> str:
    # The insert comes first: on SQLite it takes the write lock at once, so concurrent creations
    # queue and each one's pruning sees the others' rows.
    token = new_api_token()
    session.add(
        ApiToken(
            user_id=user.id,
            kind=kind,
            name=name,
            token_hash=hash_api_token(token),
            prefix=token[:12],
            expires_at=None if ttl is None else utcnow() + ttl,
        )
    )
    await session.flush()
    return token


async def list_api_tokens(session: AsyncSession, user_id: int) -> list[ApiToken]:
    """The account's usable API tokens, newest first (revoked and expired ones are gone)."""
    return await repository.active_api_tokens(session, user_id, utcnow())


async def revoke_api_token(session: AsyncSession, user_id: int, token_id: int) -> None:
    """Revoke one of the account's usable API tokens; TokenNotFound for anything else (another
    account's, a session, one already revoked or expired)."""
    if not await repository.revoke_api_token(session, user_id, token_id, utcnow()):
        raise TokenNotFound()


async def login(session: AsyncSession, email: str, password: str) -> User:
    """The account these credentials open, or Unauthenticated (the same for either mistake)."""
    user = await users.get_by_email(session, email)
    # argon2 takes ~0.1 s of CPU by design: off the event loop, so other requests keep flowing.
    if user is None:
        await asyncio.to_thread(verify_password, DUMMY_PASSWORD_HASH, password)
        raise Unauthenticated("Invalid email or password")
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        raise Unauthenticated("Invalid email or password")
    return user


async def revoke_token(session: AsyncSession, token: str) -> None:
    await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_api_token(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def authenticate_token(
    session: AsyncSession, token: str, kind: TokenKind
) -> tuple[User, repository.TokenUse, Seat | None]:
    """The token's account and its agency seat, or Unauthenticated. Reads only (see
    `touch_token`). Read from the database on every request, never cached: a revocation or a
    removal from the team holds from the next request on, on every instance."""
    found = await repository.get_token_with_user(session, hash_api_token(token))
    if found is None:
        raise Unauthenticated("Invalid or expired token")
    api_token, user, seat = found
    now = utcnow()
    if (
        api_token.kind != kind
        or api_token.revoked_at is not None
        or (api_token.expires_at is not None and api_token.expires_at <= now)
    ):
        raise Unauthenticated("Invalid or expired token")
    return user, api_token, seat


def needs_touch(api_token: repository.TokenUse) -> bool:
    last = api_token.last_used_at
    return last is None or utcnow() - last > LAST_USED_RESOLUTION


async def touch_token(sessions: async_sessionmaker[AsyncSession], token_id: int) -> None:
    """Record use in a short transaction of its own, so the request's session stays read-only
    until the endpoint writes (a write held across an AI call would serialize SQLite writers)."""
    now = utcnow()
    async with sessions() as session, session.begin():
        await session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
