"""Bearer tokens: issued once, stored hashed, checked on every API call."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.auth import repository
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import Unauthenticated
from huntaze_ai.kit.security import hash_api_token, new_api_token
from huntaze_ai.models import ApiToken, User

# Writing last_used_at on every request would make every read a write; once a minute is enough
# for an operator to see which tokens are alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)


async def create_api_token(session: AsyncSession, user: User, name: str = "cli") -> str:
    """Create a token for `user` and return it: only its hash is stored, this is the only copy."""
    token = new_api_token()
    session.add(
        ApiToken(user_id=user.id, name=name, token_hash=hash_api_token(token), prefix=token[:12])
    )
    await session.flush()
    return token


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
