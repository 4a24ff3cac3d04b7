"""Issue 14's whole flow in a browser, on an app that delivers webhooks to a test receiver: a
chatter (phone) picks a fan, drafts, edits and approves on /messages; the fan's refund request
lands in the escalation queue and a manager (desktop) answers it; the fan page shows the
conversation and the assistant's automatic note; the receiver got each event once, signed with
the secret."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from huntaze_ai.drafts.service import NewDraft, record
from huntaze_ai.kit.db import Database
from huntaze_ai.webhooks.signing import verify
from tests.agencies.helpers import Team, new_team
from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import (
    AppServer,
    BrowserErrors,
    Creator,
    ServerPool,
    in_worker_thread,
    log_in,
)
from tests.fans.helpers import add_fan
from tests.webhooks.helpers import Receiver, receiver

pytestmark = pytest.mark.slow

SECRET = "e2e-webhook-secret-🔑"
FACTS = "Hey you 😊 I'm really into hiking and my birthday is March 3rd!"
REFUND = "I want a refund for the last video you sent, it was not what you promised"
EDITED = "Happy early birthday 🎂 which trail is your favourite?"
ANSWER = "I'm so sorry it wasn't what you hoped, love. I'll make it right for you 💕"


@pytest.fixture(scope="module")
def hooked(servers: ServerPool) -> Iterator[tuple[AppServer, Receiver]]:
    """An app instance of its own whose worker posts to a receiver this test reads."""
    with receiver() as rec:
        env = {"WEBHOOK_URL": rec.url, "WEBHOOK_SECRET": SECRET}
        server = AppServer.start("hooked", servers.workdir, servers.template_db, env)
        try:
            server.wait_until_serving()
            yield server, rec
        finally:
            server.stop()


def _team_with_a_fan(server: AppServer) -> Team:
    async def make() -> Team:
        database = Database.from_url(server.database_url)
        try:
            team = await new_team(database)
            await add_fan(database, team.creator_1.id, "of-hiker", "Jamie Hiker", spent_usd=640)
            return team
        finally:
            await database.dispose()

    return in_worker_thread(make)


def _events(rec: Receiver, count: int, timeout_s: float = 20) -> list[dict[str, object]]:
    deadline = time.monotonic() + timeout_s
    while len(rec.got) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(rec.got) >= count, f"the receiver got {len(rec.got)} of {count} events"
    for got in rec.got:
        assert verify(SECRET, got.body, got.headers["x-huntaze-signature"]), "bad signature"
    return [json.loads(got.body) for got in rec.got]


def _fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def test_a_chatter_drafts_and_approves_a_manager_answers_the_refund_and_the_platform_hears_both(
    new_context: type[BrowserContext],
    hooked: tuple[AppServer, Receiver],
    axe: AxeAudit,
    tmp_path: Path,
) -> None:
    server, rec = hooked
    team = _team_with_a_fan(server)
    shots = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    # The chatter, on a phone: pick the fan, draft, edit, approve.
    phone = new_context(viewport={"width": 390, "height": 844})  # type: ignore[call-arg]
    chatter = phone.new_page()
    log_in(chatter, server, Creator(team.chatter_a.id, team.chatter_a.email))
    chatter.goto(server.at("/messages"))
    chatter.get_by_label("Find a fan by name or id").fill("jamie")
    chatter.get_by_role("button", name="Find").click()
    chatter.get_by_role("link", name="Pick Jamie Hiker").click()
    expect(chatter.locator("#chosen-fan")).to_have_text("Jamie Hiker")
    chatter.locator("textarea[name=fan-message]").fill(FACTS)
    chatter.get_by_role("button", name="Generate AI Response").click()
    expect(chatter.locator("#reply-status")).to_have_text("draft")
    card = chatter.locator("#response-card")
    card.get_by_text("Edit before approving").click()
    card.get_by_label("Reply to send").fill(EDITED)
    card.get_by_role("button", name="Approve").click()
    expect(chatter.get_by_role("status")).to_contain_text("Approved")

    # The fan asks for a refund: no draft to approve, a person must answer.
    chatter.goto(server.at("/messages?fan=onlyfans:of-hiker"))
    chatter.locator("textarea[name=fan-message]").fill(REFUND)
    chatter.get_by_role("button", name="Generate AI Response").click()
    expect(chatter.locator("#reply-status")).to_have_text("escalate")
    _fits(chatter, 390)
    chatter.screenshot(path=str(shots / "flow-chatter-refund-390.png"), full_page=True)

    # The manager, on a desktop, works the queue for that creator.
    desktop = new_context(viewport={"width": 1280, "height": 900})  # type: ignore[call-arg]
    manager = desktop.new_page()
    log_in(manager, server, Creator(team.manager.id, team.manager.email))
    manager.locator("#creator-switch").select_option(label="Cleo Creator")  # submits on change
    expect(manager.locator("#creator-switch option:checked")).to_have_text("Cleo Creator")
    manager.goto(server.at("/inbox"))
    expect(manager.locator("#queue-title")).to_have_text("Escalations (1)")
    item = manager.locator("article.escalation").first
    expect(item).to_contain_text("waiting")
    expect(item).to_contain_text("Jamie Hiker")
    axe.check(manager, "/inbox with an escalation, wide")
    manager.screenshot(path=str(shots / "flow-manager-queue-1280.png"), full_page=True)
    item.get_by_label("Your answer").fill(ANSWER)
    item.get_by_role("button", name="Send answer").click()
    expect(manager.get_by_role("status")).to_be_visible()
    expect(manager.locator("#queue-title")).to_have_text("Escalations (0)")

    # The fan page remembers: both exchanges in order, and what the assistant noted.
    manager.goto(server.at("/fans/of-hiker"))
    expect(manager.locator("h1")).to_have_text("Jamie Hiker")
    expect(manager.locator(".conversation .turn-text")).to_have_text(
        [FACTS, EDITED, REFUND, ANSWER]
    )
    expect(manager.locator("#notes .note-text")).to_contain_text(["Birthday is March 3rd"])
    expect(manager.locator("#notes")).to_contain_text("Noted by the assistant")
    _fits(manager, 1280)
    axe.check(manager, "/fans/{id} after the flow")
    manager.screenshot(path=str(shots / "flow-fan-page-1280.png"), full_page=True)

    # The platform heard each change once, signed: the approval, the escalation, the answer.
    events = _events(rec, 3)
    texts = [e["data"].get("text") for e in events]  # type: ignore[attr-defined]
    assert list(zip([e["type"] for e in events], texts, strict=True)) == [
        ("message.approved", EDITED),
        ("draft.escalated", None),  # the fan's message and the reasons, no text to send
        ("message.approved", ANSWER),
    ]
    assert len({e["id"] for e in events}) == 3
    escalated = events[1]["data"]
    assert escalated["fan_id"] == "of-hiker"  # type: ignore[index]
    time.sleep(1)  # nothing more arrives: no event twice
    assert len(rec.got) == 3


def _drafts(server: AppServer, creator: Creator, count: int) -> list[int]:
    async def make() -> list[int]:
        database = Database.from_url(server.database_url)
        try:
            return [
                await record(
                    database.sessionmaker,
                    NewDraft(
                        creator_id=creator.id,
                        member_id=creator.id,
                        fan_id=f"fan-{n}",
                        platform="onlyfans",
                        fan_message=f"Hey! Love your content #{n}",
                        text="Thank you babe 💕",
                        guard_verdict="ok",
                        reasons=[],
                        upsell=None,
                        request_id=None,
                    ),
                )
                for n in range(count)
            ]
        finally:
            await database.dispose()

    return in_worker_thread(make)


@pytest.mark.parametrize("scripts", [True, False], ids=["js", "no-js"])
def test_a_refused_approval_on_a_phone_brings_its_card_into_view_and_focus(
    new_context: type[BrowserContext],
    app_server: AppServer,
    browser_errors: BrowserErrors,
    scripts: bool,
) -> None:
    creator = app_server.create_creator()
    oldest = _drafts(app_server, creator, 4)[0]  # the last card of the page
    browser_errors.expect_http_status(422)
    phone = new_context(  # type: ignore[call-arg]
        viewport={"width": 390, "height": 844}, java_script_enabled=scripts
    )
    page = phone.new_page()
    log_in(page, app_server, creator)
    page.goto(app_server.at("/inbox"))
    card = page.locator(f"#draft-{oldest}")
    card.get_by_label("Reply to send").fill("Sure! add me on telegram @drewfan")
    card.get_by_role("button", name="Approve").click()

    refusal = card.get_by_role("alert")
    expect(refusal).to_contain_text("does not let this text be sent")
    expect(refusal).to_be_in_viewport()
    # Read out, not only shown: the focus is on it.
    assert refusal.evaluate("alert => document.activeElement.contains(alert)")
    expect(page.get_by_role("link", name="Your approval was refused")).to_have_attribute(
        "href", "#refused"
    )
