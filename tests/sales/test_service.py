from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import NotFound
from huntaze_ai.models import Fan, Subscription
from huntaze_ai.sales.schemas import SuggestionsRequest
from huntaze_ai.sales.service import suggest
from tests.apphelpers import app_client, settings_for
from tests.messaging.conftest import Recorder, creator_and_meter, fake_ai
from tests.metering.conftest import books, new_creator

IDEA = {
    "kind": "ppv",
    "title": "Behind-the-scenes beach set",
    "rationale": "Whales bought the last two PPV drops within a day.",
    "target_segment": "whale",
    "price_min_usd": 40.0,
    "price_max_usd": 25.5,
}


async def test_suggestions_use_the_fans_segment_and_return_ordered_price_strings(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    now = utcnow()
    # Committed setup: a write held open across a metered call would hold SQLite's write lock.
    async with database.sessionmaker() as setup, setup.begin():
        setup.add_all(
            [
                Fan(
                    user_id=creator.id,
                    platform="onlyfans",
                    external_id="fan-1",
                    notes="loves beach sets",
                    total_spent_micros=750_000_000,
                    tips_micros=150_000_000,
                    first_seen_at=now - timedelta(days=200),
                    last_active_at=now - timedelta(days=1),
                ),
                Subscription(
                    user_id=creator.id,
                    fan_id="fan-1",
                    tier="vip",
                    amount_micros=19_990_000,
                    platform="onlyfans",
                    status="active",
                ),
            ]
        )
    recorder = Recorder({"suggestions": [IDEA]})
    out = await suggest(
        session, fake_ai(meter, recorder), creator, SuggestionsRequest(fan_id="fan-1")
    )
    assert out.suggestions[0].price_min_usd == "25.50"
    assert out.suggestions[0].price_max_usd == "40.00"
    assert "whale" in recorder.user_prompts[0]
    assert "loves beach sets" in recorder.user_prompts[0]
    assert "loves beach sets" not in recorder.instructions[0]


async def test_another_creators_fan_is_not_found_and_nothing_is_charged(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    owner = await new_creator(database)
    async with database.sessionmaker() as setup, setup.begin():
        setup.add(Fan(user_id=owner.id, platform="x", external_id="their-fan"))
    recorder = Recorder({"suggestions": [IDEA]})
    with pytest.raises(NotFound):
        await suggest(
            session, fake_ai(meter, recorder), creator, SuggestionsRequest(fan_id="their-fan")
        )
    assert recorder.calls == 0
    assert (await books(database, creator.id)).rows == 0


async def test_suggestions_over_http_without_a_body(database_url: URL, database: Database) -> None:
    user = await new_creator(database)
    async with database.sessionmaker() as session, session.begin():
        headers = {"Authorization": f"Bearer {await create_api_token(session, user)}"}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/sales/suggestions", headers=headers)
        missing = await client.post(
            "/api/ai/sales/suggestions", json={"fan_id": "nobody"}, headers=headers
        )
    assert response.status_code == 200, response.text
    for s in response.json()["suggestions"]:
        assert Decimal(s["price_min_usd"]) <= Decimal(s["price_max_usd"])
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


async def test_a_fan_id_with_a_nul_is_a_422_not_a_database_error(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with database.sessionmaker() as session, session.begin():
        headers = {"Authorization": f"Bearer {await create_api_token(session, user)}"}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/ai/sales/suggestions", json={"fan_id": "fan\x00"}, headers=headers
        )
    assert response.status_code == 422, response.text  # PostgreSQL refuses NUL in text: was a 500
    assert response.json()["fields"][0]["field"] == "fan_id"
    assert (await books(database, user.id)).rows == 0


async def test_prices_are_held_to_the_platforms_ppv_range_and_say_so(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    ideas = [
        {**IDEA, "price_min_usd": 1.0, "price_max_usd": 2.5},
        {**IDEA, "price_min_usd": 150.0, "price_max_usd": 450.0},
        {**IDEA, "price_min_usd": 9.99, "price_max_usd": 19.99},
    ]
    ai = fake_ai(meter, Recorder({"suggestions": ideas}))
    onlyfans = await suggest(session, ai, creator, SuggestionsRequest(platform="onlyfans"))
    assert onlyfans.platform == "onlyfans"
    prices = [(s.price_min_usd, s.price_max_usd) for s in onlyfans.suggestions]
    assert prices == [("3.00", "3.00"), ("150.00", "200.00"), ("9.99", "19.99")]
    notes = [s.price_note for s in onlyfans.suggestions]
    assert notes[0] == (
        "clamped to OnlyFans's PPV range (free or $3.00–$200.00); suggested $1.00–$2.50"
    )
    assert notes[1] is not None
    assert notes[2] is None
    instagram = await suggest(session, ai, creator, SuggestionsRequest(platform="instagram"))
    assert [(s.price_min_usd, s.price_max_usd) for s in instagram.suggestions][1] == (
        "150.00",
        "450.00",
    )
    assert all(s.price_note is None for s in instagram.suggestions)


async def test_the_range_is_the_fans_platforms_by_default(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    async with database.sessionmaker() as setup, setup.begin():
        setup.add(Fan(user_id=creator.id, platform="x", external_id="x-fan"))
    ai = fake_ai(meter, Recorder({"suggestions": [{**IDEA, "price_max_usd": 900.0}]}))
    on_x = await suggest(session, ai, creator, SuggestionsRequest(fan_id="x-fan"))
    assert on_x.platform == "x"
    assert on_x.suggestions[0].price_max_usd == "900.00"  # no paid messages on X: no range
    default = await suggest(session, ai, creator, SuggestionsRequest())
    assert default.platform == "onlyfans"
    assert default.suggestions[0].price_max_usd == "200.00"


async def test_a_platform_narrows_the_fan_to_that_platforms_as_for_replies(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    async with database.sessionmaker() as setup, setup.begin():
        setup.add_all(
            [
                Fan(
                    user_id=creator.id,
                    platform="onlyfans",
                    external_id="42",
                    notes="on OnlyFans",
                    first_seen_at=utcnow() - timedelta(days=30),
                    last_active_at=utcnow() - timedelta(days=10),
                ),
                Fan(
                    user_id=creator.id,
                    platform="fansly",
                    external_id="42",
                    notes="on Fansly",
                    first_seen_at=utcnow() - timedelta(days=30),
                    last_active_at=utcnow(),
                ),
            ]
        )
    recorder = Recorder({"suggestions": [IDEA]})
    ai = fake_ai(meter, recorder)
    out = await suggest(session, ai, creator, SuggestionsRequest(fan_id="42", platform="onlyfans"))
    assert out.platform == "onlyfans"
    assert "on OnlyFans" in recorder.user_prompts[0]
    await suggest(session, ai, creator, SuggestionsRequest(fan_id="42"))
    assert "on Fansly" in recorder.user_prompts[1]  # no platform: the most recently active
    with pytest.raises(NotFound):
        await suggest(session, ai, creator, SuggestionsRequest(fan_id="42", platform="x"))
    assert recorder.calls == 2
