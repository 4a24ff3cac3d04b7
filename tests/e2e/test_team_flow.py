"""Issue 13's browser test: a manager and two chatters work for two creators. Chatter A sees only
creator 1 (on a phone); the manager switches between both and sees the per-chatter figures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from huntaze_ai.kit.db import Database
from tests.agencies.helpers import Team, new_team
from tests.e2e.conftest import AppServer, Creator, in_worker_thread, log_in

pytestmark = pytest.mark.slow


def _team(server: AppServer) -> Team:
    async def make() -> Team:
        database = Database.from_url(server.database_url)
        try:
            return await new_team(database)
        finally:
            await database.dispose()

    return in_worker_thread(make)


def test_chatter_a_sees_only_creator_1_and_the_manager_sees_both_and_the_figures(
    new_context: type[BrowserContext], app_server: AppServer, tmp_path: Path
) -> None:
    team = _team(app_server)
    # Screenshots for a person to look at: E2E_SCREENSHOTS keeps them somewhere known.
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    phone = new_context(viewport={"width": 390, "height": 844})  # type: ignore[call-arg]
    chatter = phone.new_page()
    log_in(chatter, app_server, Creator(team.chatter_a.id, team.chatter_a.email))
    expect(chatter.locator(".switcher")).to_contain_text("Acting for Cleo Creator")
    expect(chatter.locator("#creator-switch")).to_have_count(0)  # nothing to switch to
    chatter.goto(app_server.at("/messages"))
    chatter.locator("textarea[name=fan-message]").fill("Hey! Love your content")
    chatter.get_by_role("button", name="Generate AI Response").click()
    expect(chatter.locator("#reply-status")).to_have_text("draft")
    chatter.screenshot(path=str(shots / "team-chatter-messages-390.png"), full_page=True)
    chatter.goto(app_server.at("/inbox"))
    draft = chatter.locator("article.draft").first
    draft.get_by_label("Reply to send").fill("Thank you so much babe 💕")
    chatter.screenshot(path=str(shots / "inbox-chatter-390.png"), full_page=True)
    draft.get_by_role("button", name="Approve").click()
    expect(chatter.get_by_role("status")).to_contain_text("Approved")
    expect(chatter.locator("#pending-title")).to_have_text("Drafts to review (0)")
    for path in ("/dashboard", "/usage", "/team"):
        chatter.goto(app_server.at(path))
        expect(chatter.locator("body")).not_to_contain_text("Dana Creator")
        width = chatter.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px phone"

    desktop = new_context(viewport={"width": 1280, "height": 900})  # type: ignore[call-arg]
    manager = desktop.new_page()
    log_in(manager, app_server, Creator(team.manager.id, team.manager.email))
    switch = manager.locator("#creator-switch")
    expect(switch.locator("option")).to_have_text(["Cleo Creator", "Dana Creator"])
    switch.select_option(label="Dana Creator")  # submits on change
    expect(manager.locator("#creator-switch option:checked")).to_have_text("Dana Creator")
    manager.goto(app_server.at("/team"))
    ana = manager.locator(f'tr[data-member-id="{team.chatter_a.id}"]')
    expect(ana).to_contain_text("Ana Chatter")
    expect(ana.locator("td.num").first).to_have_text("1")  # one AI call this month
    expect(ana).to_contain_text("Cleo Creator: 1 call,")
    expect(manager.get_by_role("progressbar", name="Dana Creator: quota used")).to_be_visible()
    expect(manager.get_by_role("progressbar", name="Cleo Creator: quota used")).to_be_visible()
    manager.screenshot(path=str(shots / "team-manager-1280.png"), full_page=True)

    phone_manager = phone.browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[union-attr]
    small = phone_manager.new_page()
    log_in(small, app_server, Creator(team.manager.id, team.manager.email))
    small.goto(app_server.at("/team"))
    width = small.evaluate("document.documentElement.scrollWidth")
    small.screenshot(path=str(shots / "team-manager-390.png"), full_page=True)
    assert width <= 390, f"/team is {width} px wide on a 390 px phone"


def test_the_header_keeps_to_one_line_at_1280_with_the_switcher_and_an_account_menu(
    new_context: type[BrowserContext], app_server: AppServer
) -> None:
    team = _team(app_server)
    desktop = new_context(viewport={"width": 1280, "height": 900})  # type: ignore[call-arg]
    manager = desktop.new_page()
    log_in(manager, app_server, Creator(team.manager.id, team.manager.email))
    manager.goto(app_server.at("/inbox"))

    tops = manager.evaluate(
        """() => [...document.querySelectorAll(
             '.topbar .brand, #site-nav a, .who .header-quota, #creator-switch, .account-menu'
           )].map((e) => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })"""
    )
    assert max(tops) - min(tops) < 8, f"the header wraps at 1280 px: middles at {tops}"
    # Team, API tokens and Log out wait in the Account menu, which Escape folds again.
    account = manager.locator(".account-menu")
    expect(account.get_by_role("link", name="Team")).to_be_hidden()
    account.locator("summary").click()
    expect(account.get_by_role("link", name="Team")).to_be_visible()
    expect(account.get_by_role("link", name="API tokens")).to_be_visible()
    expect(account.get_by_role("button", name="Log out")).to_be_visible()
    manager.keyboard.press("Escape")
    expect(account.get_by_role("link", name="Team")).to_be_hidden()
    account.locator("summary").click()
    account.get_by_role("link", name="Team").click()
    expect(manager).to_have_url(app_server.at("/team"))


@pytest.mark.parametrize(("width", "least"), [(390, 44), (1280, 24)], ids=["phone", "desktop"])
def test_the_header_and_the_team_controls_are_big_enough_to_tap(
    new_context: type[BrowserContext], app_server: AppServer, width: int, least: int
) -> None:
    """WCAG 2.5.8: every control at least 24 × 24 px; on a phone the small ones that sit next to
    others (an assignment's ×, the Account menu) 44 px, the size a thumb needs."""
    team = _team(app_server)
    context = new_context(viewport={"width": width, "height": 900})  # type: ignore[call-arg]
    manager = context.new_page()
    log_in(manager, app_server, Creator(team.manager.id, team.manager.email))
    manager.goto(app_server.at("/team"))
    manager.locator(".account-menu summary").click()

    sizes = manager.evaluate(
        """() => [...document.querySelectorAll(
             '.topbar a, .topbar button, .topbar summary, .topbar select, .team-list button,'
             + '.team-list select'
           )].filter((e) => e.getClientRects().length).map((e) => {
             const r = e.getBoundingClientRect();
             return [e.getAttribute('aria-label') || e.textContent.trim(), r.width, r.height];
           })"""
    )
    assert sizes
    small = [s for s in sizes if s[1] < 24 or s[2] < 24]
    assert not small, f"controls under 24 x 24 px at {width} px: {small}"
    for selector in (".chips button", ".account-menu summary"):
        box = manager.locator(selector).first.bounding_box()
        assert box is not None
        assert box["height"] >= least, (selector, box)
        assert box["width"] >= least, (selector, box)


def test_a_team_table_wider_than_a_phone_shows_at_its_edge_that_it_scrolls(
    new_context: type[BrowserContext], app_server: AppServer
) -> None:
    team = _team(app_server)
    phone = new_context(viewport={"width": 390, "height": 844})  # type: ignore[call-arg]
    manager = phone.new_page()
    log_in(manager, app_server, Creator(team.manager.id, team.manager.email))
    manager.goto(app_server.at("/team"))

    tables = manager.evaluate(
        """() => [...document.querySelectorAll('.table-scroll')].map((box) => {
             const style = getComputedStyle(box);
             return {
               overflows: box.scrollWidth > box.clientWidth,
               shadows: (style.backgroundImage.match(/radial-gradient/g) || []).length,
               attachment: style.backgroundAttachment,
               table: getComputedStyle(box.querySelector('table')).backgroundColor,
             };
           })"""
    )
    assert tables
    for table in tables:
        assert table["overflows"]  # the figures do not fit 390 px: they scroll sideways
        # A shadow on each side that stays put while white covers ride with the content (hiding
        # the shadow at an end), seen through a transparent table.
        assert table["shadows"] == 2
        assert table["attachment"].split(", ")[:4] == ["local", "local", "scroll", "scroll"]
        assert table["table"] == "rgba(0, 0, 0, 0)"
