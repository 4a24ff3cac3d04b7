"""The fan page and the fan picker on /messages, as a chatter uses them: pick a fan by name, draft
with the fan's notes and conversation beside the form, see what the reply noted; on the fan page,
add, edit and delete notes, keep or dismiss a proposal, read the conversation and today's caps."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy.engine import URL

from huntaze_ai.drafts.service import next_utc_midnight, set_caps
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.web.formatting import when_text
from tests.agencies.helpers import new_team
from tests.apphelpers import csrf_of, visible_text
from tests.fans.helpers import add_fan
from tests.web.conftest import Browser
from tests.web.test_team_pages import logged_in


def _words(html: str) -> str:
    """A page's text as one line of words, each element's apart ("Messages 3", not "Messages3")."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


FACTS = "Rough week. I'm really into hiking and my birthday is March 3rd!"


async def _draft(browser: Browser, fan: str, message: str) -> str:
    html = (await browser.get(f"/messages?fan={fan}")).text
    sent = await browser.client.post(
        "/messages",
        data={
            "csrf_token": csrf_of(html),
            "fan-message": message,
            "fan_id": fan.split(":", 1)[1],
            "platform": fan.split(":", 1)[0],
        },
    )
    assert sent.status_code == 200, sent.text
    return sent.text


async def test_a_fan_picked_on_messages_gets_the_reply_and_their_memory_beside_the_form(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-42", "Jamie Hiker", spent_usd=120)
    await add_fan(database, browser.user.id, "of-43", "Robin Quiet")
    found = (await browser.get("/messages?q=jamie")).text
    picked = (await browser.get("/messages?fan=onlyfans:of-42")).text
    replied = await _draft(browser, "onlyfans:of-42", FACTS)
    missing = (await browser.get("/messages?fan=onlyfans:nobody")).text

    assert 'href="/messages?fan=onlyfans%3Aof-42"' in found
    assert "Robin Quiet" not in visible_text(found)
    assert 'name="fan_id" value="of-42"' in picked
    assert '<input type="hidden" id="platform" name="platform" value="onlyfans">' in picked
    assert "Replying to Jamie Hiker" in visible_text(picked)
    text = visible_text(replied)
    assert "Noted about the fan: Birthday is March 3rd (saved)" in text
    assert "Was feeling down (rough week) (to review)" in text
    memory = replied[replied.index('id="fan-memory"') : replied.index('id="reply-form"')]
    assert "Enjoys hiking" in memory
    assert FACTS in visible_text(memory)  # the conversation beside the form
    assert 'href="/fans/of-42?platform=onlyfans"' in memory
    assert "No such fan" in missing


async def test_a_fan_with_no_messages_left_today_is_said_before_drafting_and_after_it(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-42", "Jamie Hiker")
    await add_fan(database, browser.user.id, "of-43", "Robin Quiet")
    async with database.sessionmaker() as session, session.begin():
        await set_caps(session, browser.user.id, 0, 0)
    resets = next_utc_midnight(utcnow())  # the caps' day: UTC, as drafts/service.py counts it
    picked = (await browser.get("/messages?fan=onlyfans:of-42")).text
    replied = await _draft(browser, "onlyfans:of-42", "Hey! Love your content")

    form = picked[picked.index('id="reply-form"') : picked.index('id="fan-message"')]
    before = " ".join(visible_text(form).split())
    assert (
        "No messages left for this fan today: a reply drafted now can be approved from "
        f"{when_text(resets)}, when their daily allowance resets."
    ) in before
    # Not refused: a chatter may draft for tomorrow. But the verdict does not say "approve it".
    assert 'data-status="draft"' in replied
    verdict_html = replied.split('id="reply-verdict"', 1)[1].split("</p>", 1)[0]
    verdict = " ".join(visible_text(verdict_html).split())
    assert "Passes the rules, but this fan has no messages left today" in verdict
    assert f"can be approved in the Inbox from {when_text(resets)}" in verdict
    assert "approve it in the Inbox" not in verdict


async def test_notes_are_added_edited_deleted_and_proposals_kept_on_the_fan_page(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-7", "Sam")
    await _draft(browser, "onlyfans:of-7", FACTS)
    page = "/fans/of-7"
    added = await browser.submit(
        page, f"{page}/notes", category="important", text="Hates the word daddy"
    )
    empty = await browser.submit(page, f"{page}/notes", category="interests", text="   ")
    bad = await browser.submit(page, f"{page}/notes", category="hobbies", text="Jazz")
    html = (await browser.get(page)).text
    note_id = re.search(r'data-note-id="(\d+)"', html)
    assert note_id
    edited = await browser.submit(
        page, f"{page}/notes/{note_id[1]}/edit", category="important", text="Never say daddy"
    )
    clash = await browser.submit(
        page, f"{page}/notes/{note_id[1]}/edit", category="personal", text="enjoys HIKING."
    )
    proposal = re.search(r'action="/fans/of-7/proposals/(\d+)/accept\?platform=onlyfans"', html)
    assert proposal
    kept = await browser.submit(page, f"{page}/proposals/{proposal[1]}/accept")
    after = _words((await browser.get(page)).text)
    deleted = await browser.submit(page, f"{page}/notes/{note_id[1]}/delete")
    last = _words((await browser.get(deleted.headers["location"])).text)

    assert added.status_code == edited.status_code == kept.status_code == 303
    assert empty.status_code == 422
    assert "Write the note" in empty.text
    assert bad.status_code == 422
    assert "Choose one of the categories" in bad.text
    assert "Never say daddy" in after
    # Editing a note into another's words: refused, and the form stays open as typed.
    assert clash.status_code == 409
    assert '<details class="note-edit" open>' in clash.text
    assert 'value="enjoys HIKING."' in clash.text
    assert 'id="note-text" name="text" maxlength="300" required value=""' in clash.text
    assert f"Added by {browser.user.display_name or browser.user.email}" in after
    assert "Noted by the assistant (9" in after
    assert "Notes (4)" in after  # two saved from the reply, one kept, one written
    assert "Proposed by the assistant (0)" in after
    assert "Note deleted." in last
    assert "Never say daddy" not in last
    assert "Automatic notes 3 (48 in all)" in last
    assert "Messages 3" in last


async def test_a_note_of_invisible_characters_only_is_refused_on_the_fan_page(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-8", "Ari")
    page = "/fans/of-8"
    hidden = await browser.submit(page, f"{page}/notes", category="interests", text="\u202e\u200b")
    after = _words((await browser.get(page)).text)

    assert hidden.status_code == 422
    assert "Write the note" in hidden.text
    assert "Notes (0)" in after


async def test_the_conversation_on_the_fan_page_has_the_approved_reply(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "of-9", "Kai")
    replied = await _draft(browser, "onlyfans:of-9", "Hey you, how's your week?")
    draft = re.search(r'href="/inbox#draft-(\d+)"', replied)
    assert draft
    await browser.submit("/inbox", f"/inbox/{draft[1]}/approve", text="Busy but good 💕 you?")
    await _draft(browser, "onlyfans:of-9", "Any plans for the weekend?")
    inbox = (await browser.get("/inbox")).text
    fan = _words((await browser.get("/fans/of-9")).text)

    assert fan.index("Hey you, how's your week?") < fan.index("Busy but good 💕 you?")
    assert fan.index("Busy but good 💕 you?") < fan.index("Any plans for the weekend?")
    assert "Messages 2" in fan
    assert '<a href="/fans/of-9?platform=onlyfans"><strong>Kai</strong></a>' in inbox


async def test_the_same_id_on_two_platforms_has_two_fan_pages_with_their_own_notes(
    browser: Browser, database: Database
) -> None:
    await add_fan(database, browser.user.id, "id-2x", "Olly", platform="onlyfans")
    await add_fan(database, browser.user.id, "id-2x", "Fern", platform="fansly")
    fern = "/fans/id-2x?platform=fansly"
    page = (await browser.get(fern)).text
    add = re.search(r'action="([^"]+/notes\?platform=fansly)"', page)
    assert add
    added = await browser.submit(fern, unescape(add[1]), category="personal", text="Fern's note")
    back = (await browser.get(added.headers["location"])).text
    olly = _words((await browser.get("/fans/id-2x?platform=onlyfans")).text)
    unknown = await browser.get("/fans/id-2x?platform=myspace")

    assert added.status_code == 303
    assert added.headers["location"] == "/fans/id-2x?platform=fansly&notice=added"
    assert "Note added." in back
    assert "Fern's note" in _words(back)
    assert "Olly" in olly
    assert "Fern" not in olly.replace("Fansly (Fern)", "")  # neither her name nor her note
    # Each page says the id is someone else on the other platform, and links there.
    assert '<a href="/fans/id-2x?platform=onlyfans">OnlyFans (Olly)</a>' in page
    assert unknown.status_code == 404


async def test_a_form_from_a_page_without_platforms_returns_to_the_fan_it_changed(
    browser: Browser, database: Database
) -> None:
    # A tab opened before fans had platforms posts without one: the change finds the note's fan,
    # and the redirect must show that fan, not the id's most recently active one.
    await add_fan(database, browser.user.id, "id-3x", "Fern", platform="fansly")
    await add_fan(database, browser.user.id, "id-3x", "Olly", platform="onlyfans")
    fern = "/fans/id-3x?platform=fansly"
    await browser.submit(
        fern, "/fans/id-3x/notes?platform=fansly", category="personal", text="Fern"
    )
    note_id = re.search(r'data-note-id="(\d+)"', (await browser.get(fern)).text)
    assert note_id
    old_tab = "/fans/id-3x"
    edited = await browser.submit(
        old_tab, f"/fans/id-3x/notes/{note_id[1]}/edit", category="important", text="Fern!"
    )
    deleted = await browser.submit(old_tab, f"/fans/id-3x/notes/{note_id[1]}/delete")

    assert edited.headers["location"] == f"{fern}&notice=edited"
    assert deleted.headers["location"] == f"{fern}&notice=deleted"


async def test_another_creators_fan_page_is_a_404(database_url: URL, database: Database) -> None:
    team = await new_team(database)
    await add_fan(database, team.creator_2.id, "of-x", "Secret Fan")
    async with logged_in(database_url, team.chatter_a) as ana:
        page = await ana.get("/fans/of-x")
        on_platform = await ana.get("/fans/of-x?platform=onlyfans")
        picked = await ana.get("/messages?fan=onlyfans:of-x")
        searched = await ana.get("/messages?q=secret")
    assert page.status_code == on_platform.status_code == 404
    assert "Secret Fan" not in page.text + on_platform.text
    assert "Secret Fan" not in picked.text
    assert "Secret Fan" not in searched.text
