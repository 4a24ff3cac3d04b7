from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, Select, bindparam, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import HotStatement
from huntaze_ai.kit.platforms import DEFAULT_PLATFORM
from huntaze_ai.models import Fan, OAuthAccount, Subscription, UserStats

# The fan reply reads the account and the fan on every call, in one statement with its other
# reads (messaging/reads.py), from these Core statements built once. Their parameters are named
# as the reply's other reads name theirs: creator_id, platform, fan.
_ACCOUNTS = (
    select(OAuthAccount.provider, OAuthAccount.provider_account_id, OAuthAccount.account_metadata)
    .where(OAuthAccount.user_id == bindparam("creator_id"))
    .order_by(OAuthAccount.provider, OAuthAccount.created_at, OAuthAccount.id)
)
ACCOUNT_ON = _ACCOUNTS.where(OAuthAccount.provider == bindparam("platform")).limit(1)


class FanRow(NamedTuple):
    """The fan's columns that make its context (`service.fan_context`)."""

    external_id: str
    platform: str
    display_name: str | None
    notes: str | None
    total_spent_micros: int
    tips_micros: int
    first_seen_at: datetime
    last_active_at: datetime | None


_FAN_COLUMNS = [getattr(Fan, name) for name in FanRow._fields]
# The same id on two platforms, no platform given: the fan active most recently.
_ANY_FAN = (
    select(*_FAN_COLUMNS)
    .where(Fan.user_id == bindparam("creator_id"), Fan.external_id == bindparam("fan"))
    .order_by(func.coalesce(Fan.last_active_at, Fan.first_seen_at).desc(), Fan.id)
    .limit(1)
)
FAN_ON = _ANY_FAN.where(Fan.platform == bindparam("platform"))
_FAN, _FAN_ON = HotStatement(_ANY_FAN), HotStatement(FAN_ON)


def fan_platform_sql(asked: ColumnElement[str | None]) -> ColumnElement[str]:
    """`service.fan_platform` as SQL, for a statement that needs the platform before it can
    read (parameters creator_id and fan): `asked`, else that of the creator's fan with the id,
    else the replies' default."""
    of_fan = _ANY_FAN.with_only_columns(Fan.platform).scalar_subquery()
    return func.coalesce(asked, of_fan, literal(DEFAULT_PLATFORM))


AccountRow = Row[str, str, dict[str, object] | None]


async def accounts(session: AsyncSession, user_id: int) -> Sequence[AccountRow]:
    """(provider, provider_account_id, account_metadata) of each connected account."""
    conn = await session.connection()
    return (await conn.execute(_ACCOUNTS, {"creator_id": user_id})).all()


async def stats(session: AsyncSession, user_id: int) -> UserStats | None:
    return await session.get(UserStats, user_id)


async def active_subscription_groups(
    session: AsyncSession, user_id: int
) -> Sequence[Row[str, str, int, int]]:
    """(tier, platform, count, sum of amounts) of the active subscriptions: aggregated in SQL, so a
    creator with many thousands of fans costs one small result."""
    stmt = (
        select(
            Subscription.tier,
            Subscription.platform,
            func.count(),
            func.coalesce(func.sum(Subscription.amount_micros), 0),
        )
        .where(Subscription.user_id == user_id, Subscription.status == "active")
        .group_by(Subscription.tier, Subscription.platform)
    )
    return (await session.execute(stmt)).all()


def _last_seen() -> Any:
    return func.coalesce(Fan.last_active_at, Fan.first_seen_at)


def _fans(user_id: int, search: str | None) -> Select[Fan]:
    stmt = select(Fan).where(Fan.user_id == user_id)
    if search:
        # A fan's name or id contains the words typed, any case; % and _ are plain characters.
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                Fan.display_name.ilike(pattern, escape="\\"),
                Fan.external_id.ilike(pattern, escape="\\"),
            )
        )
    return stmt


async def fans_by_activity(
    session: AsyncSession, user_id: int, limit: int, search: str | None = None
) -> Sequence[Fan]:
    """The creator's fans (those whose name or id contains `search`), most recently active
    first."""
    stmt = _fans(user_id, search).order_by(_last_seen().desc(), Fan.id).limit(limit)
    return (await session.scalars(stmt)).all()


async def fan_count(session: AsyncSession, user_id: int, search: str | None = None) -> int:
    stmt = select(func.count()).select_from(_fans(user_id, search).subquery())
    return int(await session.scalar(stmt) or 0)


async def same_id_elsewhere(
    session: AsyncSession, user_id: int, external_id: str, platform: str
) -> list[tuple[str, str | None]]:
    """(platform, display name) of the creator's other fans with this id: other people."""
    stmt = (
        select(Fan.platform, Fan.display_name)
        .where(Fan.user_id == user_id, Fan.external_id == external_id, Fan.platform != platform)
        .order_by(Fan.platform)
    )
    return [(p, name) for p, name in (await session.execute(stmt)).all()]


async def fan_names(
    session: AsyncSession, user_id: int, fans: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The display names of those of the creator's fans (platform, external id) that have one."""
    if not fans:
        return {}
    stmt = select(Fan.platform, Fan.external_id, Fan.display_name).where(
        Fan.user_id == user_id,
        Fan.external_id.in_({external_id for _, external_id in fans}),
        Fan.display_name.is_not(None),
    )
    rows = (await session.execute(stmt)).all()
    return {(p, ext): name for p, ext, name in rows if name and (p, ext) in fans}


async def fan(
    session: AsyncSession, user_id: int, external_id: str, platform: str | None
) -> FanRow | None:
    """The fan's columns that make its context (`service.fan_context`), as a named row."""
    params: dict[str, object] = {"creator_id": user_id, "fan": external_id}
    stmt = _FAN
    if platform is not None:
        stmt, params["platform"] = _FAN_ON, platform
    rows = await stmt.rows(await session.connection(), params)
    return FanRow(*rows[0]) if rows else None
