"""The sales page over HTTP: ideas with price ranges for all fans or one fan picked from the
creator's own (named as the API names them), the call's cost, refusals shown as the other pages
show them; another creator's fan is a 404 and never listed."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape
from typing import Any

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.metering.rate_limit import CreatorRateLimiter
from huntaze_ai.models import Fan, User
from tests.apphelpers import app_client, csrf_of, login, settings_for, visible_text
from tests.metering.conftest import books, new_creator
from tests.web.conftest import Browser

PRICE = re.compile(r'<p class="price-range">(.*?)</p>')


async def _fans(database: Database, user: User, *fans: tuple[str, str, str, int]) -> None:
    """(platform, external id, name, days since last active) for each fan."""
    now = utcnow()
    async with database.sessionmaker() as session, session.begin():
        session.add_all(
            Fan(
                user_id=user.id,
                platform=platform,
                external_id=external_id,
                display_name=name,
                total_spent_micros=usd_to_micros(800),
                tips_micros=usd_to_micros(150),
                first_seen_at=now - timedelta(days=300),
                last_active_at=now - timedelta(days=idle),
            )
            for platform, external_id, name, idle in fans
        )


def _options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', html)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


async def test_the_picker_lists_my_fans_by_their_platform_ids_most_recent_first(
    browser: Browser, database: Database
) -> None:
    await _fans(
        database,
        browser.user,
        ("onlyfans", "of-7", "Sam", 20),
        ("fansly", "of-7", "Sam on Fansly", 1),
        ("instagram", "ig-1", "Robin", 3),
    )
    other = await new_creator(database)
    await _fans(database, other, ("onlyfans", "their-fan", "Not yours", 0))

    html = (await browser.get("/sales")).text

    assert '<a href="/sales" aria-current="page">Sales</a>' in html
    assert _options(html) == [
        ("", "All my fans"),
        ("fansly:of-7", "Sam on Fansly · Fansly · whale, active · $800.00 spent"),
        ("instagram:ig-1", "Robin · Instagram · whale, active · $800.00 spent"),
        ("onlyfans:of-7", "Sam · OnlyFans · whale, at risk · $800.00 spent"),
    ]
    assert "Not yours" not in html
    assert 'class="card fan-search"' not in html  # every fan is listed: no search needed


async def test_ideas_for_all_fans_show_price_ranges_and_the_calls_cost(
    browser: Browser, database: Database
) -> None:
    response = await browser.submit("/sales", "/sales", fan="")
    assert response.status_code == 200, response.text
    html = response.text
    assert "Ideas for all your fans" in html
    assert "Prices held to OnlyFans's PPV range (free or $3.00–$200.00)" in unescape(html)
    assert re.search(r"cost \$[\d.]+ on gemini-2\.5-flash", visible_text(html))
    prices = PRICE.findall(html)
    assert prices
    for text in prices:
        low, _, high = text.partition("–")
        assert _amount(low) <= _amount(high or low)
    assert html.count('class="suggestion"') == len(prices)
    assert (await books(database, browser.user.id)).rows == 1


async def test_ideas_for_one_fan_name_the_fan_and_keep_it_picked(
    browser: Browser, database: Database
) -> None:
    await _fans(database, browser.user, ("fansly", "fan-9", "Jordan", 2))
    response = await browser.submit("/sales", "/sales", fan="fansly:fan-9")
    html = response.text
    assert response.status_code == 200, html
    assert "Ideas for Jordan" in html
    assert "Prices held to Fansly's PPV range" in unescape(html)
    assert "<dt>Segment</dt><dd>whale, active</dd>" in html
    assert '<option value="fansly:fan-9" selected>' in html
    # A bare id, as the API's `fan_id` without a platform, works too.
    bare = await browser.submit("/sales", "/sales", fan="fan-9")
    assert "Ideas for Jordan" in bare.text
    assert (await books(database, browser.user.id)).rows == 2


async def test_another_creators_fan_is_a_404_and_nothing_is_charged(
    browser: Browser, database: Database
) -> None:
    other = await new_creator(database)
    await _fans(database, other, ("onlyfans", "their-fan", "Their whale", 0))
    for value in ("onlyfans:their-fan", "their-fan", "onlyfans:nobody"):
        response = await browser.submit("/sales", "/sales", fan=value)
        assert response.status_code == 404, value
        assert "Could not do that" in response.text
        assert "No such fan" in response.text
        assert "Their whale" not in response.text
    preselected = await browser.get("/sales?fan=onlyfans:their-fan")
    assert preselected.status_code == 200
    assert "Their whale" not in preselected.text
    assert " selected>" not in preselected.text
    assert (await books(database, browser.user.id)).rows == 0


async def test_bad_picks_explain_themselves_and_charge_nothing(
    browser: Browser, database: Database
) -> None:
    unpicked = await browser.submit("/sales", "/sales", fan="onlyfans:")
    with_nul = await browser.submit("/sales", "/sales", fan="fan\x00")
    assert unpicked.status_code == with_nul.status_code == 422
    assert "Please check the form" in unpicked.text
    assert "fan: must not contain NUL characters" in with_nul.text  # as for every form field
    missing_csrf = await browser.client.post("/sales", data={"fan": ""})
    assert missing_csrf.status_code == 403
    assert (await books(database, browser.user.id)).rows == 0


async def test_many_fans_are_found_by_name_or_id(browser: Browser, database: Database) -> None:
    from huntaze_ai.web.sales_page import FANS_LISTED

    await _fans(
        database,
        browser.user,
        *[("onlyfans", f"of-{n}", f"Fan {n}", n % 30) for n in range(FANS_LISTED + 5)],
        ("fansly", "vip_1", "Quinn 100%", 90),
    )
    html = (await browser.get("/sales")).text
    assert len(_options(html)) == FANS_LISTED + 1
    assert f"{FANS_LISTED} of {FANS_LISTED + 6} fans listed" in html
    assert 'class="card fan-search"' in html
    found = (await browser.get("/sales?q=100%25")).text
    assert _options(found) == [
        ("", "All my fans"),
        ("fansly:vip_1", "Quinn 100% · Fansly · whale, dormant · $800.00 spent"),
    ]
    assert 'value="100%"' in found
    assert "No fan's name or id contains" in (await browser.get("/sales?q=zzz")).text


async def test_an_exhausted_quota_is_shown_as_on_the_other_pages(
    database_url: Any, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url, quota_starter_usd="0")) as client:
        await login(client, user.email)
        page = await client.get("/sales")
        response = await client.post("/sales", data={"csrf_token": csrf_of(page.text), "fan": ""})
    assert response.status_code == 402
    assert 'data-error="quota_exceeded"' in response.text
    assert "Monthly quota exceeded" in response.text
    assert "until the quota resets on" in response.text
    assert 'class="card sales-result"' not in response.text
    assert (await books(database, user.id)).rows == 0


async def test_a_rate_limited_creator_is_told_when_to_retry(
    database_url: Any, database: Database, redis_url: str
) -> None:
    import redis.asyncio as aioredis

    user = await new_creator(database)
    client_redis = aioredis.Redis.from_url(redis_url)
    async for key in client_redis.scan_iter(
        f"{CreatorRateLimiter.KEY_PREFIX}*{{creator:{user.id}}}*"
    ):
        await client_redis.delete(key)
    other_instance = CreatorRateLimiter(client_redis)
    for _ in range(other_instance.limits["starter"]):
        await other_instance.hit(user.id, "starter")
    await client_redis.aclose()
    async with app_client(settings_for(database_url, redis_url=redis_url)) as client:
        await login(client, user.email)
        page = await client.get("/sales")
        response = await client.post("/sales", data={"csrf_token": csrf_of(page.text), "fan": ""})
    assert response.status_code == 429
    assert response.text.count("Rate limit exceeded") == 1
    assert re.search(r"allows \d+ AI requests an hour. Try again in \d+ minutes\.", response.text)
    assert (await books(database, user.id)).rows == 0


async def test_the_sales_page_needs_a_session(database_url: Any, database: Database) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/sales")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=/sales"
