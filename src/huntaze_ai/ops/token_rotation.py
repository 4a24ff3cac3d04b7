"""`config verify`'s API token line: the tokens to rotate are the ones that never expire.

Tokens from `POST /api/auth/token` expire after 30 days; tokens from `huntaze-ai tokens create`
never do, so a leaked one works until someone revokes it. Those older than `ROTATE_AFTER` are
named (by id and owner, never by value), to be replaced and revoked (docs/operations.md §9).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError

from huntaze_ai.config import Settings
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import ApiToken, TokenKind, User
from huntaze_ai.ops import Check

ROTATE_AFTER = timedelta(days=90)
_NAMED = 5  # tokens listed by id; the rest are counted


async def token_rotation(settings: Settings, strict: bool) -> Check:
    name = "API tokens"
    now = utcnow()
    database = Database.from_url(settings.async_database_url)
    try:
        async with database.reader() as session:
            rows = (
                await session.execute(
                    select(ApiToken.id, ApiToken.expires_at, ApiToken.created_at, User.email)
                    .join(User, User.id == ApiToken.user_id)
                    .where(
                        ApiToken.kind == TokenKind.API,
                        ApiToken.revoked_at.is_(None),
                        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
                    )
                    .order_by(ApiToken.created_at)
                )
            ).all()
    except (SQLAlchemyError, OSError):
        return Check(name, True, "not checked (the database check above says why)", warning=True)
    finally:
        await database.dispose()
    lasting = [r for r in rows if r.expires_at is None]
    stale = [r for r in lasting if now - r.created_at > ROTATE_AFTER]
    summary = (
        f"{len(rows)} active, {len(lasting)} without expiry; at most {settings.max_api_tokens} "
        "per account"
    )
    if not stale:
        return Check(
            name, True, f"{summary}; none without expiry older than {ROTATE_AFTER.days} days"
        )
    named = ", ".join(f"{r.id} ({r.email})" for r in stale[:_NAMED])
    more = f" and {len(stale) - _NAMED} more" if len(stale) > _NAMED else ""
    return Check(
        name,
        True,
        f"{summary}; {len(stale)} without expiry older than {ROTATE_AFTER.days} days: "
        f"{named}{more}; rotate them (tokens create, then tokens revoke ID)",
        warning=strict,
    )
