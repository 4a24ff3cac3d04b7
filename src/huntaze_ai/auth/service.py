"""Logins, bearer tokens and browser sessions.

A browser session is a token like any other (stored hashed, revocable, with an expiry); the cookie
carries it instead of the Authorization header.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.auth import repository
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import Unauthenticated
from huntaze_ai.kit.security import hash_api_token, hash_password, new_api_token, verify_password
from huntaze_ai.models import ApiToken, User
from huntaze_ai.users import repository as users

# Writing last_used_at on every request would make every read a write; once a minute is enough
# for an operator to see which tokens are alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)
LOGIN_TOKEN_TTL = timedelta(days=30)
BROWSER_SESSION_TTL = timedelta(days=14)
BROWSER_SESSION_NAME = "browser session"

# Verified when the email is unknown, so a wrong email costs as long as a wrong password and the
# response time does not tell which accounts exist.
_DUMMY_HASH = hash_password("not a real password, only spends the same time")


async def create_api_token(
    session: AsyncSession, user: User, name: str = "cli", ttl: timedelta | None = None
) -> str:
    """Create a token for `user` and return it: only its hash is stored, this is the only copy."""
    token = new_api_token()
    session.add(
        ApiToken(
            user_id=user.id,
            name=name,
            token_hash=hash_api_token(token),
            prefix=token[:12],
            expires_at=None if ttl is None else utcnow() + ttl,
        )
    )
    await session.flush()
    return token


async def login(session: AsyncSession, email: str, password: str) -> User:
    """The account these credentials open, or Unauthenticated (the same for either mistake)."""
    user = await users.get_by_email(session, email)
    # argon2 takes ~0.1 s of CPU by design: off the event loop, so other requests keep flowing.
    if user is None:
        await asyncio.to_thread(verify_password, _DUMMY_HASH, password)
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


async def authenticate_token(session: AsyncSession, token: str) -> tuple[User, ApiToken]:
    """The token's creator, or Unauthenticated. Reads only (see `touch_token`)."""
    found = await repository.get_token_with_user(session, hash_api_token(token))
    if found is None:
        raise Unauthenticated("Invalid or expired token")
    api_token, user = found
    now = utcnow()
    if api_token.revoked_at is not None or (
        api_token.expires_at is not None and api_token.expires_at <= now
    ):
        raise Unauthenticated("Invalid or expired token")
    return user, api_token


def needs_touch(api_token: ApiToken) -> bool:
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
