"""The API tokens page in chromium, on a phone (390 px) and a desktop: the tokens are listed
without a horizontal scroll, and Revoke takes one away (the API refuses it at once)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.users import repository
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, Creator, in_worker_thread, log_in

pytestmark = pytest.mark.slow

NAMES = ["deploy pipeline (production)", "smoke test", "analytics export <nightly>"]


def _tokens_for(server: AppServer, creator: Creator) -> list[str]:
    async def make() -> list[str]:
        database = Database.from_url(server.database_url)
        try:
            async with database.sessionmaker() as session, session.begin():
                user = await repository.get_by_email(session, creator.email)
                assert user is not None
                return [await create_api_token(session, user, name) for name in NAMES]
        finally:
            await database.dispose()

    return in_worker_thread(make)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_tokens_are_listed_and_revoked_from_the_page(
    new_context: type[BrowserContext],
    app_server: AppServer,
    axe: AxeAudit,
    tmp_path: Path,
    width: int,
    height: int,
) -> None:
    creator = app_server.create_creator()
    tokens = _tokens_for(app_server, creator)
    context = new_context(viewport={"width": width, "height": height})  # type: ignore[call-arg]
    page = context.new_page()
    log_in(page, app_server, creator)

    page.locator(".account-menu summary").click()  # the login's own links: the Account menu
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(app_server.at("/tokens"))
    cards = page.locator(".token")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("analytics export <nightly>")  # newest first, as text
    expect(cards.first).to_contain_text(f"{tokens[2][:12]}…")
    page.screenshot(path=str(tmp_path / f"tokens-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe.check(page, "three tokens listed")

    page.get_by_role("button", name=f"Revoke smoke test ({tokens[1][:12]}…)").click()
    expect(page.locator(".notice")).to_contain_text("Token revoked.")
    expect(cards).to_have_count(2)
    expect(page.locator(".token-list")).not_to_contain_text("smoke test")
    page.screenshot(path=str(tmp_path / f"tokens-{width}-revoked.png"), full_page=True)

    refused = httpx.get(
        app_server.at("/api/ai/quota"), headers={"Authorization": f"Bearer {tokens[1]}"}
    )
    kept = httpx.get(
        app_server.at("/api/ai/quota"), headers={"Authorization": f"Bearer {tokens[0]}"}
    )
    assert refused.status_code == 401
    assert kept.status_code == 200
