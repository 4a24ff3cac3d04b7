"""/webhooks as a browser reads it (web/webhooks_page.py); delivery itself is tested in
tests/webhooks."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import URL

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.models import WebhookEvent
from huntaze_ai.web.formatting import when_text
from tests.apphelpers import login, running_app, settings_for, visible_text
from tests.metering.conftest import new_creator
from tests.web.conftest import Browser
from tests.webhooks.test_worker import write_events


async def test_a_pending_event_shows_no_attempt_time_while_delivery_is_off(
    browser: Browser, database: Database
) -> None:
    [event_id] = await write_events(database, browser.user.id)
    page = await browser.get("/webhooks")  # settings_for sets no WEBHOOK_URL

    card = re.search(rf'<article [^>]*data-event-id="{event_id}".*?</article>', page.text, re.S)
    assert card is not None, page.text
    text = " ".join(visible_text(card[0]).split())
    assert "Next attemptNone: delivery is off" in text  # <dt><dd> run together
    assert "UTC" not in text.partition("Next attempt")[2]  # no due time that would only pass


async def test_a_pending_event_past_its_due_time_reads_as_due_now_while_delivery_is_on(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(
        database_url, webhook_url="http://127.0.0.1:9/hooks", webhook_secret="shh"
    )
    async with running_app(settings) as (app, client):
        await app.state.webhooks.stop()  # so the event stays pending, as between two polls
        assert (await login(client, user.email)).status_code == 303
        [late, later] = await write_events(database, user.id, count=2)
        now = utcnow()
        async with database.sessionmaker() as session, session.begin():
            for event_id, due in (
                (late, now - timedelta(minutes=7)),
                (later, now + timedelta(hours=1)),
            ):
                await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id == event_id)
                    .values(next_attempt_at=due)
                )
        page = await client.get("/webhooks")

    def next_attempt(event_id: str) -> str:
        card = re.search(rf'<article [^>]*data-event-id="{event_id}".*?</article>', page.text, re.S)
        assert card is not None, page.text
        return " ".join(visible_text(card[0]).split()).partition("Next attempt")[2]

    assert next_attempt(late).startswith("Due now (since ")  # not a time that reads as past
    assert next_attempt(later) == when_text(now + timedelta(hours=1), seconds=True)
