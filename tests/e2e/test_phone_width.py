"""Every page fits a 390 px phone with a call on the books: no sideways scroll of the page (the
usage table scrolls within its own box); axe-core finds nothing serious on any of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, log_in

pytestmark = pytest.mark.slow

PAGES = [
    "/dashboard",
    "/messages",
    "/inbox",
    "/content/create",
    "/analytics",
    "/sales",
    "/usage",
    "/tokens",
    "/team",
    "/compliance",
    "/compliance/violations",
    "/webhooks",
]


def test_every_page_fits_a_phone_without_sideways_scrolling(
    new_context: type[BrowserContext], app_server: AppServer, axe: AxeAudit
) -> None:
    creator = app_server.create_creator()
    context = new_context(viewport={"width": 390, "height": 844})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, creator)
    page.goto(app_server.at("/messages"))
    page.locator("textarea[name=fan-message]").fill("Hey! Love your content")
    page.get_by_role("button", name="Generate AI Response").click()
    expect(page.locator("#reply-status")).to_have_text("draft")
    for path in PAGES:
        page.goto(app_server.at(path))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px phone"
        axe.check(page, f"{path} with a call on the books")
    page.goto(app_server.at("/usage"))
    table = page.locator(".table-scroll")
    assert table.evaluate("e => e.scrollWidth > e.clientWidth")  # the table scrolls in its box
