"""Issue 14's fan memory in a browser: a chatter finds a fan by name on /messages (a phone), drafts
a reply that notes what the fan said, edits and approves it there; the fan page then shows
the conversation and the automatic notes, a proposal is kept and a note written by hand. Both
widths are screenshotted for a person to look at, and axe-core checks every state."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from huntaze_ai.fans.repository import add_message
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import Sender
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, Creator, in_worker_thread, log_in
from tests.fans.helpers import add_fan

pytestmark = pytest.mark.slow

FACTS = "Long week 😮‍💨 I'm really into hiking and my birthday is March 3rd!"


def _fan(server: AppServer, creator: Creator) -> None:
    async def make() -> None:
        database = Database.from_url(server.database_url)
        try:
            await add_fan(database, creator.id, "of-hiker", "Jamie Hiker", spent_usd=640)
            await add_fan(database, creator.id, "of-quiet", "Robin Quiet")
        finally:
            await database.dispose()

    in_worker_thread(make)


def _fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def test_a_chatter_picks_a_fan_drafts_approves_and_the_fan_page_remembers(
    new_context: type[BrowserContext], app_server: AppServer, axe: AxeAudit, tmp_path: Path
) -> None:
    creator = app_server.create_creator()
    _fan(app_server, creator)
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    phone = new_context(viewport={"width": 390, "height": 844})  # type: ignore[call-arg]
    page = phone.new_page()
    log_in(page, app_server, creator)
    page.goto(app_server.at("/messages"))
    # Typed before the fan is found and picked (each a new page): the message is kept.
    page.locator("textarea[name=fan-message]").fill(FACTS)
    page.get_by_label("Find a fan by name or id").fill("jamie")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(".fan-picks li")).to_have_count(1)
    axe.check(page, "/messages with fans found")
    page.get_by_role("link", name="Pick Jamie Hiker").click()
    expect(page.locator("#chosen-fan")).to_have_text("Jamie Hiker")
    expect(page.locator("#platform")).to_have_value("onlyfans")
    expect(page.locator("textarea[name=fan-message]")).to_have_value(FACTS)
    page.get_by_role("button", name="Generate AI Response").click()
    expect(page.locator("#reply-status")).to_have_text("draft")
    expect(page.locator("#reply-meta")).to_contain_text(
        "Noted about the fan: Birthday is March 3rd (saved)"
    )
    _fits(page, 390)
    axe.check(page, "/messages with a fan and a reply")
    page.screenshot(path=str(shots / "messages-fan-390.png"), full_page=True)

    card = page.locator("#response-card")
    card.get_by_text("Edit before approving").click()
    card.get_by_label("Reply to send").fill("Happy early birthday 🎂 where do you hike?")
    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    expect(page.locator("#chosen-fan")).to_have_text("Jamie Hiker")  # back for the same fan
    page.goto(app_server.at("/fans/of-hiker"))
    expect(page.locator("h1")).to_have_text("Jamie Hiker")
    turns = page.locator(".conversation .turn-text")
    expect(turns).to_have_text([FACTS, "Happy early birthday 🎂 where do you hike?"])
    notes = page.locator("#notes .note-text")
    expect(notes).to_contain_text(["Enjoys hiking", "Birthday is March 3rd"])
    expect(page.locator("#notes")).to_contain_text("Noted by the assistant")
    messages_left = page.locator("#fan-today div").filter(has_text="Messages").locator("dd")
    expect(messages_left).to_have_text("2")
    _fits(page, 390)
    axe.check(page, "/fans/{id} on a phone")
    page.screenshot(path=str(shots / "fan-page-390.png"), full_page=True)

    desktop = new_context(viewport={"width": 1280, "height": 900})  # type: ignore[call-arg]
    wide = desktop.new_page()
    log_in(wide, app_server, creator)
    wide.goto(app_server.at("/fans/of-hiker"))
    wide.get_by_role("button", name="Keep the note Was feeling down (long week)").click()
    expect(wide.get_by_role("status")).to_contain_text("Proposal kept as a note")
    wide.get_by_label("Category", exact=True).last.select_option("important")
    wide.locator("#note-text").fill("Never plan anything on Sundays")
    wide.get_by_role("button", name="Add note").click()
    expect(wide.get_by_role("status")).to_contain_text("Note added")
    expect(wide.locator("#notes .note-text").first).to_have_text("Never plan anything on Sundays")
    expect(wide.locator("#proposals")).to_contain_text("Nothing waiting")
    _fits(wide, 1280)
    axe.check(wide, "/fans/{id} after keeping a proposal and adding a note")
    wide.screenshot(path=str(shots / "fan-page-1280.png"), full_page=True)
    wide.goto(app_server.at("/messages?fan=onlyfans:of-hiker"))
    expect(wide.locator("#fan-memory")).to_contain_text("Never plan anything on Sundays")
    axe.check(wide, "/messages with a fan picked, wide")
    wide.screenshot(path=str(shots / "messages-fan-1280.png"), full_page=True)


LONG_ID = "of-" + "7f3a9c2e" * 6  # a fan with no name is titled by an id with nowhere to break


def _title_lines(page: Page) -> int:
    """How many lines the page's h1 takes (one rect per line box of its text)."""
    return int(
        page.evaluate(
            """() => {
                const range = document.createRange();
                range.selectNodeContents(document.querySelector("h1"));
                return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
            }"""
        )
    )


