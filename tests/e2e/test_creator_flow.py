"""The pages in a real browser against a real server: the seed's flow end to end (DESIGN §2.5),
refusals as a creator sees them, and one creator's data never on another's pages; axe-core checks
each state they reach (tests/e2e/axe.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Response, expect

from tests.e2e.axe import AxeAudit
from tests.e2e.conftest import AppServer, BrowserErrors, fill_rate_window, log_in

pytestmark = pytest.mark.slow

# A model call through the server and the emulator; generous, the machine may be busy.
AI_TIMEOUT_MS = 30_000
FAN_MESSAGE = "Hey! Loved your last set, what are you posting next?"
STREAM_PATH = "/api/ai/messages/reply/stream"
_AMOUNT = re.compile(r"\$([\d,]+\.\d+)")


def dollars(locator: Locator) -> Decimal:
    found = _AMOUNT.search(locator.inner_text())
    assert found, f"no dollar amount in {locator.inner_text()!r}"
    return Decimal(found[1].replace(",", ""))


def ask_for_reply(page: Page, server: AppServer, message: str = FAN_MESSAGE) -> Response:
    """Fill the fan message on /messages and click Generate; the stream request's response."""
    page.goto(server.at("/messages"))
    page.locator("#fan-message").fill(message)
    with page.expect_response(lambda r: r.url == server.at(STREAM_PATH)) as streamed:
        page.get_by_role("button", name="Generate AI Response").click()
    return streamed.value


def sse_events(response: Response) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in response.text().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields.get("data", "{}"))))
    return events


def wait_for_reply(page: Page) -> str:
    expect(page.locator("#reply-status")).to_have_text(
        re.compile(r"^(draft|blocked|escalate)$"), timeout=AI_TIMEOUT_MS
    )
    expect(page.locator("#reply-status")).to_have_class(
        re.compile(r"\bbadge-(draft|blocked|escalate)\b")
    )
    answer = page.locator(".assistant-response")
    expect(answer).not_to_be_empty()
    return answer.inner_text()


def refresh_analysis(page: Page, server: AppServer) -> list[str]:
    """Click Refresh Analysis; the ids of the insights listed afterwards."""
    page.goto(server.at("/analytics"))
    expect(page.locator(".ai-analytics-dashboard")).to_be_visible()
    page.get_by_role("button", name="Refresh Analysis").click()
    expect(page.locator(".notice")).to_have_text("New insights generated.", timeout=AI_TIMEOUT_MS)
    insights = page.locator(".ai-analytics-dashboard .insight")
    expect(insights.first).to_be_visible()
    return insights.evaluate_all("nodes => nodes.map(n => n.dataset.insightId)")


