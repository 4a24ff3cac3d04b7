"""The analytics page over HTTP: insights grouped by refresh with their metrics and recommended
action, the campaigns each is linked to, linking twice said as such, campaigns with their stats;
another creator's insight or campaign is a 404 and never shown."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from huntaze_ai.insights.service import InsightIn, save_insights
from huntaze_ai.kit import clock
from huntaze_ai.kit.db import Database
from huntaze_ai.models import CampaignInsight, MarketingCampaign, User
from huntaze_ai.web.endpoints import REFRESHES_SHOWN
from tests.apphelpers import app_client, csrf_of, login, settings_for, visible_text
from tests.metering.conftest import new_creator
from tests.web.conftest import Browser

START = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
METRICS = {
    "revenue_usd": 11145.59,
    "revenue_trend_percent": 17.1,
    "response_rate": 0.82,
    "active_chats": 17.0,
}


async def _refresh(
    database: Database, user: User, hours: int, request_id: str | None, *summaries: str
) -> list[int]:
    """One stored analysis, as the analytics agent leaves it, `hours` after START."""
    moment = START + timedelta(hours=hours)
    clock.set_clock(lambda: moment)
    try:
        async with database.sessionmaker() as session, session.begin():
            rows = await save_insights(
                session,
                user.id,
                [
                    InsightIn(
                        type="revenue_trend",
                        confidence=0.84,
                        summary=summary,
                        data={"recommended_action": f"Act on {summary}", "metrics": METRICS},
                    )
                    for summary in summaries
                ],
                request_id,
            )
            return [r.id for r in rows]
    finally:
        clock.set_clock(None)


async def _campaign(database: Database, user: User, name: str, stats: dict[str, Any]) -> int:
    async with database.sessionmaker() as session, session.begin():
        campaign = MarketingCampaign(user_id=user.id, name=name, stats=stats)
        session.add(campaign)
        await session.flush()
        return campaign.id


def _details(html: str) -> list[tuple[bool, list[str]]]:
    """Each refresh on the page: whether it is open, and its insights' ids in order."""
    blocks = re.findall(r'<details class="refresh"( open)?[^>]*>(.*?)</details>', html, re.S)
    return [(bool(opened), re.findall(r'data-insight-id="(\d+)"', body)) for opened, body in blocks]


def _card(html: str, insight_id: int) -> str:
    found = re.search(
        rf'<article class="card insight" id="insight-{insight_id}".*?</article>', html, re.S
    )
    assert found, f"no card for insight {insight_id}"
    return htmllib.unescape(found[0])


async def test_insights_are_grouped_by_refresh_newest_open_with_metrics_and_action(
    browser: Browser, database: Database
) -> None:
    older = await _refresh(database, browser.user, 0, "req-old", "older one", "older two")
    newer = await _refresh(database, browser.user, 5, "req-new", "new one", "new two", "new three")

    html = (await browser.get("/analytics")).text

    assert _details(html) == [(True, [str(i) for i in newer]), (False, [str(i) for i in older])]
    # Times are <time> elements (localized in the browser); their text is the UTC moment.
    assert "Latest analysis · Nov 2, 2026 14:30 UTC · 3 insights" in visible_text(html)
    assert "Earlier analysis · Nov 2, 2026 09:30 UTC · 2 insights" in visible_text(html)
    card = _card(html, newer[0])
    assert "Recommended action</strong> Act on new one" in card
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", card)
    assert pairs == [
        ("Revenue", "$11,145.59"),
        ("Revenue trend", "+17.1%"),
        ("Response rate", "82%"),
        ("Active chats", "17"),
    ]
    assert "Not linked to a campaign" in card
    assert "No campaigns yet" in html  # and no link form without a campaign
    assert 'action="/analytics/link"' not in html


async def test_only_the_newest_refreshes_are_listed_each_one_whole(
    browser: Browser, database: Database
) -> None:
    for n in range(REFRESHES_SHOWN + 1):
        await _refresh(database, browser.user, n, f"req-{n}", f"a{n}", f"b{n}")
    html = (await browser.get("/analytics")).text
    refreshes = _details(html)
    assert len(refreshes) == REFRESHES_SHOWN
    assert all(len(ids) == 2 for _, ids in refreshes)
    assert "Older analyses are not shown" in html


