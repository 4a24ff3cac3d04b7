"""A fan's memory through the reply and inbox APIs: the conversation stored as it happens (the
fan's message once, the creator's as approved or answered), the notes the assistant proposes
(saved when sure, waiting when not, never twice), and what the next draft is told."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, creator_headers, running_app, settings_for
from tests.factories import statements_sent
from tests.fans.helpers import add_fan, prompts_sent

FACTS = "Had a rough day at work. I'm really into hiking and my birthday is March 3rd!"


async def _reply(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = await client.post("/api/ai/messages/reply", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_conversation_keeps_the_fans_message_once_and_the_reply_a_person_approved(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-7", "Alex B.")
    async with app_client(settings_for(database_url)) as client:
        first = await _reply(
            client, headers, fan_message="Hey! How was your weekend?", fan_id="fan-7"
        )
        again = await _reply(
            client, headers, fan_message="Hey! How was your weekend?", fan_id="fan-7"
        )
        await client.post(
            f"/api/drafts/{again['draft_id']}/approve",
            json={"text": "Lovely, thanks 💕"},
            headers=headers,
        )
        await client.post(f"/api/drafts/{first['draft_id']}/reject", headers=headers)
        fan = (await client.get("/api/fans/fan-7", headers=headers)).json()

    assert [(m["sender"], m["text"]) for m in fan["conversation"]] == [
        ("fan", "Hey! How was your weekend?"),
        ("creator", "Lovely, thanks 💕"),
    ]
    assert fan["conversation"][1]["draft_id"] == again["draft_id"]
    assert fan["conversation"][1]["member_id"] == creator_id
    assert fan["today"]["dms_left"] == 2


async def test_on_postgresql_the_draft_and_the_fans_message_are_written_in_one_statement(
    database_url: URL, database: Database
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no data-modifying CTEs: a transaction writes both")
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-1s")
    async with running_app(settings_for(database_url)) as (app, client):
        await _reply(client, headers, fan_message="Hi")  # the token's once-a-minute mark
        with statements_sent(app.state.database) as sent:
            first = await _reply(client, headers, fan_message="Morning! Coffee?", fan_id="fan-1s")
            await asyncio.sleep(0)
        again = await _reply(client, headers, fan_message="Morning!  Coffee?", fan_id="fan-1s")
        fan = (await client.get("/api/fans/fan-1s", headers=headers)).json()

    writes = [s for s in sent if re.search(r"\b(INSERT|UPDATE|BEGIN|COMMIT)\b", s)]
    drafts = [s for s in writes if "INSERT INTO drafts" in s]
    assert len(drafts) == 1, sent
    assert "INSERT INTO fan_memory" in drafts[0]
    assert "INSERT INTO fan_messages" in drafts[0]
    assert [s for s in writes if "fan_me" in s] == drafts  # fan_memory, fan_messages
    assert not [s for s in writes if re.match(r"\s*(BEGIN|COMMIT)", s)], writes
    # The message is stored once, pointing at the first draft that answered it.
    assert [(m["sender"], m["text"], m["draft_id"]) for m in fan["conversation"]] == [
        ("fan", "Morning! Coffee?", first["draft_id"])
    ]
    assert again["draft_id"] != first["draft_id"]


async def test_the_same_message_drafted_many_times_at_once_is_stored_once(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-many")
    async with app_client(settings_for(database_url)) as client:
        drafts = await asyncio.gather(
            *(
                _reply(client, headers, fan_message="Are you online tonight?", fan_id="fan-many")
                for _ in range(6)
            )
        )
        fan = (await client.get("/api/fans/fan-many", headers=headers)).json()

    assert len({d["draft_id"] for d in drafts}) == 6
    assert [(m["sender"], m["text"]) for m in fan["conversation"]] == [
        ("fan", "Are you online tonight?")
    ]
    assert fan["conversation"][0]["draft_id"] in {d["draft_id"] for d in drafts}


async def test_an_answered_escalation_joins_the_conversation(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "fan-r")
    async with app_client(settings_for(database_url)) as client:
        refund = await _reply(client, headers, fan_message="I want a refund now", fan_id="fan-r")
        answer = "I'm sorry babe, I'll ask support to look at it with you."
        await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve", json={"text": answer}, headers=headers
        )
        fan = (await client.get("/api/fans/fan-r", headers=headers)).json()

    assert refund["status"] == "escalate"
    assert [m["text"] for m in fan["conversation"]] == ["I want a refund now", answer]


async def test_sure_notes_are_saved_and_unsure_ones_wait_for_a_chatter(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-n")
    async with app_client(settings_for(database_url)) as client:
        reply = await _reply(client, headers, fan_message=FACTS, fan_id="fan-n")
        again = await _reply(client, headers, fan_message=FACTS + " 🥾", fan_id="fan-n")
        fan = (await client.get("/api/fans/fan-n", headers=headers)).json()

    saved = {(n["category"], n["text"]) for n in fan["notes"]}
    assert saved == {("personal", "Birthday is March 3rd"), ("interests", "Enjoys hiking")}
    assert all(n["confidence"] >= 0.8 and n["draft_id"] == reply["draft_id"] for n in fan["notes"])
    assert [(p["category"], p["confidence"] < 0.8) for p in fan["proposals"]] == [
        ("emotional_state", True)
    ]
    assert {n["status"] for n in reply["fan_notes"]} == {"saved", "proposed"}
    assert again["fan_notes"] == []  # the same facts again: nothing new to note
    assert fan["today"]["auto_notes_left"] == 3
    assert fan["today"]["auto_notes_left_in_all"] == 48


async def test_the_next_draft_is_told_the_conversation_and_the_notes_unless_the_client_sends_one(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-c")
    async with app_client(settings_for(database_url)) as client:
        first = await _reply(client, headers, fan_message=FACTS, fan_id="fan-c")
        await client.post(
            f"/api/drafts/{first['draft_id']}/approve",
            json={"text": "Happy early birthday 🎂"},
            headers=headers,
        )
        await client.post(
            "/api/fans/fan-c/notes",
            json={"category": "important", "text": "Never mention his ex"},
            headers=headers,
        )
        with prompts_sent() as prompts:
            await _reply(client, headers, fan_message="What are you up to?", fan_id="fan-c")
            await _reply(
                client,
                headers,
                fan_message="What are you up to?",
                fan_id="fan-c",
                conversation=[{"from": "fan", "text": "sent from the client"}],
            )

    server, client_sent = prompts
    assert server["recent_conversation"] == [f"fan: {FACTS}", "creator: Happy early birthday 🎂"]
    assert server["fan_notes"][0] == "important: Never mention his ex"
    assert set(server["fan_notes"][1:]) == {
        "personal: Birthday is March 3rd",
        "interests: Enjoys hiking",
    }
    assert client_sent["recent_conversation"] == ["fan: sent from the client"]
    assert client_sent["fan_notes"] == server["fan_notes"]


async def test_a_regenerated_draft_is_not_told_the_message_it_answers_as_history(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database, plan="business")
    async with app_client(settings_for(database_url)) as client:
        await _reply(client, headers, fan_message="Any new sets soon?", fan_id="fan-g")
        with prompts_sent() as prompts:
            await _reply(client, headers, fan_message="Any new sets soon?", fan_id="fan-g")
    assert prompts[0]["recent_conversation"] == []


async def test_a_streamed_reply_remembers_like_a_plain_one(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-s")
    async with app_client(settings_for(database_url)) as client:
        streamed = await client.post(
            "/api/ai/messages/reply/stream",
            json={"fan_message": FACTS, "fan_id": "fan-s"},
            headers=headers,
        )
        fan = (await client.get("/api/fans/fan-s", headers=headers)).json()

    assert "event: done" in streamed.text
    assert [m["text"] for m in fan["conversation"]] == [FACTS]
    assert {n["text"] for n in fan["notes"]} == {"Birthday is March 3rd", "Enjoys hiking"}


async def test_the_same_fan_id_on_two_platforms_is_two_fans_who_share_nothing(
    database_url: URL, database: Database
) -> None:
    """Two people may have the same id on two platforms: neither's conversation, notes or caps
    may reach the other's drafts or page."""
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-2x", "Olly on OnlyFans", platform="onlyfans")
    await add_fan(database, creator_id, "fan-2x", "Fern on Fansly", platform="fansly")
    async with app_client(settings_for(database_url)) as client:
        olly = await _reply(
            client, headers, fan_message=FACTS, fan_id="fan-2x", platform="onlyfans"
        )
        await client.post(
            f"/api/drafts/{olly['draft_id']}/approve", json={"text": "Noted 🎂"}, headers=headers
        )
        added = await client.post(
            "/api/fans/fan-2x/notes?platform=onlyfans",
            json={"category": "important", "text": "Olly's secret"},
            headers=headers,
        )
        with prompts_sent() as prompts:
            fern = await _reply(
                client, headers, fan_message="Hi there", fan_id="fan-2x", platform="fansly"
            )
        on_fansly = (await client.get("/api/fans/fan-2x?platform=fansly", headers=headers)).json()
        on_onlyfans = (
            await client.get("/api/fans/fan-2x?platform=onlyfans", headers=headers)
        ).json()
        fansly_notes = (
            await client.get("/api/fans/fan-2x/notes?platform=fansly", headers=headers)
        ).json()
        today = (await client.get("/api/fans/fan-2x/today?platform=fansly", headers=headers)).json()
        drafts = (
            await client.get("/api/drafts?fan_id=fan-2x&platform=fansly", headers=headers)
        ).json()

    assert added.status_code == 201, added.text
    assert prompts[0]["recent_conversation"] == []
    assert prompts[0]["fan_notes"] == []
    assert prompts[0]["fan"]["name"] == "Fern on Fansly"
    assert [m["text"] for m in on_fansly["conversation"]] == ["Hi there"]
    assert on_fansly["notes"] == fansly_notes["notes"] == []
    assert on_fansly["today"]["dms_left"] == today["dms_left"] == 3  # Olly's approval is his
    assert today["platform"] == "fansly"
    assert [d["id"] for d in drafts["drafts"]] == [fern["draft_id"]]
    assert [m["text"] for m in on_onlyfans["conversation"]] == [FACTS, "Noted 🎂"]
    assert "Olly's secret" in {n["text"] for n in on_onlyfans["notes"]}
    assert on_onlyfans["today"]["dms_left"] == 2
    assert on_fansly["also_on"] == [{"platform": "onlyfans", "display_name": "Olly on OnlyFans"}]


