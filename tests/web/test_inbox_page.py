"""/inbox as a chatter uses it: a reply from /messages waits there, is approved edited (the guard
re-checks it), rejected or escalated, and the queue is answered or dismissed."""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.engine import URL

from huntaze_ai.drafts.service import NewDraft, record
from huntaze_ai.kit.db import Database
from huntaze_ai.models import Draft
from tests.agencies.helpers import new_team
from tests.apphelpers import csrf_of, visible_text
from tests.fans.helpers import add_fan
from tests.web.conftest import Browser
from tests.web.test_team_pages import logged_in


async def _reply(browser: Browser, message: str) -> int:
    html = (await browser.get("/messages")).text
    sent = await browser.client.post(
        "/messages", data={"csrf_token": csrf_of(html), "fan-message": message}
    )
    assert sent.status_code == 200, sent.text
    found = re.search(r'href="/inbox#draft-(\d+)"', sent.text)
    assert found, "the reply links to its draft in the inbox"
    return int(found[1])


async def test_a_draft_from_messages_is_approved_edited_from_the_inbox(browser: Browser) -> None:
    draft = await _reply(browser, "Hey! Love your content")
    inbox = (await browser.get("/inbox")).text
    blocked = await browser.submit(
        "/inbox", f"/inbox/{draft}/approve", text="add me on snapchat babe"
    )
    approved = await browser.submit("/inbox", f"/inbox/{draft}/approve", text="Merci babe 💕")
    after = await browser.get(approved.headers["location"])
    api = await browser.client.get(f"/api/drafts/{draft}")

    assert f'id="draft-{draft}"' in inbox
    assert "Drafts to review (1)" in inbox
    assert blocked.status_code == 422
    assert "does not let this text be sent" in blocked.text
    assert approved.status_code == 303
    assert "Approved" in after.text
    assert "Drafts to review (0)" in after.text
    assert api.json()["final_text"] == "Merci babe 💕"
    assert api.json()["edited"] is True


async def test_an_edit_or_reason_of_invisible_characters_only_is_blank_on_the_inbox_page(
    browser: Browser,
) -> None:
    draft = await _reply(browser, "Hey! Love your content")
    hidden = await browser.submit("/inbox", f"/inbox/{draft}/approve", text="\u202e\u200b")
    pending = (await browser.client.get(f"/api/drafts/{draft}")).json()
    handed = await browser.submit("/inbox", f"/inbox/{draft}/escalate", reason="\u200b")
    queued = (await browser.client.get(f"/api/drafts/{draft}")).json()

    assert hidden.status_code == 422
    assert "Write the reply to send" in hidden.text
    assert pending["status"] == "pending"
    assert handed.status_code == 303  # as with an empty reason: the page says who handed it
    assert queued["escalation_reason"].startswith("handed over by ")


async def test_escalations_are_queued_and_answered_or_dismissed(browser: Browser) -> None:
    refund = await _reply(browser, "I want a refund now")
    other = await _reply(browser, "Hey! Love your content")
    handed = await browser.submit("/inbox", f"/inbox/{other}/escalate", reason="custom request")
    queue = (await browser.get("/inbox")).text
    answered = await browser.submit(
        "/inbox", f"/inbox/{refund}/resolve", text="I'll look into it with support, promise"
    )
    dismissed = await browser.submit("/inbox", f"/inbox/{other}/resolve", dismiss="true")
    empty = (await browser.get("/inbox")).text

    assert handed.status_code == 303
    assert "Escalations (2)" in queue
    assert "custom request" in queue
    assert queue.index(f'id="draft-{refund}"') < queue.index(f'id="draft-{other}"')  # oldest first
    assert answered.status_code == 303
    assert dismissed.status_code == 303
    assert "Escalations (0)" in empty


