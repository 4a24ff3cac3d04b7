"""The drafts' quality in a browser: a chatter's month for creator 1 (approved as drafted,
edited, rejected, escalated and answered by the manager) on the manager's dashboard and team
page, on a phone and a desktop; the authorship export downloads from the inbox."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from huntaze_ai.kit.db import Database
from tests.agencies.helpers import Team, bearer, new_team
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, Creator, in_worker_thread, log_in

pytestmark = pytest.mark.slow


def _month_of_drafts(server: AppServer) -> Team:
    async def make() -> Team:
        database = Database.from_url(server.database_url)
        try:
            team = await new_team(database)
            chatter = await bearer(database, team.chatter_a)
            manager = await bearer(database, team.manager, team.creator_1)
        finally:
            await database.dispose()
        async with httpx.AsyncClient(base_url=server.at(""), timeout=30) as client:
            ids = []
            for _ in range(4):
                reply = await client.post(
                    "/api/ai/messages/reply",
                    json={"fan_message": "Hey! Love your content"},
                    headers=chatter,
                )
                ids.append(reply.json()["draft_id"])
            await client.post(f"/api/drafts/{ids[0]}/approve", json={}, headers=chatter)
            await client.post(
                f"/api/drafts/{ids[1]}/approve", json={"text": "Thank you babe 💕"}, headers=chatter
            )
            await client.post(f"/api/drafts/{ids[2]}/reject", headers=chatter)
            await client.post(
                f"/api/drafts/{ids[3]}/escalate",
                json={"reason": "asks for a call"},
                headers=chatter,
            )
            await client.post(
                f"/api/escalations/{ids[3]}/resolve",
                json={"text": "I only chat here, babe 💕"},
                headers=manager,
            )
        return team

    return in_worker_thread(make)


def test_the_manager_reads_each_members_draft_quality_on_a_phone_and_a_desktop(
    new_context: type[BrowserContext], app_server: AppServer, axe: AxeAudit, tmp_path: Path
) -> None:
    team = _month_of_drafts(app_server)
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    manager = Creator(team.manager.id, team.manager.email)

    for width in (390, 1280):
        context = new_context(viewport={"width": width, "height": 900})  # type: ignore[call-arg]
        page = context.new_page()
        log_in(page, app_server, manager)  # acting for Cleo Creator, the first
        page.goto(app_server.at("/dashboard"))
        card = page.locator("section.quality")
        expect(card).to_contain_text("Approved3 of 4 (75%)")
        expect(card.locator(f'tr[data-quality-of="{team.chatter_a.id}"]')).to_contain_text(
            "Ana Chatter"
        )
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"quality-dashboard-{width}.png"), full_page=True)
        axe.check(page, f"the dashboard's draft quality at {width} px")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(app_server.at("/team"))
        row = page.locator(f'tr[data-quality-of="{team.chatter_a.id}"]')
        expect(row.locator("td").nth(3)).to_have_text("1")  # rejected
        expect(row.locator("td").nth(4)).to_have_text("1")  # escalated
        page.screenshot(path=str(shots / f"quality-team-{width}.png"), full_page=True)
        axe.check(page, f"the team page's draft quality at {width} px")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(app_server.at("/inbox"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download who wrote each message this month (CSV)").click()
    saved = download.value
    assert saved.suggested_filename.startswith(f"huntaze-ai-authorship-{team.creator_1.id}-")
    lines = Path(saved.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5  # the header and four drafts
    assert team.manager.email in lines[4]  # the escalation the manager answered
