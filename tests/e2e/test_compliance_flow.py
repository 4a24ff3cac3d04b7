"""Draft safety in chromium, on a phone (390 px) and a desktop: a phrase added on the safety page
blocks the next draft, which then shows as not sendable with its reasons, no Approve and a
working Regenerate; an escalation looks different; the violation log counts them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, go_to, log_in
from tests.e2e.test_creator_flow import AI_TIMEOUT_MS, STREAM_PATH

pytestmark = pytest.mark.slow

# The emulator answers a compliment with a thank-you: every one of its templates says it.
COMPLIMENT = "You're gorgeous, I can't stop looking at your pics"
SIZES = [(390, 844), (1280, 800)]


def _generate(page: Page, server: AppServer, button: str = "Generate AI Response") -> None:
    with page.expect_response(lambda r: r.url == server.at(STREAM_PATH)):
        page.get_by_role("button", name=button).click()


def _status(page: Page, status: str) -> None:
    expect(page.locator("#reply-status")).to_have_text(status, timeout=AI_TIMEOUT_MS)


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["phone", "desktop"])
def test_a_blocked_draft_has_no_approve_and_offers_regenerate(
    new_context: type[BrowserContext],
    app_server: AppServer,
    axe: AxeAudit,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, app_server.create_creator())

    go_to(page, "Safety")
    expect(page).to_have_url(app_server.at("/compliance"))
    page.get_by_label("Phrase", exact=True).fill("Thank you")
    page.get_by_role("button", name="Add phrase").click()
    expect(page.locator(".notice")).to_contain_text("Phrase added")
    expect(page.locator(".word-row")).to_have_count(1)
    page.screenshot(path=str(tmp_path / f"safety-{width}.png"), full_page=True)
    _fits(page, width)
    axe.check(page, "a phrase added to the word list")

    go_to(page, "Messages")
    page.locator("#fan-message").fill(COMPLIMENT)
    _generate(page, app_server)
    _status(page, "blocked")
    card = page.locator("#response-card")
    expect(card).to_have_attribute("data-status", "blocked")
    expect(page.locator("#reply-verdict")).to_contain_text("Not sendable")
    expect(page.locator(".assistant-response")).to_be_empty()  # the streamed text is taken back
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.locator("#reply-reasons")).to_contain_text("On your own list of words not to send")
    regenerate = page.get_by_role("button", name="Regenerate")
    expect(regenerate).to_be_visible()
    page.screenshot(path=str(tmp_path / f"messages-blocked-{width}.png"), full_page=True)
    _fits(page, width)
    axe.check(page, "a blocked draft")

    # Regenerate asks again (the same message): still blocked while the phrase is listed.
    _generate(page, app_server, "Regenerate")
    _status(page, "blocked")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)

    # Without the phrase the same message gets a draft that can be approved.
    page.goto(app_server.at("/compliance"))
    page.get_by_role("button", name="Delete Thank you").click()
    expect(page.locator(".notice")).to_contain_text("Phrase removed")
    axe.check(page, "a phrase removed")
    page.goto(app_server.at("/messages"))
    page.locator("#fan-message").fill(COMPLIMENT)
    _generate(page, app_server)
    _status(page, "draft")
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    expect(page.get_by_role("button", name="Regenerate")).to_have_count(0)
    expect(page.locator(".assistant-response")).to_contain_text(re.compile("thank you", re.I))


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["phone", "desktop"])
def test_an_escalation_looks_different_and_the_log_counts_it(
    new_context: type[BrowserContext],
    app_server: AppServer,
    axe: AxeAudit,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, app_server.create_creator())
    page.goto(app_server.at("/messages"))
    page.locator("#fan-message").fill("I want a refund or I'm calling my lawyer")
    _generate(page, app_server)
    _status(page, "escalate")
    expect(page.locator("#response-card")).to_have_attribute("data-status", "escalate")
    expect(page.locator("#reply-verdict")).to_contain_text("A person must answer this fan")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Regenerate")).to_have_count(0)
    expect(page.locator("#reply-reasons li")).to_have_count(2)
    page.screenshot(path=str(tmp_path / f"messages-escalate-{width}.png"), full_page=True)
    _fits(page, width)
    axe.check(page, "an escalated draft")

    page.goto(app_server.at("/compliance/violations"))
    expect(page.locator(".violation-row")).to_have_count(2)
    expect(page.locator(".violation-counts")).to_contain_text("refunds.money_back")
    expect(page.locator(".violation-counts")).to_contain_text("legal.threats")
    page.screenshot(path=str(tmp_path / f"violations-{width}.png"), full_page=True)
    _fits(page, width)