def test_seed_flow_streams_a_reply_charges_it_then_writes_captions_and_insights(
    page: Page, app_server: AppServer, axe: AxeAudit
) -> None:
    creator = app_server.create_creator()
    log_in(page, app_server, creator)
    expect(page.locator(".ai-quota-indicator .quota-spent")).to_contain_text(
        "$0.00 spent of $10.00"
    )
    expect(page.locator(".emulated-banner")).to_be_visible()
    axe.check(page, "a new creator's dashboard")

    streamed = ask_for_reply(page, app_server)
    reply = wait_for_reply(page)
    # The JavaScript drew the answer from the event stream without leaving the page (the form's
    # own POST /messages is the fallback without JavaScript): the box shows the deltas' text.
    assert streamed.status == 200
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = sse_events(streamed)
    names = [name for name, _ in events]
    assert names[-1] == "done", names
    assert "delta" in names, names
    assert "".join(str(data["text"]) for name, data in events if name == "delta") == reply
    assert events[-1][1]["reply"] == reply
    assert page.url == app_server.at("/messages")
    expect(page.locator("#reply-meta")).to_contain_text("cost $")
    expect(page.locator("#reply-meta")).to_contain_text("on gemini-2.5-flash")
    expect(page.locator("#response-card").get_by_role("button", name="Approve")).to_be_visible()
    axe.check(page, "a streamed draft")

    page.goto(app_server.at("/dashboard"))
    spent = dollars(page.locator(".ai-quota-indicator .quota-spent"))
    assert spent > 0
    expect(page.get_by_label("Spend per feature")).to_contain_text("Messages")
    expect(page.get_by_label("Spend per model")).to_contain_text("gemini-2.5-flash")

    page.goto(app_server.at("/content/create"))
    page.locator("select[name=platform]").select_option("instagram")
    page.locator("[name=description]").fill("Beach sunset photoshoot in Bali")
    page.get_by_role("button", name="Generate Caption").click()
    caption = page.locator(".result-caption").first
    expect(caption).to_be_visible(timeout=AI_TIMEOUT_MS)
    expect(caption).not_to_be_empty()
    axe.check(page, "captions generated")

    assert len(refresh_analysis(page, app_server)) >= 1
    axe.check(page, "insights after a refresh")

    page.goto(app_server.at("/dashboard"))
    expect(page.locator(".quota-details")).to_contain_text("$")
    assert dollars(page.locator(".ai-quota-indicator .quota-spent")) > spent
    for feature in ("Messages", "Captions", "Analytics"):  # as the nav names them
        expect(page.get_by_label("Spend per feature")).to_contain_text(feature)
    expect(page.get_by_label("Spend per feature")).not_to_contain_text("messaging")
    # Analytics runs on pro, the other agents on flash: the month's spend splits by model.
    for model in ("gemini-2.5-flash", "gemini-2.5-pro"):
        expect(page.get_by_label("Spend per model")).to_contain_text(model)


def test_a_streamed_draft_is_approved_edited_on_messages_and_the_page_comes_back(
    page: Page, app_server: AppServer, axe: AxeAudit
) -> None:
    log_in(page, app_server, app_server.create_creator())
    streamed = ask_for_reply(page, app_server)
    wait_for_reply(page)
    draft_id = sse_events(streamed)[-1][1]["draft_id"]
    card = page.locator("#response-card")
    # The inbox's own decisions, for this draft, in place of a Copy that went around them.
    expect(card.locator("button.copy")).to_have_count(0)
    expect(card.locator("#approve-form")).to_have_attribute("action", f"/inbox/{draft_id}/approve")
    expect(card.locator("#reject-form")).to_have_attribute("action", f"/inbox/{draft_id}/reject")
    expect(card.get_by_role("button", name="Reject")).to_be_visible()
    axe.check(page, "a streamed draft with its decisions")
    card.get_by_text("Edit before approving").click()
    card.get_by_label("Reply to send").fill("Thank you love 💕 more very soon")
    card.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("status").first).to_have_text(
        "Approved: the reply is recorded as sent by you."
    )
    assert page.url == app_server.at("/messages?notice=approved")
    approved = page.request.get(app_server.at(f"/api/drafts/{draft_id}")).json()
    assert (approved["status"], approved["final_text"]) == (
        "approved",
        "Thank you love 💕 more very soon",
    )


