from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.insights.schemas import InsightType
from huntaze_ai.insights.service import (
    InsightIn,
    InsightNotFound,
    get_insight,
    list_insights,
    list_refreshes,
    save_insights,
)
from huntaze_ai.kit import clock
from huntaze_ai.models.campaign import INSIGHT_TYPES
from tests.factories import create_user


def test_the_insight_types_are_the_models_six() -> None:
    assert get_args(InsightType) == INSIGHT_TYPES


async def test_saved_insights_are_listed_newest_first_and_only_to_their_creator(
    session: AsyncSession,
) -> None:
    alice = await create_user(session)
    bob = await create_user(session)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        for n, kind in enumerate(INSIGHT_TYPES):
            moment = start + timedelta(hours=n)
            clock.set_clock(lambda moment=moment: moment)  # type: ignore[misc]
            await save_insights(
                session,
                alice.id,
                [InsightIn(type=kind, confidence=0.9, summary=kind, data={"n": n})],
                request_id=f"req-{n}",
            )
    finally:
        clock.set_clock(None)
    await save_insights(
        session, bob.id, [InsightIn(type="churn_alert", confidence=0.1, summary="bob's")], None
    )

    listed = await list_insights(session, alice.id)
    assert [i.type for i in listed] == list(reversed(INSIGHT_TYPES))
    assert listed[0].data == {"n": 5}
    assert listed[0].request_id == "req-5"
    assert listed[0].created_at == start + timedelta(hours=5)
    assert [i.summary for i in await list_insights(session, bob.id)] == ["bob's"]
    assert len(await list_insights(session, alice.id, limit=2)) == 2


async def test_one_call_stores_several_insights_with_its_request_id(session: AsyncSession) -> None:
    user = await create_user(session)
    rows = await save_insights(
        session,
        user.id,
        [
            InsightIn(type="revenue_trend", confidence=0, summary="flat"),
            InsightIn(type="fan_behavior", confidence=1, summary="tips at night"),
        ],
        "req-abc",
    )
    assert all(r.id is not None and r.request_id == "req-abc" for r in rows)
    assert await list_insights(session, user.id) != []


async def test_another_creators_insight_is_not_found(session: AsyncSession) -> None:
    alice = await create_user(session)
    bob = await create_user(session)
    (insight,) = await save_insights(
        session, alice.id, [InsightIn(type="churn_alert", confidence=0.5, summary="x")], None
    )
    assert (await get_insight(session, alice.id, insight.id)).id == insight.id
    with pytest.raises(InsightNotFound):
        await get_insight(session, bob.id, insight.id)
    with pytest.raises(InsightNotFound):
        await get_insight(session, alice.id, insight.id + 1000)


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "hunch", "confidence": 0.5, "summary": "x"},
        {"type": "churn_alert", "confidence": 1.01, "summary": "x"},
        {"type": "churn_alert", "confidence": -0.1, "summary": "x"},
        {"type": "churn_alert", "confidence": float("nan"), "summary": "x"},
        {"type": "churn_alert", "confidence": 0.5, "summary": ""},
        {"type": "churn_alert", "confidence": 0.5, "summary": "x" * 2001},
    ],
)
def test_invalid_insights_are_refused_before_the_database(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        InsightIn.model_validate(fields)


async def test_refreshes_group_one_calls_insights_newest_first_and_only_the_creators(
    session: AsyncSession,
) -> None:
    alice = await create_user(session)
    bob = await create_user(session)
    start = datetime(2026, 11, 1, tzinfo=UTC)

    async def refresh(user_id: int, hours: int, request_id: str | None, *kinds: str) -> list[int]:
        moment = start + timedelta(hours=hours)
        clock.set_clock(lambda: moment)
        try:
            rows = await save_insights(
                session,
                user_id,
                [InsightIn(type=k, confidence=0.5, summary=k) for k in kinds],  # type: ignore[arg-type]
                request_id,
            )
        finally:
            clock.set_clock(None)
        return [r.id for r in rows]

    first = await refresh(alice.id, 0, "req-a", "churn_alert", "revenue_trend")
    second = await refresh(
        alice.id, 1, "req-b", "fan_behavior", "growth_opportunity", "churn_alert"
    )
    (alone,) = await refresh(alice.id, 2, None, "engagement_drop")
    await refresh(bob.id, 3, "req-bob", "churn_alert")

    refreshes = await list_refreshes(session, alice.id)
    assert [[i.id for i in r.insights] for r in refreshes] == [[alone], second, first]
    assert [r.key for r in refreshes][1:] == ["req-b", "req-a"]
    assert refreshes[1].created_at == start + timedelta(hours=1)
    # A limit counts refreshes, never cutting one in half.
    assert [len(r.insights) for r in await list_refreshes(session, alice.id, limit=2)] == [1, 3]
    (bobs,) = await list_refreshes(session, bob.id)
    assert bobs.key == "req-bob"
