from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from huntaze_ai.agencies.access import Seat
from huntaze_ai.kit.db import HotStatement
from huntaze_ai.models import Agency, AgencyMember, ApiToken, Role, TokenKind, User


@dataclass(frozen=True)
class TokenUse:
    """What a request needs of its token: whether it is valid, and when it was last used."""

    id: int
    kind: str  # a TokenKind value
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


# Run on every request: built once, sent on the driver (kit/db.HotStatement), the account as
# columns made into a detached `User` (what the endpoints take) without the ORM's query and
# hydration: a fifth of a fan reply's CPU went to this lookup (issue 16).
_USER_ATTRIBUTES = [(a.key, a.columns[0]) for a in sa_inspect(User).column_attrs]
_TOKEN_WITH_USER = HotStatement(
    select(
        ApiToken.id,
        ApiToken.kind,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        AgencyMember.agency_id,
        Agency.name,
        AgencyMember.role,
        *(column.label(f"user_{key}") for key, column in _USER_ATTRIBUTES),
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(AgencyMember, AgencyMember.user_id == User.id)
    .outerjoin(Agency, Agency.id == AgencyMember.agency_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


async def get_token_with_user(
    session: AsyncSession, token_hash: str
) -> tuple[TokenUse, User, Seat | None] | None:
    """The token, its account and the account's agency seat, in one round trip: most requests
    need nothing more to know whom they act for. The `User` is detached, as one loaded by a
    session that has since closed."""
    rows = await _TOKEN_WITH_USER.rows_in(session, {"token_hash": token_hash})
    if not rows:
        return None
    row = rows[0]
    user = User(**{key: value for (key, _), value in zip(_USER_ATTRIBUTES, row[8:], strict=True)})
    make_transient_to_detached(user)
    seat = None if row.agency_id is None else Seat(row.agency_id, row.name, Role(row.role))
    return TokenUse(*row[:5]), user, seat


def _active_api_tokens_of(user_id: int, now: datetime) -> ColumnElement[bool]:
    """The account's API tokens that still open the API: every read and write here starts from
    this, so "whose tokens, which ones" is written once."""
    return and_(
        ApiToken.user_id == user_id,
        ApiToken.kind == TokenKind.API,
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
    )


async def active_api_tokens(session: AsyncSession, user_id: int, now: datetime) -> list[ApiToken]:
    rows = await session.scalars(
        select(ApiToken).where(_active_api_tokens_of(user_id, now)).order_by(ApiToken.id.desc())
    )
    return list(rows)


async def revoke_api_token(
    session: AsyncSession, user_id: int, token_id: int, now: datetime
) -> bool:
    """True when the token was one of the account's active API tokens and is now revoked."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, _active_api_tokens_of(user_id, now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def lock_user(session: AsyncSession, user_id: int) -> None:
    """Serialize token creation per account on PostgreSQL (SQLite serializes all writers): the
    next statement then sees every token created concurrently for this account. NO KEY UPDATE:
    a plain FOR UPDATE would wait on the key-share lock that a concurrent insert's foreign key
    holds on this row, while that one waits on ours (a deadlock)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


async def revoke_all_but_newest(
    session: AsyncSession, user_id: int, keep: int, now: datetime
) -> None:
    newest = (
        select(ApiToken.id)
        .where(_active_api_tokens_of(user_id, now))
        .order_by(ApiToken.id.desc())
        .limit(keep)
    )
    await session.execute(
        update(ApiToken)
        .where(_active_api_tokens_of(user_id, now), ApiToken.id.not_in(newest.scalar_subquery()))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