async def test_linking_shows_the_campaign_on_the_insight_and_a_second_link_says_so(
    browser: Browser, database: Database
) -> None:
    (insight_id, other_id) = await _refresh(database, browser.user, 0, "req", "one", "two")
    summer = await _campaign(database, browser.user, "Summer <promo>", {})
    winter = await _campaign(database, browser.user, "Winter", {})

    first = await browser.submit(
        "/analytics", "/analytics/link", insight_id=str(insight_id), campaign_id=str(summer)
    )
    assert first.status_code == 303
    assert first.headers["location"] == (
        f"/analytics?notice=linked&insight={insight_id}&campaign={summer}#insight-{insight_id}"
    )
    html = (await browser.get(first.headers["location"])).text
    assert "Insight linked to “Summer &lt;promo&gt;”." in html
    card = _card(html, insight_id)
    assert '<span class="chip">Summer <promo></span>' in card
    # The form offers only the campaigns not linked yet; the other insight still offers both.
    assert re.findall(r'<option value="(\d+)">', card) == [str(winter)]
    assert sorted(re.findall(r'<option value="(\d+)">', _card(html, other_id))) == sorted(
        [str(summer), str(winter)]
    )

    # The same pair again (a second tab, a double click): nothing changes, and the page says so.
    again = await browser.submit(
        "/analytics", "/analytics/link", insight_id=str(insight_id), campaign_id=str(summer)
    )
    assert "notice=already_linked" in again.headers["location"]
    html = (await browser.get(again.headers["location"])).text
    assert "This insight was already linked to “Summer &lt;promo&gt;”: nothing changed." in html
    assert "Insight linked to" not in html
    async with database.sessionmaker() as session:
        links = await session.scalar(
            select(func.count()).where(CampaignInsight.insight_id == insight_id)
        )
    assert links == 1
    assert "1 insight linked" in html


async def test_the_group_holding_the_linked_insight_stays_open(
    browser: Browser, database: Database
) -> None:
    (old,) = await _refresh(database, browser.user, 0, "req-old", "old")
    await _refresh(database, browser.user, 1, "req-new", "new")
    campaign = await _campaign(database, browser.user, "Spring", {})
    linked = await browser.submit(
        "/analytics", "/analytics/link", insight_id=str(old), campaign_id=str(campaign)
    )
    html = (await browser.get(linked.headers["location"])).text
    assert [opened for opened, _ in _details(html)] == [True, True]
    assert [opened for opened, _ in _details((await browser.get("/analytics")).text)] == [
        True,
        False,
    ]


async def test_campaigns_show_their_stats(browser: Browser, database: Database) -> None:
    await _campaign(
        database,
        browser.user,
        "Weekend PPV drop",
        {
            "sent": 986,
            "opened": 472,
            "purchases": 29,
            "revenue_micros": 724_710_000,
            "platform": "fansly",
            "demo": True,
            "segment": "whales",
        },
    )
    await _campaign(database, browser.user, "Fresh", {})
    html = (await browser.get("/analytics")).text
    stats = re.search(r'<dl class="facts campaign-stats">(.*?)</dl>', html, re.S)
    assert stats
    assert re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", stats[1]) == [
        ("Sent", "986"),
        ("Opened", "472 (47.9% of sent)"),
        ("Purchases", "29 (6.1% of opened)"),
        ("Revenue", "$724.71"),
        ("Platform", "Fansly"),
        ("Segment", "whales"),
    ]
    assert "No stats yet." in html  # the campaign without any
    assert "0 insights linked" in html


async def test_another_creators_insights_and_campaigns_are_404_and_never_shown(
    browser: Browser, database_url: Any, database: Database
) -> None:
    (mine,) = await _refresh(database, browser.user, 0, "req-mine", "my secret insight")
    my_campaign = await _campaign(database, browser.user, "My private campaign", {"sent": 5})
    other = await new_creator(database)
    (theirs,) = await _refresh(database, other, 0, "req-theirs", "their insight")
    their_campaign = await _campaign(database, other, "Their campaign", {})
    async with app_client(settings_for(database_url)) as client:
        await login(client, other.email)
        page = (await client.get("/analytics")).text
        token = csrf_of(page)
        attempts = [
            (mine, their_campaign),  # my insight into their campaign
            (theirs, my_campaign),  # their insight into my campaign
            (mine, my_campaign),  # both mine
        ]
        responses = [
            await client.post(
                "/analytics/link",
                data={"csrf_token": token, "insight_id": str(i), "campaign_id": str(c)},
            )
            for i, c in attempts
        ]
        # A crafted notice cannot name my campaign or open my insight.
        crafted = await client.get(
            f"/analytics?notice=linked&insight={mine}&campaign={my_campaign}"
        )
        garbage = [
            await client.get(f"/analytics?notice=linked&insight={bad}&campaign={bad}")
            for bad in ("abc", "-1", "²", "9" * 5000, "0", str(2**31))
        ]
    for response in responses:
        assert response.status_code == 404
        assert "Could not do that" in response.text
        assert "My private campaign" not in response.text
        assert "my secret insight" not in response.text
    assert "Insight linked to the campaign." in crafted.text
    for text in (page, crafted.text):
        assert "My private campaign" not in text
        assert "my secret insight" not in text
        assert f'data-insight-id="{mine}"' not in text
    for response in garbage:
        assert response.status_code == 200
        assert "Insight linked to the campaign." in response.text
    async with database.sessionmaker() as session:
        links = select(func.count()).where(
            CampaignInsight.campaign_id.in_([my_campaign, their_campaign])
        )
        assert await session.scalar(links) == 0