async def test_a_chatter_cannot_decide_a_draft_of_a_creator_they_do_not_work_for(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as ana:
        draft = await _reply(ana, "Hey! Love your content")
    async with logged_in(database_url, team.chatter_b) as ben:
        inbox = (await ben.get("/inbox")).text
        taken = await ben.submit("/inbox", f"/inbox/{draft}/approve", text="hi")
    async with logged_in(database_url, team.chatter_a) as ana:
        still = (await ana.get("/inbox")).text
    assert f'id="draft-{draft}"' not in inbox
    assert taken.status_code == 404
    assert f'id="draft-{draft}"' in still


async def test_a_chatter_sees_the_queue_but_a_manager_answers_it(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as ana:
        refund = await _reply(ana, "I want a refund now")
        queue = (await ana.get("/inbox")).text
        answered = await ana.submit("/inbox", f"/inbox/{refund}/resolve", text="Refunded, babe")
        handed = await ana.submit("/inbox", f"/inbox/{refund}/hand-back")
    async with logged_in(database_url, team.manager) as max_:
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        managed = (await max_.get("/inbox")).text

    assert "Escalations (1)" in queue
    assert f'action="/inbox/{refund}/resolve"' not in queue
    assert "The creator or a manager answers escalations" in queue
    assert answered.status_code == handed.status_code == 404
    assert "owners and managers answer or hand back escalations" in answered.text
    assert "Escalations (1)" in managed  # still waiting, for the manager to answer
    assert f'action="/inbox/{refund}/resolve"' in managed


async def test_a_handed_back_escalation_says_who_handed_it_back_and_why_it_was_escalated(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as ana:
        refund = await _reply(ana, "I want a refund now")  # escalated by the guard
        custom = await _reply(ana, "Hey! Love your content")
        await ana.submit("/inbox", f"/inbox/{custom}/escalate", reason="asks for a custom video")
    async with logged_in(database_url, team.manager) as max_:
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        for draft in (refund, custom):
            await max_.submit("/inbox", f"/inbox/{draft}/hand-back")
    async with logged_in(database_url, team.chatter_a) as ana:
        inbox = (await ana.get("/inbox")).text

    def card(draft: int) -> str:
        html = inbox.split(f'id="draft-{draft}"', 1)[1].split("</article>", 1)[0]
        return " ".join(visible_text(html).split())

    assert "handed back by Max Manager" in card(refund)
    assert "Escalated when drafted: Refunds, chargebacks and bank disputes" in card(refund)
    # No model text for an escalated fan message: the empty box says to write the reply.
    assert 'placeholder="No draft was written for this message' in inbox
    assert "handed back by Max Manager" in card(custom)
    assert "Escalated by you: asks for a custom video" in card(custom)


async def test_the_dashboard_counts_drafts_to_review_and_escalations_waiting(
    browser: Browser,
) -> None:
    await _reply(browser, "Hey! Love your content")
    await _reply(browser, "I want a refund now")
    html = (await browser.get("/dashboard")).text
    assert '<strong class="drafts-waiting">1</strong> draft to review' in html
    assert '<strong class="escalations-waiting">1</strong> escalation waiting' in html


async def test_a_multi_line_draft_approved_from_the_page_as_is_counts_as_unedited(
    browser: Browser, database: Database
) -> None:
    drafted = "Hey you 💕\nI'm glad you liked it!\nWhat should I post next?"
    new = NewDraft(
        creator_id=browser.user.id,
        member_id=browser.user.id,
        fan_id="fan-lines",
        platform="onlyfans",
        fan_message="loved it",
        text=drafted,
        guard_verdict="ok",
        reasons=[],
        upsell=None,
        request_id=None,
    )
    draft = await record(database.sessionmaker, new)
    # What a browser sends for a textarea: CRLF line ends, and here a NUL pasted in.
    with_nul = await browser.submit("/inbox", f"/inbox/{draft}/approve", text="Hey\x00 you")
    still = await browser.client.get(f"/api/drafts/{draft}")
    approved = await browser.submit(
        "/inbox", f"/inbox/{draft}/approve", text=drafted.replace("\n", "\r\n")
    )
    api = await browser.client.get(f"/api/drafts/{draft}")

    assert with_nul.status_code == 422
    assert "must not contain NUL" in with_nul.text
    assert still.json()["status"] == "pending"
    assert approved.status_code == 303
    assert (api.json()["edited"], api.json()["chars_changed"]) == (False, 0)
    assert api.json()["final_text"] == drafted


async def test_a_refused_edit_stays_in_its_card_as_typed(browser: Browser) -> None:
    first = await _reply(browser, "Hey! Love your content")
    second = await _reply(browser, "You looked amazing")
    refused = await browser.submit(
        "/inbox", f"/inbox/{second}/approve", text="Sure, add me on snapchat babe 💕"
    )
    decided = await browser.submit("/inbox", f"/inbox/{first}/approve", text="Thanks!")
    again = await browser.submit("/inbox", f"/inbox/{first}/approve", text="Thanks again!")

    assert refused.status_code == 422
    card = refused.text.split(f'id="draft-{second}"', 1)[1].split("</article>", 1)[0]
    assert 'role="alert"' in card
    assert "Sure, add me on snapchat babe 💕</textarea>" in card
    assert refused.text.count('role="alert"') == 1
    assert decided.status_code == 303
    # A draft decided meanwhile has no card left: its refusal shows at the top.
    assert again.status_code == 409
    assert 'role="alert"' in again.text.split('id="pending-title"', 1)[0]


async def test_a_refused_approval_links_to_its_card_whose_alert_takes_the_focus(
    browser: Browser,
) -> None:
    refused_draft = await _reply(browser, "Hey! Love your content")
    await _reply(browser, "You looked amazing")  # listed above it
    refused = await browser.submit(
        "/inbox", f"/inbox/{refused_draft}/approve", text="add me on telegram @drewfan"
    )

    assert refused.status_code == 422
    top, card = refused.text.split(f'id="draft-{refused_draft}"', 1)
    # Without a script: a link at the top to the card, and the card's alert autofocused.
    assert '<a href="#refused">Your approval was refused: see why on the draft below</a>' in top
    holder = re.search(r"<div id=\"refused\"[^>]*>", card.split("</article>", 1)[0])
    assert holder, "the refusal in its card is the link's target"
    assert "autofocus" in holder[0]
    assert 'tabindex="-1"' in holder[0]
    assert "data-refused" in holder[0]  # app.js focuses it where autofocus is not honoured


async def test_a_draft_escalated_without_a_reason_says_who_handed_it_over(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.manager) as max_:
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        draft = await _reply(max_, "Hey! Love your content")
        await max_.submit("/inbox", f"/inbox/{draft}/escalate", reason="  ")
        queue = (await max_.get("/inbox")).text
    assert "handed over by a manager" in queue


async def test_approving_a_draft_of_an_answered_message_from_the_page_takes_it_off_the_page(
    browser: Browser, database: Database
) -> None:
    new = NewDraft(
        creator_id=browser.user.id,
        member_id=browser.user.id,
        fan_id="fan-twice",
        platform="onlyfans",
        fan_message="Hey! Love your content",
        text="Thank you babe 💕",
        guard_verdict="ok",
        reasons=[],
        upsell=None,
        request_id=None,
    )
    sent, stuck = [await record(database.sessionmaker, new) for _ in "ab"]
    approved = await browser.submit("/inbox", f"/inbox/{sent}/approve")
    # Left pending, as when the approval that closes the others skipped its locked row.
    async with database.sessionmaker() as session, session.begin():
        await session.execute(update(Draft).where(Draft.id == stuck).values(status="pending"))
    refused = await browser.submit("/inbox", f"/inbox/{stuck}/approve")
    api = (await browser.client.get(f"/api/drafts/{stuck}")).json()

    assert approved.status_code == 303
    assert refused.status_code == 409
    assert "already answered with another draft" in refused.text
    assert f'id="draft-{stuck}"' not in refused.text
    assert api["status"] == "superseded"


async def _reply_to_fan(browser: Browser, fan: str, message: str) -> tuple[int, str]:
    """A reply drafted on /messages for a picked fan, without JavaScript: its draft and page."""
    platform, fan_id = fan.split(":", 1)
    html = (await browser.get(f"/messages?fan={fan}")).text
    sent = await browser.client.post(
        "/messages",
        data={
            "csrf_token": csrf_of(html),
            "fan-message": message,
            "platform": platform,
            "fan_id": fan_id,
        },
    )
    assert sent.status_code == 200, sent.text
    found = re.search(r'action="/inbox/(\d+)/approve"', sent.text)
    assert found, "the reply's card has the inbox's Approve form"
    return int(found[1]), sent.text


async def test_a_draft_is_approved_edited_on_messages_which_comes_back_for_its_fan(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-42", "Jamie Hiker")
    draft, page = await _reply_to_fan(browser, "onlyfans:of-42", "Hey! Love your content")
    approved = await browser.submit(
        "/messages", f"/inbox/{draft}/approve", text="Merci babe 💕", back="messages"
    )
    after = await browser.get(approved.headers["location"])
    api = (await browser.client.get(f"/api/drafts/{draft}")).json()

    card = page.split('id="response-card"', 1)[1].split("</section>", 1)[0]
    assert 'id="copy-reply"' not in card  # no way to the fan around the approval
    assert '<input type="hidden" name="back" value="messages">' in card
    assert f'action="/inbox/{draft}/reject"' in card
    assert approved.status_code == 303
    assert approved.headers["location"] == "/messages?fan=onlyfans%3Aof-42&notice=approved"
    assert "Approved: the reply is recorded as sent by you." in after.text
    assert "Replying to Jamie Hiker" in visible_text(after.text)
    assert (api["status"], api["final_text"], api["edited"]) == ("approved", "Merci babe 💕", True)
    memory = after.text[after.text.index('id="fan-memory"') : after.text.index('id="reply-form"')]
    assert "Merci babe 💕" in memory  # the conversation has it, as sent by the chatter


async def test_a_refused_approval_on_messages_shows_there_in_the_drafts_card_as_typed(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-42", "Jamie Hiker")
    draft, _ = await _reply_to_fan(browser, "onlyfans:of-42", "Hey! Love your content")
    refused = await browser.submit(
        "/messages", f"/inbox/{draft}/approve", text="add me on telegram", back="messages"
    )
    still = (await browser.client.get(f"/api/drafts/{draft}")).json()

    assert refused.status_code == 422
    assert 'id="reply-form"' in refused.text  # /messages, not the inbox
    assert "Replying to Jamie Hiker" in visible_text(refused.text)
    card = refused.text.split('id="response-card"', 1)[1].split("</section>", 1)[0]
    assert "does not let this text be sent" in card
    assert re.search(r'<div id="refused"[^>]*autofocus', card)
    assert ">add me on telegram</textarea>" in card
    assert f'action="/inbox/{draft}/approve"' in card
    assert refused.text.count('role="alert"') == 1
    assert still["status"] == "pending"


async def test_a_draft_rejected_on_messages_comes_back_there(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-42", "Jamie Hiker")
    draft, _ = await _reply_to_fan(browser, "onlyfans:of-42", "Hey! Love your content")
    rejected = await browser.submit("/messages", f"/inbox/{draft}/reject", back="messages")
    after = await browser.get(rejected.headers["location"])
    api = (await browser.client.get(f"/api/drafts/{draft}")).json()

    assert rejected.headers["location"] == "/messages?fan=onlyfans%3Aof-42&notice=rejected"
    assert "Draft rejected: it will not be sent." in after.text
    assert api["status"] == "rejected"


async def test_a_ppv_offer_drafted_on_messages_is_sent_from_there_when_ticked(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-42", "Jamie Hiker")
    # The emulator answers a question about price with a PPV offer.
    draft, page = await _reply_to_fan(browser, "onlyfans:of-42", "How much for the new set?")
    approved = await browser.submit(
        "/messages", f"/inbox/{draft}/approve", send_offer="true", back="messages"
    )
    api = (await browser.client.get(f"/api/drafts/{draft}")).json()

    offer = page.split('id="offer-line"', 1)[1].split("</label>", 1)[0]
    assert not offer.startswith(" hidden")
    assert f"Send the PPV offer too: {api['upsell']['description']} (" in visible_text(offer)
    assert approved.status_code == 303
    assert (api["status"], api["offer_sent"]) == ("approved", True)


async def test_a_card_names_the_platform_says_the_guards_reasons_as_sentences_and_prices_tidily(
    browser: Browser, database: Database
) -> None:
    blocked = NewDraft(
        creator_id=browser.user.id,
        member_id=browser.user.id,
        fan_id="fan-drew",
        platform="onlyfans",
        fan_message="How much for the new set?",
        text="add me on telegram @drewfan",
        guard_verdict="block",
        reasons=[
            {"rule": "offplatform.apps", "verdict": "block", "why": "Naming an app is off."},
            {"rule": "contact.handle", "verdict": "block", "why": "", "detail": "'@drewfan'"},
        ],
        upsell={"kind": "ppv", "description": "New set", "price_usd": "14.99"},
        request_id=None,
    )
    draft = await record(database.sessionmaker, blocked)
    html = (await browser.get("/inbox")).text
    card = html.split(f'id="draft-{draft}"', 1)[1].split("</article>", 1)[0]
    text = " ".join(visible_text(card).split())

    assert "· OnlyFans ·" in text  # as the platform writes its name, not "onlyfans"
    assert (
        "Not sendable as written: Naming an app is off. '@drewfan'. Edit it or reject it." in text
    )
    # The label's words are one flex item: "(", the price and ")" are not spread a gap apart.
    label = re.search(r'<label class="check"><input [^>]*> <span>(.*?)</span></label>', card)
    assert label, "the label's words are in one span"
    assert re.fullmatch(
        r'Send the PPV offer too: New set \(<span class="money"[^>]*>\$14\.99</span>\)', label[1]
    )


def _draft_of(browser: Browser, fan_id: str, message: str, verdict: str = "ok") -> NewDraft:
    return NewDraft(
        creator_id=browser.user.id,
        member_id=browser.user.id,
        fan_id=fan_id,
        platform="onlyfans",
        fan_message=message,
        text="Thank you babe 💕" if verdict == "ok" else "",
        guard_verdict=verdict,
        reasons=[],
        upsell=None,
        request_id=None,
    )


def _card_text(html: str, draft: int) -> str:
    card = html.split(f'id="draft-{draft}"', 1)[1].split("</article>", 1)[0]
    return " ".join(visible_text(card).split())


async def test_drafts_of_one_fan_message_say_so_and_the_approval_says_how_many_it_closed(
    browser: Browser, database: Database
) -> None:
    """Regenerate leaves several drafts of one message: each card says so beforehand, the
    approval's notice says how many it closed, and other messages and fans are left alone."""
    same = _draft_of(browser, "fan-regen", "Hey! Love your content")
    first, second = [await record(database.sessionmaker, same) for _ in "ab"]
    queued = await record(
        database.sessionmaker, _draft_of(browser, "fan-regen", same.fan_message, "escalate")
    )
    other_message = await record(
        database.sessionmaker, _draft_of(browser, "fan-regen", "What are you up to tonight?")
    )
    other_fan = await record(
        database.sessionmaker, _draft_of(browser, "fan-someone-else", same.fan_message)
    )
    before = (await browser.get("/inbox")).text
    approved = await browser.submit("/inbox", f"/inbox/{second}/approve")
    after = await browser.get(approved.headers["location"])
    statuses = {
        d: (await browser.client.get(f"/api/drafts/{d}")).json()["status"]
        for d in (first, queued, other_message, other_fan)
    }

    assert "1 of 3 drafts of this fan message: approving one closes the other 2" in _card_text(
        before, first
    )
    assert "2 of 3 drafts of this fan message" in _card_text(before, second)
    assert "3 of 3 drafts of this fan message" in _card_text(before, queued)  # in the queue
    assert f'<a href="#draft-{second}">draft 2</a>' in before.split(f'id="draft-{first}"', 1)[1]
    for alone in (other_message, other_fan):
        assert "drafts of this fan message" not in _card_text(before, alone)
    assert approved.status_code == 303
    assert "closed=2" in approved.headers["location"]
    notice = " ".join(visible_text(after.text).split())
    assert (
        "Approved: the reply is recorded as sent by you. 2 other drafts of the same fan message"
        " were closed as superseded" in notice
    )
    assert statuses == {
        first: "superseded",
        queued: "superseded",
        other_message: "pending",
        other_fan: "pending",
    }
    assert "drafts of this fan message" not in after.text


async def test_an_approval_that_closed_nothing_says_only_that_it_was_approved(
    browser: Browser, database: Database
) -> None:
    draft = await record(database.sessionmaker, _draft_of(browser, "fan-once", "hi"))
    approved = await browser.submit("/inbox", f"/inbox/{draft}/approve")
    after = await browser.get(approved.headers["location"])
    forged = await browser.get("/inbox?notice=approved&closed=%C2%B2")  # "²": not a count
    rejected = await browser.get("/inbox?notice=rejected&closed=3")  # a rejection closes none

    assert "closed=" not in approved.headers["location"]
    assert "Approved: the reply is recorded as sent by you." in after.text
    assert "closed as superseded" not in after.text
    assert "closed as superseded" not in forged.text
    assert forged.status_code == 200
    assert "closed as superseded" not in rejected.text
