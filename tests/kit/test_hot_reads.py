"""Several reads in one statement give each part what it alone would: its columns' Python
types, its order and limit, nothing of the other parts."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.hot_reads import HotReads
from huntaze_ai.models import Fan, OAuthAccount
from tests.factories import create_user

_FANS = (
    select(Fan.external_id, Fan.first_seen_at, Fan.total_spent_micros)
    .where(Fan.user_id == bindparam("creator_id"), Fan.platform == bindparam("platform"))
    .order_by(Fan.total_spent_micros.desc())
    .limit(2)
)
_ACCOUNTS = select(OAuthAccount.provider, OAuthAccount.account_metadata).where(
    OAuthAccount.user_id == bindparam("creator_id"), OAuthAccount.provider == bindparam("platform")
)
_PLATFORM = func.coalesce(bindparam("asked", type_=String), "fansly")
_READS = HotReads(
    {"platform": select(_PLATFORM.label("name")), "fans": _FANS, "accounts": _ACCOUNTS},
    derived={"platform": _PLATFORM},
)


async def test_each_part_gets_its_own_rows_typed_ordered_and_limited(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    seen = utcnow() - timedelta(days=3)
    session.add_all(
        [
            Fan(user_id=creator.id, platform="fansly", external_id=f"f{spent}", first_seen_at=seen)
            for spent in (1, 3, 2)
        ]
    )
    await session.flush()
    for fan, spent in zip(("f1", "f3", "f2"), (1, 3, 2), strict=True):
        await session.execute(
            Fan.__table__.update()
            .where(Fan.external_id == fan, Fan.user_id == creator.id)
            .values(total_spent_micros=spent)
        )
    session.add(
        OAuthAccount(
            user_id=creator.id,
            provider="fansly",
            provider_account_id="fs",
            account_metadata={"n": 1, "tags": ["a"]},
        )
    )
    await session.flush()

    parts = await _READS.read(session, {"creator_id": creator.id, "asked": None})

    assert [r.name for r in parts["platform"]] == ["fansly"]  # derived in SQL
    assert [(r.external_id, r.total_spent_micros) for r in parts["fans"]] == [("f3", 3), ("f2", 2)]
    assert parts["fans"][0].first_seen_at == seen
    assert parts["fans"][0].first_seen_at.tzinfo == UTC
    assert [(r.provider, r.account_metadata) for r in parts["accounts"]] == [
        ("fansly", {"n": 1, "tags": ["a"]})
    ]


async def test_a_part_without_rows_is_an_empty_list(session: AsyncSession) -> None:
    creator = await create_user(session)

    parts = await _READS.read(session, {"creator_id": creator.id, "asked": "instagram"})

    assert parts == {"platform": [("instagram",)], "fans": [], "accounts": []}
