"""Read-only context for the agents. Every query is scoped to the creator asking."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.creator_data import repository
from huntaze_ai.creator_data.schemas import (
    FanContext,
    PlatformContext,
    SubscriptionContext,
    UserStatsContext,
)
from huntaze_ai.creator_data.segments import FanSegment, segment_fan
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.platforms import DEFAULT_PLATFORM
from huntaze_ai.models import Fan

__all__ = [
    "FanContext",
    "FanSegment",
    "PlatformContext",
    "SubscriptionContext",
    "UserStatsContext",
    "fan_context",
    "fan_platform",
    "get_connected_platforms",
    "get_fan",
    "get_subscription_context",
    "get_user_stats_context",
    "list_fans",
    "platform_context",
    "segment_fan",
]

MAX_FANS_LISTED = 500


def platform_context(account: repository.AccountRow) -> PlatformContext:
    provider, provider_account_id, metadata = account
    return PlatformContext(
        provider=provider, provider_account_id=provider_account_id, metadata=dict(metadata or {})
    )


async def get_connected_platforms(session: AsyncSession, user_id: int) -> list[PlatformContext]:
    return [platform_context(a) for a in await repository.accounts(session, user_id)]


async def get_user_stats_context(session: AsyncSession, user_id: int) -> UserStatsContext:
    """The creator's stats; all zeros for a creator Huntaze has no stats for yet."""
    row = await repository.stats(session, user_id)
    if row is None:
        return UserStatsContext()
    return UserStatsContext(
        messages_sent=row.messages_sent,
        messages_trend=row.messages_trend,
        response_rate=row.response_rate,
        revenue_micros=row.revenue_micros,
        revenue_trend=row.revenue_trend,
        active_chats=row.active_chats,
    )


async def get_subscription_context(session: AsyncSession, user_id: int) -> SubscriptionContext:
    groups = await repository.active_subscription_groups(session, user_id)
    tiers: Counter[str] = Counter()
    platforms: set[str] = set()
    count = total = 0
    for tier, platform, group_count, group_total in groups:
        tiers[tier] += group_count
        platforms.add(platform)
        count += group_count
        total += int(group_total)
    return SubscriptionContext(
        active_count=count,
        total_revenue_micros=total,
        platforms=sorted(platforms),
        # Rounded half up to the micro-dollar: integers all the way, no float in between.
        average_value_micros=(total + count // 2) // count if count else 0,
        tiers=dict(sorted(tiers.items())),
    )


def fan_context(fan: Fan | repository.FanRow) -> FanContext:
    """A fan entity or a row of the same columns (the reply path reads rows)."""
    return FanContext(
        external_id=fan.external_id,
        platform=fan.platform,
        display_name=fan.display_name,
        notes=fan.notes,
        total_spent_micros=fan.total_spent_micros,
        tips_micros=fan.tips_micros,
        first_seen_at=fan.first_seen_at,
        last_active_at=fan.last_active_at,
        segments=segment_fan(
            total_spent_micros=fan.total_spent_micros,
            tips_micros=fan.tips_micros,
            first_seen_at=fan.first_seen_at,
            last_active_at=fan.last_active_at,
            now=utcnow(),
        ),
    )


async def get_fan(
    session: AsyncSession, user_id: int, fan_external_id: str, platform: str | None = None
) -> FanContext | None:
    """One of the creator's fans by its platform id; None when the creator has no such fan."""
    fan = await repository.fan(session, user_id, fan_external_id, platform)
    return fan_context(fan) if fan is not None else None


async def fan_platform(
    session: AsyncSession, user_id: int, fan_external_id: str, platform: str | None = None
) -> str:
    """The platform a fan id is about: the one named, else that of the creator's fan with the
    id (the most recently active, if several), else the replies' default."""
    if platform is not None:
        return platform
    fan = await repository.fan(session, user_id, fan_external_id, None)
    return fan.platform if fan is not None else DEFAULT_PLATFORM


async def list_fans(
    session: AsyncSession, user_id: int, limit: int = MAX_FANS_LISTED, search: str | None = None
) -> tuple[list[FanContext], int]:
    """The creator's fans, the most recently active first (at most `limit`), and how many there
    are in all; with `search`, only those whose name or platform id contains it."""
    limit = max(1, min(limit, MAX_FANS_LISTED))
    rows = await repository.fans_by_activity(session, user_id, limit, search)
    return [fan_context(f) for f in rows], await repository.fan_count(session, user_id, search)
