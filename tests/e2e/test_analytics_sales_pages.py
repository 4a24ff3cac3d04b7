"""Analytics and sales in chromium, on a phone (390 px) and a desktop: insights grouped by refresh
with their metrics, recommended action and linked campaigns, "Link to campaign" inside its card,
a second link of the same pair said as such, campaigns with their stats; sales ideas with price
ranges for one fan picked from the creator's fans, reached through the folded nav on a phone; an
exhausted quota refused on the sales page as elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from huntaze_ai.creator_data.demo_data import fill_demo_data
from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.e2e.conftest import AppServer, BrowserErrors, Creator, go_to, in_worker_thread, log_in
from tests.e2e.test_creator_flow import AI_TIMEOUT_MS

pytestmark = pytest.mark.slow

SIZES = [(390, 844), (1280, 800)]
IDS = ["phone", "desktop"]


def _creator_with_demo_data(server: AppServer) -> Creator:
    """A creator with the demo's fans, subscriptions, stats and three campaigns with stats."""
    creator = server.create_creator()

    async def fill() -> None:
        database = Database.from_url(server.database_url)
        try:
            async with database.sessionmaker() as session, session.begin():
                user = await session.get(User, creator.id)
                assert user is not None
                await fill_demo_data(session, user)
        finally:
            await database.dispose()

    in_worker_thread(fill)
    return creator


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _inside(inner: Locator, outer: Locator) -> None:
    a, b = inner.bounding_box(), outer.bounding_box()
    assert a is not None
    assert b is not None
    assert a["x"] >= b["x"], (a, b)
    assert a["x"] + a["width"] <= b["x"] + b["width"] + 0.5, (a, b)


def _refresh(page: Page) -> None:
    page.get_by_role("button", name="Refresh Analysis").click()
    expect(page.locator(".notice")).to_have_text("New insights generated.", timeout=AI_TIMEOUT_MS)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=IDS)
def test_analytics_groups_refreshes_shows_numbers_and_links_once(
    new_context: type[BrowserContext],
    app_server: AppServer,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, _creator_with_demo_data(app_server))
    go_to(page, "Analytics")
    expect(page).to_have_url(app_server.at("/analytics"))
    _refresh(page)
    _refresh(page)

    refreshes = page.locator("details.refresh")
    expect(refreshes).to_have_count(2)
    latest, earlier = refreshes.nth(0), refreshes.nth(1)
    expect(latest).to_have_attribute("open", "")
    assert earlier.get_attribute("open") is None
    expect(earlier.locator(".insight").first).to_be_hidden()  # collapsed
    expect(latest.locator("summary")).to_contain_text("Latest analysis")
    cards = latest.locator(".insight")
    assert cards.count() >= 1
    card = cards.first
    expect(card.locator(".insight-metrics dt").first).to_be_visible()
    expect(card.locator(".recommended-action")).to_contain_text("Recommended action")
    expect(card.locator(".insight-campaigns")).to_have_text("Not linked to a campaign")
    for n in range(cards.count()):  # every Link button inside its card
        _inside(cards.nth(n).get_by_role("button", name="Link to campaign"), cards.nth(n))
        _inside(cards.nth(n).locator("select"), cards.nth(n))
    campaign = page.locator(".campaign").first
    expect(campaign.locator(".campaign-stats")).to_contain_text("Sent")
    expect(campaign.locator(".campaign-stats")).to_contain_text("% of sent")
    expect(campaign.locator(".campaign-stats")).to_contain_text("$")

    # A second tab opened before the link: linking the same pair there says it already was.
    stale = context.new_page()
    stale.goto(app_server.at("/analytics"))
    insight_id = card.get_attribute("data-insight-id")
    name = card.locator("select option").first.inner_text()
    card.get_by_role("button", name="Link to campaign").click()
    expect(page.locator(".notice")).to_have_text(f"Insight linked to “{name}”.")
    linked = page.locator(f"#insight-{insight_id}")
    expect(linked.locator(".insight-campaigns .chip")).to_have_text([name])
    expect(linked.locator("select option", has_text=name)).to_have_count(0)
    expect(page.locator(".campaign", has_text=name)).to_contain_text("1 insight linked")
    page.screenshot(path=str(tmp_path / f"analytics-{width}.png"), full_page=True)
    _fits(page, width)

    stale_card = stale.locator(f"#insight-{insight_id}")
    stale_card.locator("select").select_option(label=name)
    stale_card.get_by_role("button", name="Link to campaign").click()
    expect(stale.locator(".notice")).to_have_text(
        f"This insight was already linked to “{name}”: nothing changed."
    )
    expect(stale.locator(f"#insight-{insight_id} .insight-campaigns .chip")).to_have_text([name])
    stale.screenshot(path=str(tmp_path / f"analytics-already-{width}.png"), full_page=True)
    _fits(stale, width)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=IDS)
