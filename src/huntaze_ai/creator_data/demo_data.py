"""Realistic demo data for one creator (`huntaze-ai demo-data`, and the embedded demo).

Re-running replaces the creator's *demo* rows rather than adding more: connected accounts, fans
and subscriptions whose ids start with `demo-`, and campaigns with the demo names (their insight
links go with them), are deleted and created afresh; the single `user_stats` row is overwritten.
Anything else the creator has is left alone. The same seed gives the same fans and amounts; dates
are relative to now, so segments stay what they were meant to be.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.creator_data.segments import FanSegment, segment_fan
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.crypto import encrypt
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.models import Fan, MarketingCampaign, OAuthAccount, Subscription, User, UserStats

DEMO_PREFIX = "demo-"
PLATFORMS = ("onlyfans", "fansly", "instagram")
SUBSCRIPTION_PLATFORMS = ("onlyfans", "fansly")  # where fans pay a monthly tier
TIERS = {"basic": Decimal("9.99"), "vip": Decimal("24.99"), "premium": Decimal("49.99")}
CAMPAIGNS = ("Welcome series", "Weekend PPV drop", "Win-back: lapsed fans")
FAN_COUNT = 40
_NAMES = (
    "Alex", "Sam", "Jordan", "Taylor", "Chris", "Jamie", "Morgan", "Casey", "Riley", "Drew",
    "Kai", "Robin", "Quinn", "Avery", "Jesse", "Reese", "Skyler", "Dakota", "Rowan", "Emery",
)  # fmt: skip
_NOTES = (
    "Loves behind-the-scenes content.",
    "Birthday in March; sent a tip last year.",
    "Prefers custom videos, pays fast.",
    "Asks about new sets every Friday.",
    None,
    None,
)

# (profile, weight): every segment appears, whales included, in realistic proportions.
_PROFILES = (("whale", 5), ("new", 8), ("at_risk", 7), ("dormant", 8), ("active", 12))


@dataclass(frozen=True)
class DemoDataSummary:
    user_id: int
    platforms: int
    fans: int
    subscriptions: int
    campaigns: int
    segments: dict[str, int]


async def _clear(session: AsyncSession, user_id: int) -> None:
    like = f"{DEMO_PREFIX}%"
    for stmt in (
        delete(Subscription).where(Subscription.user_id == user_id, Subscription.fan_id.like(like)),
        delete(Fan).where(Fan.user_id == user_id, Fan.external_id.like(like)),
        delete(OAuthAccount).where(
            OAuthAccount.user_id == user_id, OAuthAccount.provider_account_id.like(like)
        ),
        delete(MarketingCampaign).where(
            MarketingCampaign.user_id == user_id, MarketingCampaign.name.in_(CAMPAIGNS)
        ),
    ):
        await session.execute(stmt.execution_options(synchronize_session=False))


def _fan(rng: random.Random, user_id: int, n: int, profile: str, now: datetime) -> Fan:
    days = timedelta(days=1)
    # Margins keep each fan clear of the segment boundaries (14 and 30 days, $500 and $100).
    if profile == "new":
        first_seen = now - rng.uniform(0.5, 12) * days
        last_active: datetime | None = first_seen + (now - first_seen) * rng.uniform(0.5, 1)
    else:
        first_seen = now - rng.uniform(40, 400) * days
        idle = {"at_risk": (16, 27), "dormant": (35, 150)}.get(profile, (0, 10))
        last_active = now - rng.uniform(*idle) * days
    if profile == "whale":
        spent = Decimal(rng.randrange(60_000, 250_000)) / 100
        tips = (spent * Decimal(rng.uniform(0.25, 0.6))).quantize(Decimal("0.01"))
    else:
        spent = Decimal(rng.randrange(0, 40_000)) / 100
        tips = (spent * Decimal(rng.uniform(0, 0.4))).quantize(Decimal("0.01"))
    platform = rng.choices(PLATFORMS, weights=(6, 3, 1))[0]
    return Fan(
        user_id=user_id,
        platform=platform,
        external_id=f"{DEMO_PREFIX}{platform}-{n:03d}",
        display_name=f"{rng.choice(_NAMES)} {chr(ord('A') + n % 26)}.",
        notes=rng.choice(_NOTES),
        total_spent_micros=usd_to_micros(spent),
        tips_micros=usd_to_micros(tips),
        first_seen_at=first_seen,
        last_active_at=last_active,
    )


def _subscription(rng: random.Random, fan: Fan, profile: str, now: datetime) -> Subscription:
    tier = rng.choices(list(TIERS), weights=(6, 3, 1) if profile != "whale" else (1, 3, 6))[0]
    last = fan.last_active_at or fan.first_seen_at
    if profile == "dormant":
        status, ends_at = "expired", last + timedelta(days=rng.randint(1, 20))
    elif profile == "at_risk" and rng.random() < 0.5:
        status, ends_at = "cancelled", now + timedelta(days=rng.randint(1, 10))
    else:
        status, ends_at = "active", now + timedelta(days=rng.randint(1, 30))
    return Subscription(
        user_id=fan.user_id,
        fan_id=fan.external_id,
        tier=tier,
        amount_micros=usd_to_micros(TIERS[tier]),
        platform=fan.platform,
        status=status,
        started_at=fan.first_seen_at,
        ends_at=ends_at,
    )


def _accounts(rng: random.Random, user: User, secret_key: str | None) -> list[OAuthAccount]:
    handle = (user.display_name or user.email.split("@")[0]).lower().replace(" ", "")
    return [
        OAuthAccount(
            user_id=user.id,
            provider=platform,
            provider_account_id=f"{DEMO_PREFIX}{platform}-{user.id}",
            account_metadata={
                "username": f"{handle}.{platform}",
                "followers": rng.randrange(2_000, 250_000),
                "posts": rng.randrange(50, 1_500),
                "verified": platform != "instagram" or rng.random() < 0.5,
                "demo": True,
            },
            # A made-up token, stored as a real one would be: encrypted, never in clear.
            access_token_encrypted=None
            if secret_key is None
            else encrypt(secret_key, f"demo-{platform}-{secrets.token_urlsafe(24)}"),
        )
        for platform in PLATFORMS
    ]


def _campaigns(rng: random.Random, user_id: int, now: datetime) -> list[MarketingCampaign]:
    campaigns = []
    for n, name in enumerate(CAMPAIGNS):
        sent = rng.randrange(200, 3_000)
        opened = int(sent * rng.uniform(0.3, 0.8))
        purchases = int(opened * rng.uniform(0.05, 0.25))
        revenue = usd_to_micros(TIERS["vip"]) * purchases
        campaigns.append(
            MarketingCampaign(
                user_id=user_id,
                name=name,
                stats={
                    "sent": sent,
                    "opened": opened,
                    "purchases": purchases,
                    "revenue_micros": revenue,
                    "platform": SUBSCRIPTION_PLATFORMS[n % 2],
                    "demo": True,
                },
                created_at=now - timedelta(days=7 * (len(CAMPAIGNS) - n)),
            )
        )
    return campaigns


async def _stats(session: AsyncSession, rng: random.Random, user_id: int, fans: list[Fan]) -> None:
    stats = await session.get(UserStats, user_id) or UserStats(user_id=user_id)
    stats.messages_sent = rng.randrange(1_500, 6_000)
    stats.messages_trend = round(rng.uniform(-15, 25), 1)
    stats.response_rate = round(rng.uniform(0.7, 0.97), 2)
    stats.revenue_micros = sum(f.total_spent_micros for f in fans)
    stats.revenue_trend = round(rng.uniform(-10, 30), 1)
    stats.active_chats = rng.randrange(10, 60)
    session.add(stats)


async def fill_demo_data(
    session: AsyncSession, user: User, *, secret_key: str | None = None, seed: int = 0
) -> DemoDataSummary:
    """Stats, 3 connected platforms, 40 fans in every segment, their subscriptions and 3 campaigns.

    `secret_key` (the app's SECRET_KEY) encrypts the made-up platform tokens; without it the
    accounts are stored without a token.
    """
    rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible per seed; not a secret
    now = utcnow()
    await _clear(session, user.id)
    accounts = _accounts(rng, user, secret_key)
    profiles = [p for p, weight in _PROFILES for _ in range(weight)]
    assert len(profiles) == FAN_COUNT
    fans = [_fan(rng, user.id, n, profile, now) for n, profile in enumerate(profiles)]
    subscriptions = [
        _subscription(rng, fan, profile, now)
        for fan, profile in zip(fans, profiles, strict=True)
        if fan.platform in SUBSCRIPTION_PLATFORMS
    ]
    campaigns = _campaigns(rng, user.id, now)
    session.add_all([*accounts, *fans, *subscriptions, *campaigns])
    await _stats(session, rng, user.id, fans)
    await session.flush()
    segments: Counter[str] = Counter()
    for fan in fans:
        segments.update(
            str(s)
            for s in segment_fan(
                total_spent_micros=fan.total_spent_micros,
                tips_micros=fan.tips_micros,
                first_seen_at=fan.first_seen_at,
                last_active_at=fan.last_active_at,
                now=now,
            )
        )
    return DemoDataSummary(
        user_id=user.id,
        platforms=len(accounts),
        fans=len(fans),
        subscriptions=len(subscriptions),
        campaigns=len(campaigns),
        segments={s.value: segments[s.value] for s in FanSegment},
    )
