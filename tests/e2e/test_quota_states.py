"""Quota states in a real browser, on a phone and at desktop width: near the limit every page says
generation is paused and why, in the same words, with the Generate buttons disabled beside the
reason; a request too big for what is left is refused in words that do not call the month
exceeded. Screenshots of each state are kept in the test's tmp_path."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.metering.quota import QuotaLedger, UsageRecord
from tests.e2e.conftest import AppServer, BrowserErrors, in_worker_thread, log_in

pytestmark = pytest.mark.slow

FEATURE_PAGES = [
    ("/messages", "Generate AI Response", "messaging"),
    ("/content/create", "Generate Caption", "content"),
    ("/analytics", "Refresh Analysis", "analytics"),
]


def spend(server: AppServer, user_id: int, micros: int) -> None:
    """Put `micros` of spend on the creator's books, as settled calls would."""

    async def settle() -> None:
        database = Database.from_url(server.database_url)
        try:
            ledger = QuotaLedger(database.sessionmaker, Settings())
            reservation = await ledger.reserve(user_id, "starter", micros, uuid.uuid4().hex)
            record = UsageRecord("messaging", "gemini-2.5-flash", 10, 0, 10, micros, 5, "ok")
            await ledger.finish(reservation, record)
        finally:
            await database.dispose()

    in_worker_thread(settle)


def quota(page: Page, server: AppServer) -> dict:  # type: ignore[type-arg]
    response = page.request.get(server.at("/api/ai/quota"))
    assert response.ok
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("width", [390, 1280])
def test_with_too_little_left_every_page_says_generation_is_paused_in_the_same_words(
    new_context: type[BrowserContext], app_server: AppServer, tmp_path: Path, width: int
) -> None:
    creator = app_server.create_creator()
    spend(app_server, creator.id, 9_999_500)  # $0.0005 of $10 left: less than any request
    context = new_context(viewport={"width": width, "height": 900})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, creator)
    body = quota(page, app_server)
    reason = body["paused_reason"]
    assert body["paused"] is True
    assert reason.startswith("Only $0.0005 of your $10.00 monthly AI quota is left")

    indicator = page.locator(".ai-quota-indicator")
    expect(indicator).to_have_attribute("data-level", "red")
    expect(indicator.locator("[data-paused=all]")).to_have_text(
        f"AI generation is paused. {reason}"
    )
    expect(page.locator(".header-quota")).to_contain_text("AI paused")
    expect(page.locator(".header-quota")).to_have_attribute("title", reason)
    page.screenshot(path=str(tmp_path / f"dashboard-paused-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    for path, label, feature in FEATURE_PAGES:
        page.goto(app_server.at(path))
        state = next(f for f in body["features"] if f["feature"] == feature)
        button = page.get_by_role("button", name=label)
        expect(button).to_be_disabled()
        expect(button).to_have_attribute("aria-disabled", "true")
        note = page.locator(f"#paused-{feature}")
        expect(note).to_be_visible()
        expect(note).to_have_text(f"{state['name']} paused. {state['paused_reason']}")
        expect(page.locator(".header-quota")).to_contain_text("AI paused")
        page.screenshot(path=str(tmp_path / f"{feature}-paused-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_request_too_big_for_what_is_left_is_refused_without_calling_the_month_exceeded(
    page: Page, app_server: AppServer, browser_errors: BrowserErrors, tmp_path: Path
) -> None:
    browser_errors.expect_http_status(402)
    creator = app_server.create_creator()
    log_in(page, app_server, creator)
    reply = usd_to_micros(
        next(f for f in quota(page, app_server)["features"] if f["feature"] == "messaging")[
            "worst_case_usd"
        ]
    )
    # Room for the smallest reply and a little more: not paused, but a 4,000-character message
    # (a token per byte, at most) cannot fit.
    spend(app_server, creator.id, 10_000_000 - reply - 500)
    page.goto(app_server.at("/messages"))
    button = page.get_by_role("button", name="Generate AI Response")
    expect(button).to_be_enabled()
    expect(page.locator(".paused-reason")).to_have_count(0)

    page.locator("#fan-message").fill("so " * 1333)
    with page.expect_response(lambda r: r.url.endswith("/reply/stream")) as streamed:
        button.click()
    assert streamed.value.status == 402
    alert = page.locator("#page-error [role=alert]")
    expect(alert).to_contain_text("Not enough quota left for this request")
    expect(alert).to_contain_text(re.compile(r"This request can cost up to \$0\.\d{4}, and only"))
    expect(alert).not_to_contain_text("Monthly quota exceeded")
    expect(button).to_be_enabled()  # a shorter message may still fit
    page.screenshot(path=str(tmp_path / "messages-too-big.png"), full_page=True)