def test_a_fans_name_keeps_its_line_on_a_phone_and_a_long_id_stays_on_the_page(
    new_context: type[BrowserContext], app_server: AppServer, tmp_path: Path
) -> None:
    creator = app_server.create_creator()

    async def make() -> None:
        database = Database.from_url(app_server.database_url)
        try:
            await add_fan(database, creator.id, "of-kai", "Kai C.")
            await add_fan(database, creator.id, LONG_ID)
        finally:
            await database.dispose()

    in_worker_thread(make)
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport={"width": 390, "height": 844}).new_page()  # type: ignore[call-arg]
    log_in(page, app_server, creator)

    page.goto(app_server.at("/fans/of-kai"))
    expect(page.locator("h1")).to_have_text("Kai C.")
    # Squeezed beside the buttons, "Kai C." took two lines; the buttons move down instead.
    assert _title_lines(page) == 1
    page.screenshot(path=str(shots / "fan-title-390.png"))

    page.goto(app_server.at(f"/fans/{LONG_ID}"))
    expect(page.locator("h1")).to_have_text(LONG_ID)
    box = page.locator("h1").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    _fits(page, 390)
    page.screenshot(path=str(shots / "fan-long-id-390.png"))


@pytest.mark.parametrize("scripts", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_conversation_beside_the_form_opens_at_its_newest_message(
    new_context: type[BrowserContext], app_server: AppServer, width: int, scripts: bool
) -> None:
    creator = app_server.create_creator()

    async def make() -> None:
        database = Database.from_url(app_server.database_url)
        try:
            await add_fan(database, creator.id, "of-chatty", "Chatty Fan")
            async with database.sessionmaker() as session, session.begin():
                for n in range(1, 13):
                    await add_message(
                        session,
                        creator_id=creator.id,
                        platform="onlyfans",
                        fan_id="of-chatty",
                        sender=Sender.FAN if n % 2 else Sender.CREATOR,
                        text=f"Message {n}: a few words to fill the bubble up a little",
                        draft_id=None,
                        member_id=None,
                        now=utcnow() - timedelta(minutes=20 - n),
                    )
        finally:
            await database.dispose()

    in_worker_thread(make)
    context = new_context(  # type: ignore[call-arg]
        viewport={"width": width, "height": 900}, java_script_enabled=scripts
    )
    page = context.new_page()
    log_in(page, app_server, creator)
    page.goto(app_server.at("/messages?fan=onlyfans:of-chatty"))

    turns = page.locator("#fan-memory .conversation .turn-text")
    expect(turns.first).to_have_text(re.compile("^Message 1:"))  # still oldest first
    expect(turns.last).to_have_text(re.compile("^Message 12:"))
    # In view inside the box that scrolls (whichever element that is): the newest message; the
    # oldest is scrolled away above it.
    in_view = """(turn) => {
        let box = turn.parentElement;
        while (getComputedStyle(box).overflowY !== "auto") box = box.parentElement;
        const b = box.getBoundingClientRect(), r = turn.getBoundingClientRect();
        return box.scrollHeight > box.clientHeight && r.top >= b.top && r.bottom <= b.bottom;
    }"""
    assert turns.last.evaluate(in_view)
    assert not turns.first.evaluate(in_view)
