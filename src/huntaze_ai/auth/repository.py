from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Seat
from huntaze_ai.models import Agency, AgencyMember, ApiToken, Role, TokenKind, User


@dataclass(frozen=True)
class TokenUse:
    """What a request needs of its token: whether it is valid, and when it was last used."""

    id: int
    kind: str  # a TokenKind value
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


# Run on every request: built once; the token as columns, only the account as an ORM entity (the
# endpoints take a `User`), which saves hydrating a second entity per request (issue 16).
_TOKEN_WITH_USER = (
    select(
        ApiToken.id,
        ApiToken.kind,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User,
        AgencyMember.agency_id,
        Agency.name,
        AgencyMember.role,
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
    need nothing more to know whom they act for."""
    row = (await session.execute(_TOKEN_WITH_USER, {"token_hash": token_hash})).first()
    if row is None:
        return None
    seat = None if row.agency_id is None else Seat(row.agency_id, row.name, Role(row.role))
    return TokenUse(*row[:5]), row.User, seat


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
