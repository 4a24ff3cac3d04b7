from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.models import Fan, OAuthAccount, Subscription, UserStats


async def accounts(
    session: AsyncSession, user_id: int, provider: str | None = None
) -> Sequence[OAuthAccount]:
    stmt = select(OAuthAccount).where(OAuthAccount.user_id == user_id)
    if provider is not None:
        stmt = stmt.where(OAuthAccount.provider == provider)
    stmt = stmt.order_by(OAuthAccount.provider, OAuthAccount.created_at, OAuthAccount.id)
    return (await session.scalars(stmt)).all()


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


async def fan(
    session: AsyncSession, user_id: int, external_id: str, platform: str | None
) -> Fan | None:
    stmt = select(Fan).where(Fan.user_id == user_id, Fan.external_id == external_id)
    if platform is not None:
        stmt = stmt.where(Fan.platform == platform)
    # The same id on two platforms, no platform given: the fan active most recently.
    return await session.scalar(stmt.order_by(_last_seen().desc(), Fan.id).limit(1))
