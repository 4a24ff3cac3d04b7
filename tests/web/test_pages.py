"""The pages over HTTP: each renders for a logged-in creator, forms post through the same metered
services, and refusals show as messages on the page, never as JSON or a trace."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.metering.quota import QuotaLedger, UsageRecord
from huntaze_ai.models import AIInsight
from tests.apphelpers import app_client, csrf_of, login, settings_for, visible_text
from tests.factories import create_user
from tests.metering.conftest import books, make_meter, new_creator
from tests.web.conftest import Browser


async def _charge(
    database: Database, settings: Settings, user_id: int, feature: str, micros: int
) -> None:
    """One priced call of `feature`, settled in the ledger as the meter would."""
    ledger = QuotaLedger(database.sessionmaker, settings)
    reservation = await ledger.reserve(user_id, "starter", micros, uuid.uuid4().hex)
    record = UsageRecord(feature, "gemini-2.5-flash", 10, 0, 10, micros, 5, "ok")
    await ledger.finish(reservation, record)


async def test_every_page_redirects_to_login_without_a_session(database_url, database) -> None:
    async with app_client(settings_for(database_url)) as client:
        for path in ("/dashboard", "/messages", "/content/create", "/analytics", "/usage"):
            response = await client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == f"/auth/login?next={path}"


async def test_a_login_after_a_session_ended_under_a_form_comes_back_to_its_page(
    database_url: URL, database: Database
) -> None:
    async with database.sessionmaker() as session, session.begin():
        creator = await create_user(session)
    async with app_client(settings_for(database_url)) as client:
        after_form = await login(client, creator.email, next="/inbox/13/approve")
        client.cookies.clear()
        after_page = await login(client, creator.email, next="/usage?month=2026-11")

    # The refused form's address takes only a POST: a GET there was a 405.
    assert after_form.headers["location"] == "/inbox"
    assert after_page.headers["location"] == "/usage?month=2026-11"


async def test_dashboard_shows_the_quota_indicator_with_dollars(browser: Browser) -> None:
    html = (await browser.get("/dashboard")).text
    assert 'class="card ai-quota-indicator level-ok"' in html
    assert (
        '<p class="quota-spent"><span class="amount">'
        '<span class="money" title="$0.000000">$0.00</span></span> spent of '
        '<span class="money" title="$10.000000">$10.00</span></p>'
    ) in html
    assert re.search(
        r'role="progressbar" aria-label="Monthly AI quota used" aria-valuemin="0" '
        r'aria-valuemax="100" aria-valuenow="0.0" aria-valuetext="0(\.0+)?% used: \$0\.00 of '
        r'\$10\.00"',
        html,
    )
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "quota-details" in html
    assert "resets" in html
    assert "Projected month-end spend" in html
    assert "Emulated AI" in html  # the test apps use the emulator: the UI must say so


async def test_a_reply_from_the_messages_form_is_charged_and_shows_on_the_dashboard(
    browser: Browser, database: Database
) -> None:
    response = await browser.submit(
        "/messages",
        "/messages",
        **{"fan-message": "Hey! loved your last set", "platform": "onlyfans"},
    )
    assert response.status_code == 200
    assert 'class="assistant-response"' in response.text
    assert re.search(r"badge badge-(draft|escalate)", response.text)
    after = await books(database, browser.user.id)
    assert after.rows == 1
    assert after.spent > 0
    dashboard = (await browser.get("/dashboard")).text
    assert "$0.00 spent" not in visible_text(dashboard)  # spent > 0 now
    assert "<th>Messages</th>" in dashboard  # the per-feature chart names it as the nav does
    assert "messaging" not in dashboard


async def test_caption_form_renders_variants_with_hashtags(browser: Browser) -> None:
    response = await browser.submit(
        "/content/create",
        "/content/create",
        platform="instagram",
        description="Beach sunset photoshoot in Bali",
        variants="2",
    )
    assert response.status_code == 200
    assert response.text.count('class="result-caption"') == 2


async def test_each_caption_shows_its_length_against_the_limit_and_copies_with_hashtags(
    browser: Browser,
) -> None:
    import html
    import re

    response = await browser.submit(
        "/content/create", "/content/create", platform="x", description="gym day", variants="1"
    )
    assert response.status_code == 200
    used, limit = map(int, re.search(r"(\d+) / (\d+) characters", response.text).groups())  # type: ignore[union-attr]
    assert 0 < used <= limit == 280
    assert "hashtags included" in response.text  # X counts them
    copied = re.search(r'id="caption-post-1">([^<]+)<', response.text)
    assert copied is not None
    assert "#" in copied.group(1)  # Copy takes the hashtags too
    assert len(html.unescape(copied.group(1))) == used
    assert 'data-copy-target="caption-post-1"' in response.text


async def test_an_invalid_caption_form_explains_itself_and_charges_nothing(
    browser: Browser, database: Database
) -> None:
    response = await browser.submit(
        "/content/create", "/content/create", platform="myspace", description="x"
    )
    assert response.status_code == 422
    assert "Please check the form" in response.text
    assert "platform" in response.text
    assert (await books(database, browser.user.id)).rows == 0


async def test_a_blank_caption_description_is_refused_in_a_sentence_and_charges_nothing(
    browser: Browser, database: Database
) -> None:
    response = await browser.submit(
        "/content/create", "/content/create", platform="instagram", description="  \n "
    )
    assert response.status_code == 422
    text = visible_text(response.text)
    assert "Say what the post is about: captions are written from its description" in text
    assert "String should have" not in text  # pydantic's wording, not the page's
    assert (await books(database, browser.user.id)).rows == 0


async def test_refresh_analysis_stores_insights_and_links_one_to_a_campaign(
    browser: Browser, database: Database
) -> None:
    response = await browser.submit("/analytics", "/analytics/refresh")
    assert response.status_code == 303
    html = (await browser.get(response.headers["location"])).text
    assert 'class="ai-analytics-dashboard"' in html
    assert "New insights generated." in html
    async with database.sessionmaker() as session:
        insight_id = await session.scalar(
            select(AIInsight.id).where(AIInsight.user_id == browser.user.id).limit(1)
        )
    campaign = await browser.client.post(
        "/api/campaigns",
        json={"name": "Summer promo"},
        headers={"X-CSRF-Token": _meta_csrf(html)},
    )
    assert campaign.status_code == 201, campaign.text
    linked = await browser.submit(
        "/analytics",
        "/analytics/link",
        insight_id=str(insight_id),
        campaign_id=str(campaign.json()["id"]),
    )
    assert linked.status_code == 303
    listed = await browser.client.get(f"/api/campaigns/{campaign.json()['id']}/insights")
    assert [i["id"] for i in listed.json()["insights"]] == [insight_id]


async def test_usage_page_and_csv_list_the_months_calls(browser: Browser) -> None:
    await browser.submit("/messages", "/messages", **{"fan-message": "hello there"})
    html = (await browser.get("/usage")).text
    assert html.count('class="usage-row') == 1
    exported = await browser.get("/usage.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 1
    assert rows[0]["feature"] == "messaging"
    assert (await browser.get("/usage?month=2026-13")).status_code == 422


async def test_an_exhausted_quota_is_shown_with_its_reset_and_blocks_generation(
    database_url, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url, quota_starter_usd="0")
    async with app_client(settings) as client:
        await login(client, user.email)
        page = await client.get("/messages")
        response = await client.post(
            "/messages",
            data={"csrf_token": csrf_of(page.text), "fan-message": "hey you"},
        )
    assert response.status_code == 402
    assert "Monthly quota exceeded" in response.text
    assert "until the quota resets on" in response.text
    assert 'class="assistant-response"' in response.text  # the empty, hidden card
    assert (await books(database, user.id)).rows == 0


async def test_a_form_post_without_the_csrf_token_is_refused(browser: Browser, database) -> None:
    response = await browser.client.post("/messages", data={"fan-message": "hey"})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert (await books(database, browser.user.id)).rows == 0


async def test_pages_escape_what_creators_and_fans_typed(browser: Browser) -> None:
    hostile = '<script>alert("x")</script>'
    response = await browser.submit("/messages", "/messages", **{"fan-message": hostile})
    assert hostile not in response.text
    assert "&lt;script&gt;" in response.text


async def test_another_creators_pages_show_nothing_of_mine(
    browser: Browser, database_url, database: Database
) -> None:
    await browser.submit("/messages", "/messages", **{"fan-message": "private message"})
    other = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        await login(client, other.email)
        usage = (await client.get("/usage")).text
        dashboard = (await client.get("/dashboard")).text
    assert 'class="usage-row' not in usage
    assert "$0.00 spent" in visible_text(dashboard)
    assert browser.user.email not in usage + dashboard


def _meta_csrf(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', html)
    assert found
    return found[1]


async def test_a_rate_limited_creator_is_told_when_to_retry(
    database_url, database: Database, redis_url: str
) -> None:
    import redis.asyncio as aioredis

    from huntaze_ai.metering.rate_limit import CreatorRateLimiter

    user = await new_creator(database)
    # Another instance used up this creator's hour: fill the shared window through Redis.
    client_redis = aioredis.Redis.from_url(redis_url)
    # Creator ids repeat across test databases and runs; the window must start empty.
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
        page = await client.get("/content/create")
        response = await client.post(
            "/content/create",
            data={"csrf_token": csrf_of(page.text), "platform": "x", "description": "gym day"},
        )
    assert response.status_code == 429
    assert response.text.count("Rate limit exceeded") == 1  # the title, said once
    assert re.search(r"allows \d+ AI requests an hour. Try again in \d+ minutes\.", response.text)
    assert (await books(database, user.id)).rows == 0


async def test_the_login_page_speaks_to_agency_members_as_well_as_creators(
    database_url: URL, database: Database
) -> None:
    async with app_client(settings_for(database_url)) as client:
        text = visible_text((await client.get("/auth/login")).text)
    assert "creator account" not in text  # chatters and managers log in here too
    assert "Log in as a creator, or as a member of a creator's agency." in text


async def test_pages_forbid_framing_and_foreign_scripts(browser: Browser) -> None:
    for path in ("/dashboard", "/auth/login"):
        policy = (await browser.get(path)).headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy


async def test_nothing_personal_is_kept_in_a_cache_but_static_assets_are(
    browser: Browser,
) -> None:
    personal = ["/dashboard", "/inbox", "/usage.csv", "/api/ai/quota", "/auth/login"]
    for path in personal:
        response = await browser.get(path)
        assert response.headers.get("cache-control") == "no-store", path
    asset = await browser.get("/static/app.css")
    assert asset.status_code == 200
    assert "no-store" not in asset.headers.get("cache-control", "")


async def test_a_login_throttled_says_so_not_the_ai_plans_rate_limit(
    database_url, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        for _ in range(10):
            await login(client, user.email, "wrong-password")
        refused = await login(client, user.email)
    assert refused.status_code == 429
    text = visible_text(refused.text)
    assert "Too many login attempts for this email or from this network" in text
    assert "AI requests" not in text


async def test_garbage_in_forms_headers_and_months_is_refused_never_a_500(
    browser: Browser,
) -> None:
    client = browser.client
    assert (
        await client.post("/messages", data={"csrf_token": "é", "fan-message": "x"})
    ).status_code == 403
    api = await client.post(
        "/api/campaigns", json={"name": "x"}, headers={"X-CSRF-Token": "\xe9".encode("latin-1")}
    )
    assert api.status_code == 403
    for path in ("/usage?month=0000-01", "/usage.csv?month=9999-12", "/api/ai/usage?month=0000-01"):
        assert (await client.get(path)).status_code == 422, path
    huge = await browser.submit(
        "/analytics", "/analytics/link", insight_id="9" * 20, campaign_id="1"
    )
    assert huge.status_code == 422


async def test_the_usage_page_says_in_words_what_an_abandoned_call_was_charged(
    browser: Browser, database: Database
) -> None:
    meter = make_meter(database)
    inside = asyncio.Event()

    async def abandoned() -> None:
        async with meter.call(browser.user, "messaging", "gemini-2.5-flash", 400, "hi") as call:
            call.record_usage(input_tokens=120, output_tokens=7)  # the provider's report so far
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(abandoned())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    html = (await browser.get("/usage")).text
    row = re.search(r'<tr class="usage-row outcome-cancelled">(.*?)</tr>', html)
    assert row is not None
    assert "<td>abandoned</td>" in row.group(1)
    assert "What the outcomes mean" in html
    assert "Charged the tokens Gemini had reported by then" in html
    assert "answered</dt>" not in html  # the legend covers the month's outcomes only


async def test_the_dashboards_spend_per_feature_adds_up_to_its_total_as_written(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url, quota_starter_usd="10")
    await _charge(database, settings, user.id, "messaging", 14_600)
    await _charge(database, settings, user.id, "content", 1_400)
    async with app_client(settings) as client:
        await login(client, user.email)
        text = visible_text((await client.get("/dashboard")).text)

    # Cents would write $0.01 + $0.0014 against a $0.02 total.
    assert "$0.0160 spent of $10.00" in text
    assert re.search(r"Messages\s*\$0\.0146\s", text)
    assert re.search(r"Captions\s*\$0\.0014\s", text)
    assert "0.16% used" in text
