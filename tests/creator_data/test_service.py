from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.creator_data.service import (
    get_connected_platforms,
    get_fan,
    get_subscription_context,
    get_user_stats_context,
    list_fans,
)
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.crypto import encrypt
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.models import Fan, OAuthAccount, Subscription, UserStats
from tests.factories import create_user


async def test_a_creator_without_data_gets_empty_contexts(session: AsyncSession) -> None:
    user = await create_user(session)
    assert await get_connected_platforms(session, user.id) == []
    stats = await get_user_stats_context(session, user.id)
    assert stats.model_dump() == {
        "messages_sent": 0,
        "messages_trend": 0.0,
        "response_rate": 0.0,
        "revenue_micros": 0,
        "revenue_trend": 0.0,
        "active_chats": 0,
        "revenue_usd": "0.000000",
    }
    subs = await get_subscription_context(session, user.id)
    assert (subs.active_count, subs.total_revenue_micros, subs.average_value_micros) == (0, 0, 0)
    assert (subs.platforms, subs.tiers) == ([], {})
    assert await get_fan(session, user.id, "nobody") is None


async def test_platform_context_has_the_metadata_and_never_the_token(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    other = await create_user(session)
    session.add_all(
        [
            OAuthAccount(
                user_id=user.id,
                provider="onlyfans",
                provider_account_id="of-1",
                account_metadata={"username": "maya", "followers": 1200},
                access_token_encrypted=encrypt("k", "secret-token"),
            ),
            OAuthAccount(user_id=user.id, provider="instagram", provider_account_id="ig-1"),
            OAuthAccount(user_id=other.id, provider="fansly", provider_account_id="fs-9"),
        ]
    )
    await session.flush()
    connected = await get_connected_platforms(session, user.id)
    assert [p.model_dump() for p in connected] == [  # not the other creator's fansly
        {"provider": "instagram", "provider_account_id": "ig-1", "metadata": {}},
        {
            "provider": "onlyfans",
            "provider_account_id": "of-1",
            "metadata": {"username": "maya", "followers": 1200},
        },
    ]


async def test_stats_context_reads_the_row(session: AsyncSession) -> None:
    user = await create_user(session)
    session.add(
        UserStats(
            user_id=user.id,
            messages_sent=1234,
            messages_trend=12.5,
            response_rate=0.9,
            revenue_micros=usd_to_micros("4321.5"),
            revenue_trend=-3.25,
            active_chats=17,
        )
    )
    await session.flush()
    stats = await get_user_stats_context(session, user.id)
    assert (stats.messages_sent, stats.messages_trend, stats.response_rate) == (1234, 12.5, 0.9)
    assert (stats.revenue_micros, stats.revenue_usd) == (4_321_500_000, "4321.500000")
    assert (stats.revenue_trend, stats.active_chats) == (-3.25, 17)


async def test_subscription_context_counts_active_subscriptions_only(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    other = await create_user(session)

    def sub(user_id: int, tier: str, usd: str, platform: str, status: str = "active") -> None:
        session.add(
            Subscription(
                user_id=user_id,
                fan_id=f"fan-{tier}-{usd}-{status}",
                tier=tier,
                amount_micros=usd_to_micros(usd),
                platform=platform,
                status=status,
            )
        )

    sub(user.id, "basic", "9.99", "onlyfans")
    sub(user.id, "basic", "9.99", "fansly")
    sub(user.id, "vip", "25.00", "onlyfans")
    sub(user.id, "vip", "25.00", "onlyfans", status="expired")
    sub(user.id, "premium", "50", "x", status="cancelled")
    sub(other.id, "premium", "50", "tiktok")
    await session.flush()

    subs = await get_subscription_context(session, user.id)
    assert subs.active_count == 3
    assert subs.total_revenue_micros == usd_to_micros("44.98")
    assert subs.total_revenue_usd == "44.980000"
    assert subs.platforms == ["fansly", "onlyfans"]
    # 44.98 / 3 = 14.993333…, rounded to the micro-dollar without a float.
    assert subs.average_value_micros == 14_993_333
    assert subs.average_value_usd == "14.993333"
    assert subs.tiers == {"basic": 2, "vip": 1}


async def test_a_fan_comes_with_notes_money_and_segments(session: AsyncSession) -> None:
    user = await create_user(session)
    other = await create_user(session)
    now = utcnow()
    session.add_all(
        [
            Fan(
                user_id=user.id,
                platform="onlyfans",
                external_id="f-1",
                display_name="Sam",
                notes="Loves custom videos",
                total_spent_micros=usd_to_micros(800),
                tips_micros=usd_to_micros(150),
                first_seen_at=now - timedelta(days=100),
                last_active_at=now - timedelta(days=20),
            ),
            Fan(
                user_id=user.id,
                platform="fansly",
                external_id="f-1",
                first_seen_at=now - timedelta(days=3),
                last_active_at=now,
            ),
            Fan(user_id=other.id, platform="onlyfans", external_id="f-2", first_seen_at=now),
        ]
    )
    await session.flush()

    fan = await get_fan(session, user.id, "f-1", "onlyfans")
    assert fan is not None
    assert (fan.display_name, fan.notes) == ("Sam", "Loves custom videos")
    assert (fan.total_spent_usd, fan.tips_usd) == ("800.000000", "150.000000")
    assert [str(s) for s in fan.segments] == ["whale", "at_risk"]
    # No platform: the same id on two platforms resolves to the fan active most recently.
    latest = await get_fan(session, user.id, "f-1")
    assert latest is not None
    assert (latest.platform, [str(s) for s in latest.segments]) == ("fansly", ["new"])
    assert await get_fan(session, user.id, "f-2") is None  # another creator's fan


async def test_the_fan_list_is_the_creators_most_recently_active_first_and_searchable(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    other = await create_user(session)
    now = utcnow()

    def fan(user_id: int, external_id: str, name: str | None, idle_days: float) -> Fan:
        return Fan(
            user_id=user_id,
            platform="onlyfans",
            external_id=external_id,
            display_name=name,
            first_seen_at=now - timedelta(days=200),
            last_active_at=now - timedelta(days=idle_days),
        )

    session.add_all(
        [
            fan(user.id, "of-1", "Sam", 5),
            fan(user.id, "of-2", "Alex 100%", 1),
            fan(user.id, "of_3", None, 40),
            fan(other.id, "of-4", "Sam too", 0),
        ]
    )
    await session.flush()

    fans, total = await list_fans(session, user.id)
    assert [f.external_id for f in fans] == ["of-2", "of-1", "of_3"]
    assert total == 3
    assert [str(s) for s in fans[2].segments] == ["dormant"]
    fans, total = await list_fans(session, user.id, limit=1)
    assert ([f.external_id for f in fans], total) == (["of-2"], 3)
    # By name or id, any case; % and _ are plain characters, not patterns.
    assert [f.external_id for f in (await list_fans(session, user.id, search="sam"))[0]] == ["of-1"]
    assert [f.external_id for f in (await list_fans(session, user.id, search="0%"))[0]] == ["of-2"]
    assert [f.external_id for f in (await list_fans(session, user.id, search="_"))[0]] == ["of_3"]
    assert await list_fans(session, user.id, search="of-4") == ([], 0)  # another creator's
    assert (await list_fans(session, other.id))[1] == 1
