"""/webhooks as a browser reads it (web/webhooks_page.py); delivery itself is tested in
tests/webhooks."""

from __future__ import annotations

import re

from huntaze_ai.kit.db import Database
from tests.apphelpers import visible_text
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
