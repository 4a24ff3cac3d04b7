"""The safety pages and the messages page's verdicts over HTTP: forms with CSRF, the word list
(add, import, delete, another creator's word a 404), the violation log, and a blocked draft shown
as not sendable, without Approve, with Regenerate."""

from __future__ import annotations

import re

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, csrf_of, login, settings_for, visible_text
from tests.metering.conftest import new_creator
from tests.web.conftest import Browser

# The emulator answers a compliment with a thank-you (every one of its templates says it).
COMPLIMENT = "you're gorgeous, seriously"


async def test_the_safety_pages_need_a_session(database_url) -> None:
    async with app_client(settings_for(database_url)) as client:
        for path in ("/compliance", "/compliance/violations"):
            response = await client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == f"/auth/login?next={path}"


async def test_a_phrase_added_on_the_page_is_listed_and_blocks_the_next_draft(
    browser: Browser,
) -> None:
    added = await browser.submit(
        "/compliance", "/compliance/words", phrase="thank you", verdict="block"
    )
    assert added.status_code == 303
    page = (await browser.get(added.headers["location"])).text
    assert "Phrase added" in page
    assert page.count('class="word-row"') == 1
    assert "thank you" in page

    reply = await browser.submit("/messages", "/messages", **{"fan-message": COMPLIMENT})
    html = reply.text
    assert 'data-status="blocked"' in html
    assert re.search(r'id="reply-status">blocked<', html)
    assert "Not sendable" in html
    assert re.search(r'<div class="assistant-response" id="assistant-response"[^>]*></div>', html)
    assert 'id="reply-decide" hidden>' in html  # nothing to approve
    assert re.search(
        r'<form method="post" action="/messages" class="inline" id="regenerate-form">', html
    )
    assert "On your own list of words not to send." in html
    assert f'name="fan-message" value="{COMPLIMENT}"' in html.replace("&#39;", "'")


async def test_a_clean_draft_offers_approve_and_reject_and_no_regenerate(browser: Browser) -> None:
    html = (await browser.submit("/messages", "/messages", **{"fan-message": COMPLIMENT})).text
    assert 'data-status="draft"' in html
    assert 'id="reply-decide">' in html
    assert 'id="copy-reply"' not in html  # no way to the fan around the approval
    assert 'id="regenerate-form" hidden>' in html
    assert "Passes the rules: approve it, as written or edited, to send it to the fan" in html


async def test_an_escalation_looks_different_from_a_block(browser: Browser) -> None:
    html = (
        await browser.submit("/messages", "/messages", **{"fan-message": "I want a refund now"})
    ).text
    assert 'data-status="escalate"' in html
    assert "A person must answer this fan" in html
    assert 'id="reply-decide" hidden>' in html
    assert 'id="regenerate-form" hidden>' in html
    assert "Refunds, chargebacks and bank disputes are for a person" in html


async def test_a_bad_phrase_or_a_duplicate_explains_itself(browser: Browser) -> None:
    empty = await browser.submit("/compliance", "/compliance/words", phrase="   ")
    assert empty.status_code == 422
    assert "the phrase is empty" in empty.text
    long = await browser.submit("/compliance", "/compliance/words", phrase="x" * 201)
    assert long.status_code == 422
    assert "201 characters" in long.text
    await browser.submit("/compliance", "/compliance/words", phrase="mango")
    again = await browser.submit("/compliance", "/compliance/words", phrase="M A N G O")
    assert again.status_code == 409
    assert "already on the list" in again.text
    odd = await browser.submit("/compliance", "/compliance/words", phrase="kiwi", verdict="maybe")
    assert odd.status_code == 422


async def _upload(browser: Browser, content: bytes, verdict: str = "block"):  # type: ignore[no-untyped-def]
    token = csrf_of((await browser.get("/compliance")).text)
    return await browser.client.post(
        "/compliance/words/import",
        data={"csrf_token": token, "verdict": verdict},
        files={"file": ("words.txt", content, "text/plain")},
    )