def test_usage_page_lists_the_call_and_exports_it_as_csv(page: Page, app_server: AppServer) -> None:
    log_in(page, app_server, app_server.create_creator())
    ask_for_reply(page, app_server)
    wait_for_reply(page)

    page.goto(app_server.at("/usage"))
    expect(page.locator(".usage-row")).to_have_count(1)
    expect(page.locator(".usage-row")).to_contain_text("Messages")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Export CSV").click()
    download = downloading.value
    assert re.fullmatch(r"huntaze-ai-usage-\d{4}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["created_at", "feature", "model"]
    assert "cost_usd" in rows[0]
    assert [row[1] for row in rows[1:]] == ["messaging"]


def _next_month_start(now: datetime) -> datetime:
    if now.month == 12:
        return now.replace(year=now.year + 1, month=1, day=1)
    return now.replace(month=now.month + 1, day=1)


def test_exhausted_quota_shows_its_reset_date_and_blocks_generation(
    page: Page, app_server: AppServer, browser_errors: BrowserErrors, axe: AxeAudit
) -> None:
    log_in(page, app_server, app_server.create_creator(plan="pro"))  # pro: $0 on this server
    expect(page.locator(".ai-quota-indicator .quota-spent")).to_contain_text("$0.00 spent of $0.00")
    resets = _next_month_start(datetime.now(UTC))
    paused = re.compile(
        rf"You have used \$0\.00 of your \$0\.00 monthly AI quota\. AI generation is paused "
        rf"until the quota resets on {resets:%b} 1, {resets:%Y} 00:00 UTC\."
    )
    expect(page.locator("[data-paused=all]")).to_contain_text(paused)

    # The button cannot be clicked, and says why beside it (not only in a tooltip).
    page.goto(app_server.at("/messages"))
    button = page.get_by_role("button", name="Generate AI Response")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#paused-messaging")).to_be_visible()
    expect(page.locator("#paused-messaging")).to_contain_text(paused)
    expect(page.locator("#response-card")).to_be_hidden()
    expect(page.locator(".assistant-response")).to_be_empty()
    axe.check(page, "generation paused for quota")

    page.goto(app_server.at("/dashboard"))
    axe.check(page, "the dashboard of a spent quota")

    page.goto(app_server.at("/usage"))
    expect(page.locator(".usage-row")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^0 calls · "))).to_be_visible()
    expect(page.get_by_text("No AI calls in")).to_be_visible()


def test_full_rate_window_shows_when_to_retry_and_blocks_generation(
    page: Page, shared_limit_server: AppServer, browser_errors: BrowserErrors, axe: AxeAudit
) -> None:
    browser_errors.expect_http_status(429)
    creator = shared_limit_server.create_creator()
    fill_rate_window(creator)
    log_in(page, shared_limit_server, creator)
    expect(page.locator(".rate-details")).to_contain_text("0 of 50 AI requests left this hour")

    refused = ask_for_reply(page, shared_limit_server)
    assert refused.status == 429
    alert = page.locator("#page-error [role=alert]")
    expect(alert).to_contain_text("Rate limit exceeded")
    expect(alert).to_contain_text(re.compile(r"Try again in \d+ (seconds|minutes)"))
    expect(alert).to_contain_text("Your plan allows 50 AI requests an hour.")
    expect(page.locator("#response-card")).to_be_hidden()
    axe.check(page, "a reply refused for the rate limit")

    page.goto(shared_limit_server.at("/usage"))
    expect(page.locator(".usage-row")).to_have_count(0)


def test_another_creator_sees_nothing_of_my_spend_calls_or_insights(
    page: Page, new_context: Callable[..., BrowserContext], app_server: AppServer
) -> None:
    log_in(page, app_server, app_server.create_creator())
    ask_for_reply(page, app_server)
    my_reply = wait_for_reply(page)
    my_insights = refresh_analysis(page, app_server)

    other = new_context().new_page()  # a browser of its own: no cookie of mine
    log_in(other, app_server, app_server.create_creator())
    expect(other.locator(".ai-quota-indicator .quota-spent")).to_contain_text("$0.00 spent")
    expect(other.locator(".header-quota")).to_have_text("$0.00 / $10.00")
    expect(other.locator(".header-quota .money").last).to_have_attribute("title", "$10.000000")

    other.goto(app_server.at("/usage"))
    expect(other.locator(".usage-row")).to_have_count(0)

    other.goto(app_server.at("/analytics"))
    expect(other.locator(".ai-analytics-dashboard")).to_be_visible()
    for insight_id in my_insights:
        expect(other.locator(f'[data-insight-id="{insight_id}"]')).to_have_count(0)
    expect(other.locator(".insight")).to_have_count(0)

    other.goto(app_server.at("/messages"))
    expect(other.locator(".assistant-response")).to_be_empty()
    assert my_reply not in other.content()
