from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.creator_data.demo_data import CAMPAIGNS, FAN_COUNT, fill_demo_data
from huntaze_ai.creator_data.service import (
    get_connected_platforms,
    get_fan,
    get_subscription_context,
    get_user_stats_context,
)
from huntaze_ai.kit.crypto import decrypt
from huntaze_ai.models import Fan, MarketingCampaign, OAuthAccount, Subscription, UserStats
from tests.factories import create_user

SECRET = "test-secret-key-for-demo-data-0123456789"


async def _count(session: AsyncSession, model: type, user_id: int) -> int:
    stmt = select(func.count()).select_from(model).where(model.user_id == user_id)  # type: ignore[attr-defined]
    return int(await session.scalar(stmt) or 0)


async def test_demo_data_fills_every_context_and_every_segment(session: AsyncSession) -> None:
    user = await create_user(session)
    summary = await fill_demo_data(session, user, secret_key=SECRET, seed=7)

    assert (summary.platforms, summary.fans, summary.campaigns) == (3, FAN_COUNT, 3)
    assert all(summary.segments[s] > 0 for s in ("whale", "new", "at_risk", "dormant", "active"))
    assert (await get_user_stats_context(session, user.id)).messages_sent > 0
    assert len(await get_connected_platforms(session, user.id)) == 3
    subs = await get_subscription_context(session, user.id)
    assert 0 < subs.active_count < summary.subscriptions  # some expired or cancelled
    assert subs.average_value_micros > 0
    statuses = set(
        await session.scalars(select(Subscription.status).where(Subscription.user_id == user.id))
    )
    assert statuses == {"active", "expired", "cancelled"}
    fan_id = await session.scalar(select(Fan.external_id).where(Fan.user_id == user.id))
    assert fan_id is not None
    fan = await get_fan(session, user.id, fan_id)
    assert fan is not None
    assert fan.segments
    names = set(await session.scalars(select(MarketingCampaign.name)))
    assert set(CAMPAIGNS) <= names


async def test_running_twice_replaces_the_demo_rows(session: AsyncSession) -> None:
    user = await create_user(session)
    await fill_demo_data(session, user, secret_key=SECRET, seed=1)
    again = await fill_demo_data(session, user, secret_key=SECRET, seed=2)
    assert await _count(session, Fan, user.id) == FAN_COUNT
    assert await _count(session, OAuthAccount, user.id) == 3
    assert await _count(session, MarketingCampaign, user.id) == 3
    assert await _count(session, Subscription, user.id) == again.subscriptions
    assert await _count(session, UserStats, user.id) == 1


async def test_demo_data_leaves_the_creators_own_rows_and_other_creators_alone(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    other = await create_user(session)
    session.add(Fan(user_id=user.id, platform="x", external_id="real-fan"))
    session.add(MarketingCampaign(user_id=user.id, name="My own campaign", stats={}))
    await session.flush()
    await fill_demo_data(session, other, seed=3)
    await fill_demo_data(session, user, seed=3)
    await fill_demo_data(session, user, seed=4)
    assert await _count(session, Fan, user.id) == FAN_COUNT + 1
    assert await _count(session, MarketingCampaign, user.id) == 4
    assert await _count(session, Fan, other.id) == FAN_COUNT


async def test_platform_tokens_are_stored_encrypted_only(session: AsyncSession) -> None:
    user = await create_user(session)
    await fill_demo_data(session, user, secret_key=SECRET)
    accounts = (
        await session.scalars(select(OAuthAccount).where(OAuthAccount.user_id == user.id))
    ).all()
    assert len(accounts) == 3
    for account in accounts:
        stored = account.access_token_encrypted
        assert stored is not None
        token = decrypt(SECRET, stored)
        assert token is not None
        assert token.startswith(f"demo-{account.provider}-")
        assert token.encode() not in stored
        assert decrypt("another-key", stored) is None
        assert "token" not in str(account.account_metadata)


async def test_without_a_secret_key_no_token_is_stored(session: AsyncSession) -> None:
    user = await create_user(session)
    await fill_demo_data(session, user)
    stored = await session.scalars(
        select(OAuthAccount.access_token_encrypted).where(OAuthAccount.user_id == user.id)
    )
    assert list(stored) == [None, None, None]