async def test_a_text_file_is_imported_and_a_bad_line_is_named(browser: Browser) -> None:
    bad = await _upload(browser, b"mango\nkiwi\n" + b"y" * 201 + b"\n")
    assert bad.status_code == 422
    assert "line 3" in bad.text
    assert 'class="word-row"' not in bad.text  # nothing saved
    good = await _upload(browser, b"# fruit\nmango\nkiwi\n\nmango\n", "escalate")
    assert good.status_code == 303
    html = (await browser.get(good.headers["location"])).text
    assert "Imported 2 phrase(s); 1 already on the list." in html
    assert html.count('class="word-row"') == 2
    assert re.findall(r'class="word-row".*?badge badge-(\w+)', html, re.DOTALL) == [
        "escalate",
        "escalate",
    ]
    missing = await browser.client.post(
        "/compliance/words/import",
        data={"csrf_token": csrf_of(html), "verdict": "block"},
        files={"file": ("", b"", "text/plain")},
    )
    assert missing.status_code == 422


async def test_deleting_another_creators_word_is_a_404_page(
    browser: Browser, database_url, database: Database
) -> None:
    other = await new_creator(database)
    async with app_client(settings_for(database_url)) as client:
        await login(client, other.email)
        page = await client.get("/compliance")
        await client.post(
            "/compliance/words", data={"csrf_token": csrf_of(page.text), "phrase": "secret plum"}
        )
        listed = (await client.get("/compliance")).text
    word_id = re.search(r'data-word-id="(\d+)"', listed)
    assert word_id
    response = await browser.submit("/compliance", f"/compliance/words/{word_id[1]}/delete")
    assert response.status_code == 404
    assert "secret plum" not in response.text
    async with app_client(settings_for(database_url)) as client:
        await login(client, other.email)
        assert "secret plum" in (await client.get("/compliance")).text


async def test_my_own_word_is_deleted(browser: Browser) -> None:
    await browser.submit("/compliance", "/compliance/words", phrase="mango")
    word_id = re.search(r'data-word-id="(\d+)"', (await browser.get("/compliance")).text)
    assert word_id
    deleted = await browser.submit("/compliance", f"/compliance/words/{word_id[1]}/delete")
    assert deleted.status_code == 303
    assert 'class="word-row"' not in (await browser.get("/compliance")).text


async def test_forms_without_csrf_are_refused(browser: Browser) -> None:
    for path, data in (
        ("/compliance/words", {"phrase": "mango"}),
        ("/compliance/words/1/delete", {}),
    ):
        response = await browser.client.post(path, data=data)
        assert response.status_code == 403, path
    upload = await browser.client.post(
        "/compliance/words/import", files={"file": ("w.txt", b"mango\n", "text/plain")}
    )
    assert upload.status_code == 403


async def test_the_violation_log_counts_by_rule_and_masks_personal_data(
    browser: Browser,
) -> None:
    html = (await browser.get("/compliance")).text
    api = {"X-CSRF-Token": re.search(r'name="csrf-token" content="([0-9a-f]+)"', html)[1]}  # type: ignore[index]
    for text in ("call me at 555-201-8890", "add me on telegram", "add me on telegram"):
        response = await browser.client.post(
            "/api/ai/compliance/check", json={"text": text}, headers=api
        )
        assert response.status_code == 200
    await browser.submit("/messages", "/messages", **{"fan-message": "I want a refund now"})
    log = (await browser.get("/compliance/violations")).text
    assert "other_platforms.messengers" in log
    assert "refunds.money_back" in log
    assert log.count('class="violation-row"') == 5
    assert "555-201" not in log
    assert "8890" not in log
    assert "fan&#39;s message" in log
    assert (await browser.get("/compliance/violations?days=0")).status_code == 422


async def test_the_rules_of_each_platform_are_shown(browser: Browser) -> None:
    onlyfans = (await browser.get("/compliance")).text
    assert "OnlyFans rules" in onlyfans
    assert "$3.00–$200.00" in visible_text(onlyfans)
    instagram = (await browser.get("/compliance?platform=instagram")).text
    assert "Instagram rules" in instagram
    assert "Adult content and solicitation" in instagram
    assert (await browser.get("/compliance?platform=myspace")).status_code == 422


async def test_the_violation_log_names_who_asked_as_the_viewer_sees_it(
    database_url, database: Database
) -> None:
    from tests.agencies.helpers import new_team
    from tests.web.test_team_pages import logged_in

    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as ana:
        await ana.submit("/messages", "/messages", **{"fan-message": "I want a refund now"})
        by_ana = visible_text((await ana.get("/compliance/violations")).text)
    async with logged_in(database_url, team.manager) as max_:
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        by_max = visible_text((await max_.get("/compliance/violations")).text)

    assert "asked by you" in by_ana
    assert "asked by Ana Chatter" in by_max  # not "you", not a member number
    assert "member #" not in by_max