def test_sales_ideas_for_one_fan_with_price_ranges_through_the_nav(
    new_context: type[BrowserContext],
    app_server: AppServer,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, _creator_with_demo_data(app_server))
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")
    if width < 640:  # folded on a phone until Menu opens it
        expect(nav.get_by_role("link", name="Sales")).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        page.screenshot(path=str(tmp_path / f"nav-folded-{width}.png"))
        menu.click()
        expect(nav.get_by_role("link", name="Usage")).to_be_visible()
        page.screenshot(path=str(tmp_path / f"nav-open-{width}.png"))
        _fits(page, width)
        menu.click()
        expect(nav.get_by_role("link", name="Sales")).to_be_hidden()
    else:
        expect(menu).to_be_hidden()
        expect(nav.get_by_role("link", name="Sales")).to_be_visible()
    go_to(page, "Sales")
    expect(page).to_have_url(app_server.at("/sales"))
    expect(page.locator('#site-nav a[aria-current="page"]')).to_have_text("Sales")

    picker = page.get_by_label("Ideas for", exact=True)
    expect(picker.locator("option")).to_have_count(41)  # all fans, and the demo's 40
    fan = picker.locator("option").nth(1)
    label = fan.inner_text()
    picker.select_option(value=fan.get_attribute("value"))
    page.get_by_role("button", name="Get sales ideas").click()

    result = page.locator(".sales-result")
    expect(result).to_be_visible(timeout=AI_TIMEOUT_MS)
    expect(result.locator("h2")).to_have_text(f"Ideas for {label.split(' · ')[0]}")
    expect(result.locator(".usage-line")).to_contain_text(re.compile(r"cost \$[\d.]+ on \S+"))
    expect(result.locator(".suggestion").first).to_be_visible()
    for text in result.locator(".price-range").all_inner_texts():
        assert re.fullmatch(r"(free|\$[\d,]+\.\d\d)(–\$[\d,]+\.\d\d)?", text), text
    expect(picker).to_have_value(fan.get_attribute("value") or "")
    page.screenshot(path=str(tmp_path / f"sales-{width}.png"), full_page=True)
    _fits(page, width)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=IDS)
def test_sales_refuses_an_exhausted_quota_as_the_other_pages_do(
    new_context: type[BrowserContext],
    app_server: AppServer,
    browser_errors: BrowserErrors,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, app_server.create_creator("pro"))  # QUOTA_PRO_USD=0 on this server
    page.goto(app_server.at("/sales"))
    expect(page.get_by_label("Ideas for", exact=True).locator("option")).to_have_count(1)
    # Paused before any click, in the words every other page uses, the button disabled beside it.
    expect(page.get_by_role("button", name="Get sales ideas")).to_be_disabled()
    note = page.locator('[data-paused="sales"]')
    expect(note).to_contain_text("Sales paused.")
    expect(page.locator(".sales-result")).to_have_count(0)
    page.screenshot(path=str(tmp_path / f"sales-quota-{width}.png"), full_page=True)
    _fits(page, width)
