"""What every page shares, in chromium: times in the viewer's zone (UTC in the tooltip, and as the
text without JavaScript), money written by the browser exactly as the server writes it, a skip
link and a named quota bar for keyboard and screen-reader users, the login and "Page not found"
pages clean under axe-core, and the API's JSON 404 kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from huntaze_ai.web import formatting
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, BrowserErrors, log_in
from tests.e2e.test_creator_flow import AI_TIMEOUT_MS
from tests.web.test_formatting import MONEY

pytestmark = pytest.mark.slow


def _next_month_start(now: datetime) -> datetime:
    if now.month == 12:
        return datetime(now.year + 1, 1, 1, tzinfo=UTC)
    return datetime(now.year, now.month + 1, 1, tzinfo=UTC)


def test_times_read_in_the_viewers_zone_with_utc_in_the_tooltip(
    new_context: Callable[..., BrowserContext], app_server: AppServer
) -> None:
    creator = app_server.create_creator()
    page = new_context(timezone_id="America/New_York", locale="en-US").new_page()
    log_in(page, app_server, creator)
    resets = _next_month_start(datetime.now(UTC))
    local = resets.astimezone(ZoneInfo("America/New_York"))
    moment = page.locator(".quota-details time")
    expect(moment).to_have_attribute("datetime", f"{resets:%Y-%m-%dT%H:%M:%S}Z")
    expect(moment).to_have_attribute("title", formatting.when_text(resets))
    # en-US in New York: "Nov 30, 2026, 7:00 PM EST" for midnight UTC on December 1.
    hour = local.hour % 12 or 12
    expect(moment).to_have_text(
        re.compile(rf"^{local:%b} {local.day}, {local.year}, {hour}:{local:%M}\s?[AP]M E[SD]T$")
    )

    # Without JavaScript the page says the moment in UTC, and says so.
    plain = new_context(java_script_enabled=False, timezone_id="America/New_York").new_page()
    log_in(plain, app_server, creator)
    expect(plain.locator(".quota-details time")).to_have_text(formatting.when_text(resets))


def test_the_browser_writes_money_exactly_as_the_server_does(
    page: Page, app_server: AppServer
) -> None:
    log_in(page, app_server, app_server.create_creator())
    written = page.evaluate(
        "(amounts) => amounts.map((a) => [usd(a), usdExact(a)])", [usd for usd, _, _ in MONEY]
    )
    assert [tuple(pair) for pair in written] == [(shown, exact) for _, shown, exact in MONEY]


def test_a_keyboard_reaches_the_main_content_first_and_the_quota_bar_is_named(
    page: Page, app_server: AppServer
) -> None:
    log_in(page, app_server, app_server.create_creator())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0  # shown once focused, not left off-screen
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    bar = page.get_by_role("progressbar", name="Monthly AI quota used")
    expect(bar).to_have_attribute("aria-valuenow", "0.0")
    expect(bar).to_have_attribute("aria-valuemax", "100")
    expect(bar).to_have_attribute("aria-valuetext", re.compile(r"used: \$0\.00 of \$10\.00$"))


def test_login_and_not_found_pages_are_clean_and_the_api_keeps_json(
    page: Page, app_server: AppServer, axe: AxeAudit, browser_errors: BrowserErrors
) -> None:
    browser_errors.expect_http_status(401)
    browser_errors.expect_http_status(404)
    creator = app_server.create_creator()
    page.goto(app_server.at("/auth/login"))
    axe.check(page, "the login form")
    page.locator("input[name=email]").fill(creator.email)
    page.locator("input[name=password]").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe.check(page, "a refused login")

    log_in(page, app_server, creator)
    response = page.goto(app_server.at("/dashbaord"))
    assert response is not None
    assert response.status == 404
    expect(page).to_have_title("Page not found · Huntaze AI")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator(".error-path")).to_have_text("/dashbaord")
    axe.check(page, "a mistyped address")
    page.get_by_role("link", name="Go to the dashboard").click()
    expect(page).to_have_url(app_server.at("/dashboard"))

    api = page.request.get(app_server.at("/api/nowhere"), headers={"Accept": "text/html"})
    assert api.status == 404
    assert api.json() == {"error": "not_found", "message": "Not Found"}


def test_without_javascript_a_reply_is_drawn_by_the_server_and_is_clean(
    new_context: Callable[..., BrowserContext], app_server: AppServer, axe: AxeAudit
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, app_server, app_server.create_creator())
    page.goto(app_server.at("/messages"))
    page.locator("#fan-message").fill("Hey! Loved your last set")
    page.get_by_role("button", name="Generate AI Response").click()
    expect(page.locator("#reply-status")).to_have_text(
        re.compile(r"^(draft|escalate)$"), timeout=AI_TIMEOUT_MS
    )
    expect(page.locator("#reply-meta .money").first).to_have_attribute(
        "title", re.compile(r"^\$0\.\d{6}$")
    )
    axe.check(page, "a reply drawn by the server")
    page.goto(app_server.at("/usage"))
    expect(page.locator(".usage-row time")).to_have_text(re.compile(r"\d{2}:\d{2}:\d{2} UTC$"))
