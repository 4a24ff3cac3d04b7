"""Near the limit the pages agree: the dashboard, the header and each feature page say that
generation is paused, and why, in the same sentence, and the Generate buttons are disabled with
that sentence beside them; when only one feature is paused, only its page is."""

from __future__ import annotations

import html
import re
import uuid

import httpx
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.metering.quota import QuotaLedger, UsageRecord
from tests.apphelpers import app_client, login, settings_for
from tests.metering.conftest import new_creator

PAGES = {
    "messaging": ("/messages", "Generate AI Response"),
    "content": ("/content/create", "Generate Caption"),
    "analytics": ("/analytics", "Refresh Analysis"),
}


async def _spend(database: Database, settings: object, user_id: int, micros: int) -> None:
    ledger = QuotaLedger(database.sessionmaker, settings)  # type: ignore[arg-type]
    reservation = await ledger.reserve(user_id, "starter", micros, uuid.uuid4().hex)
    record = UsageRecord("messaging", "gemini-2.5-flash", 10, 0, 10, micros, 5, "ok")
    await ledger.finish(reservation, record)


def _button(page: str, label: str) -> str:
    found = re.search(rf"<button [^>]*>{re.escape(label)}</button>", page)
    assert found, f"no {label!r} button"
    return found.group(0)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


async def _pages(client: httpx.AsyncClient) -> dict[str, str]:
    return {
        path: (await client.get(path)).text
        for path in ("/dashboard", *(p for p, _ in PAGES.values()))
    }


async def test_with_too_little_left_for_any_request_every_page_says_so_in_the_same_words(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url, quota_starter_usd="10")
    await _spend(database, settings, user.id, 9_999_500)  # $0.0005 left: less than any request
    async with app_client(settings) as client:
        await login(client, user.email)
        quota = (await client.get("/api/ai/quota")).json()
        pages = await _pages(client)

    reason = quota["paused_reason"]
    assert quota["paused"] is True
    assert reason.startswith("Only $0.0005 of your $10.00 monthly AI quota is left")
    dashboard = pages["/dashboard"]
    # The dashboard no longer reads "within your limit" with a green bar.
    assert 'class="card ai-quota-indicator level-red"' in dashboard
    assert "AI generation is paused." in _text(dashboard)
    assert reason in _text(dashboard)
    assert "within your" not in dashboard
    for page in pages.values():
        assert "· AI paused" in _text(page)  # the header pill, on every page
        assert html.escape(reason, quote=True) in page  # its title carries the sentence
    for feature, (path, label) in PAGES.items():
        state = next(f for f in quota["features"] if f["feature"] == feature)
        button = _button(pages[path], label)
        assert " disabled" in button
        assert 'aria-disabled="true"' in button
        assert f'aria-describedby="paused-{feature}"' in button
        # The reason is visible text next to the button, not only a tooltip.
        note = re.search(
            rf'<p class="paused-reason" id="paused-{feature}"[^>]*>(.*?)</p>', pages[path]
        )
        assert note is not None
        assert state["paused_reason"] in _text(note.group(1))
        assert "paused until the quota resets on" in state["paused_reason"]


async def test_when_only_analytics_is_paused_only_its_page_and_the_header_say_so(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url, quota_starter_usd="10")
    await _spend(database, settings, user.id, 9_990_000)  # $0.01: a reply fits, an analysis not
    async with app_client(settings) as client:
        await login(client, user.email)
        quota = (await client.get("/api/ai/quota")).json()
        pages = await _pages(client)

    states = {f["feature"]: f for f in quota["features"]}
    assert quota["paused"] is False
    assert [f for f, s in states.items() if not s["can_generate"]] == ["analytics"]
    assert usd_to_micros(states["analytics"]["worst_case_usd"]) > 10_000
    for page in pages.values():
        assert "· Analytics paused" in _text(page)
    assert states["analytics"]["paused_reason"] in _text(pages["/dashboard"])
    assert states["analytics"]["paused_reason"] in _text(pages["/analytics"])
    assert " disabled" in _button(pages["/analytics"], "Refresh Analysis")
    for feature in ("messaging", "content"):
        path, label = PAGES[feature]
        assert " disabled" not in _button(pages[path], label)
        assert "paused-reason" not in pages[path]


async def test_with_quota_to_spare_nothing_says_paused(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        await login(client, user.email)
        pages = await _pages(client)
    for page in pages.values():
        assert "paused" not in _text(page).lower()
    for path, label in PAGES.values():
        assert " disabled" not in _button(pages[path], label)
