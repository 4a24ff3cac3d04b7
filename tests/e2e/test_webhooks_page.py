"""The webhook delivery log in chromium, on a phone (390 px) and a desktop: a failed event with
its attempts, a delivered one, and Retry putting the failed one back in line under its id."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from huntaze_ai.kit.db import Database
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, Creator, in_worker_thread, log_in

pytestmark = pytest.mark.slow


def _events_for(server: AppServer, creator: Creator) -> tuple[str, str]:
    from tests.webhooks.test_delivery_log import _failed_and_delivered

    async def make() -> tuple[str, str]:
        database = Database.from_url(server.database_url)
        try:
            return await _failed_and_delivered(database, creator.id)
        finally:
            await database.dispose()

    return in_worker_thread(make)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_the_delivery_log_shows_attempts_and_retries_a_failed_event(
    new_context: type[BrowserContext],
    app_server: AppServer,
    axe: AxeAudit,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    creator = app_server.create_creator()
    failed, delivered = _events_for(app_server, creator)
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, creator)
    if width < 600:
        page.get_by_role("button", name="Menu").click()  # the nav folds on a phone
    page.get_by_role("link", name="Webhooks").click()
    expect(page).to_have_url(app_server.at("/webhooks"))

    failed_card = page.locator(f'[data-event-id="{failed}"]')
    expect(failed_card).to_contain_text("failed")
    expect(failed_card).to_contain_text("Last error: HTTP 500")
    expect(page.locator(f'[data-event-id="{delivered}"]')).to_contain_text("delivered")
    failed_card.get_by_text("Attempts (2)").click()
    expect(failed_card.locator(".attempt-list li")).to_have_count(2)
    expect(failed_card.locator(".attempt-list li").first).to_contain_text("#1")
    page.screenshot(path=str(tmp_path / f"webhooks-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe.check(page, "a failed and a delivered event, attempts open")

    failed_card.get_by_role("button", name="Retry").click()
    expect(page.locator(".notice")).to_contain_text("Queued again")
    expect(page.locator(f'[data-event-id="{failed}"]')).to_have_attribute("data-status", "pending")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    page.screenshot(path=str(tmp_path / f"webhooks-{width}-retried.png"), full_page=True)