async def test_a_reply_naming_no_platform_is_about_the_fan_the_creator_has_with_that_id(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "fan-fy", "Fay", platform="fansly")
    async with app_client(settings_for(database_url)) as client:
        reply = await _reply(client, headers, fan_message="Hey you", fan_id="fan-fy")
        draft = (await client.get(f"/api/drafts/{reply['draft_id']}", headers=headers)).json()
        fan = (await client.get("/api/fans/fan-fy", headers=headers)).json()

    assert draft["platform"] == "fansly"  # not OnlyFans, the default for an unknown fan
    assert [m["text"] for m in fan["conversation"]] == ["Hey you"]


async def test_another_creators_fan_with_the_same_id_is_never_named_as_the_same_id_elsewhere(
    database_url: URL, database: Database
) -> None:
    mine, headers = await creator_headers(database)
    theirs, _ = await creator_headers(database)
    await add_fan(database, mine, "fan-iso", "Mine", platform="onlyfans")
    await add_fan(database, theirs, "fan-iso", "Someone else's", platform="fansly")
    async with app_client(settings_for(database_url)) as client:
        fan = (await client.get("/api/fans/fan-iso", headers=headers)).json()
        elsewhere = await client.get("/api/fans/fan-iso?platform=fansly", headers=headers)

    assert fan["display_name"] == "Mine"
    assert fan["also_on"] == []
    assert elsewhere.status_code == 404
