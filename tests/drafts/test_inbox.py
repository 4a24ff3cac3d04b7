"""The draft inbox over the API: every reply stored, approved as drafted or edited (guarded),
rejected, escalated and resolved; per-fan caps; and what a race between chatters leaves."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import URL

from huntaze_ai.drafts.service import NewDraft, record
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.money import when
from huntaze_ai.models import Draft, WebhookEvent
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, creator_headers, draft_reply, settings_for

HELLO = "Hey! Love your content"


async def test_a_reply_is_stored_and_approved_once_as_drafted(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        reply = await draft_reply(client, headers, fan_id="fan-1", platform="onlyfans")
        stored = await client.get(f"/api/drafts/{reply['draft_id']}", headers=headers)
        approved = await client.post(
            f"/api/drafts/{reply['draft_id']}/approve", json={}, headers=headers
        )
        again = await client.post(
            f"/api/drafts/{reply['draft_id']}/approve", json={}, headers=headers
        )
        listed = await client.get("/api/drafts?status=approved&fan_id=fan-1", headers=headers)
        usage = await client.get("/api/ai/usage", headers=headers)

    draft = stored.json()
    assert draft["status"] == "pending"
    assert draft["text"] == reply["reply"]
    assert draft["fan_message"] == HELLO
    assert draft["fan_id"] == "fan-1"
    assert draft["guard_verdict"] == "ok"
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["final_text"] == reply["reply"]
    assert approved.json()["edited"] is False
    assert approved.json()["decided_by"] == draft["member_id"]
    assert again.status_code == 409
    assert again.json()["error"] == "draft_state_changed"
    assert again.json()["status"] == "approved"
    assert [d["id"] for d in listed.json()["drafts"]] == [reply["draft_id"]]
    assert len(usage.json()["rows"]) == 1  # approving is no AI call


async def test_an_edited_text_is_guarded_and_a_blocked_one_cannot_be_approved(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        reply = await draft_reply(client, headers)
        path = f"/api/drafts/{reply['draft_id']}/approve"
        blocked = await client.post(path, json={"text": "add me on snapchat babe"}, headers=headers)
        still = await client.get(f"/api/drafts/{reply['draft_id']}", headers=headers)
        edited = await client.post(path, json={"text": "Thank you so much 💕"}, headers=headers)

    assert blocked.status_code == 422
    assert blocked.json()["error"] == "blocked_by_guard"
    assert blocked.json()["reasons"]
    assert still.json()["status"] == "pending"
    assert edited.json()["status"] == "approved"
    assert edited.json()["final_text"] == "Thank you so much 💕"
    assert edited.json()["edited"] is True


async def test_a_fan_gets_at_most_three_approved_messages_a_day_until_the_creator_says_more(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database, plan="business")
    async with app_client(settings_for(database_url)) as client:
        ids = [
            (await draft_reply(client, headers, f"{HELLO} #{n}", fan_id="whale"))["draft_id"]
            for n in range(5)
        ]
        outcomes = [
            await client.post(f"/api/drafts/{i}/approve", json={}, headers=headers) for i in ids[:4]
        ]
        today = await client.get("/api/fans/whale/today", headers=headers)
        other = await client.get("/api/fans/minnow/today", headers=headers)
        raised = await client.put(
            "/api/drafts/caps", json={"dms_per_day": 4, "ppvs_per_day": 1}, headers=headers
        )
        fourth = await client.post(f"/api/drafts/{ids[3]}/approve", json={}, headers=headers)
        fifth = await client.post(f"/api/drafts/{ids[4]}/approve", json={}, headers=headers)

    assert [o.status_code for o in outcomes] == [200, 200, 200, 409]
    refusal = outcomes[3].json()
    assert refusal["error"] == "fan_cap_reached"
    assert refusal["dms_per_day"] == 3
    assert refusal["resets_at"].endswith("T00:00:00+00:00")
    assert today.json()["dms_left"] == 0
    assert other.json()["dms_left"] == 3
    assert raised.json() == {"dms_per_day": 4, "ppvs_per_day": 1}
    assert fourth.status_code == 200  # the refused one was left pending, and now fits
    assert fifth.status_code == 409


async def test_escalations_wait_in_a_queue_that_a_person_answers_dismisses_or_hands_back(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        refund = await draft_reply(client, headers, fan_message="I want a refund now")
        unsafe = await draft_reply(client, headers, fan_message="kill yourself")
        normal = await draft_reply(client, headers)
        by_hand = await client.post(
            f"/api/drafts/{normal['draft_id']}/escalate",
            json={"reason": "asks about a custom video"},
            headers=headers,
        )
        queue = await client.get("/api/escalations", headers=headers)
        refused = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "my snapchat is luna_x, we sort it there"},
            headers=headers,
        )
        answered = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "I'm sorry babe, I'll ask support to look at it with you."},
            headers=headers,
        )
        dismissed = await client.post(
            f"/api/escalations/{unsafe['draft_id']}/resolve", json={}, headers=headers
        )
        handed = await client.post(
            f"/api/escalations/{normal['draft_id']}/hand-back", headers=headers
        )
        twice = await client.post(
            f"/api/escalations/{normal['draft_id']}/hand-back", headers=headers
        )
        after = await client.get("/api/escalations", headers=headers)

    assert refund["status"] == "escalate"
    assert unsafe["status"] == "escalate"
    body = queue.json()
    assert [e["id"] for e in body["escalations"]] == [
        refund["draft_id"],
        unsafe["draft_id"],
        normal["draft_id"],
    ]  # oldest first
    assert body["count"] == 3
    assert all(e["age_s"] >= 0 for e in body["escalations"])
    assert body["escalations"][2]["escalation_reason"] == "asks about a custom video"
    assert by_hand.json()["status"] == "escalated"
    assert refused.status_code == 422  # a person's answer is guarded too
    assert refused.json()["error"] == "blocked_by_guard"
    assert answered.json()["status"] == "approved", answered.text
    assert (
        answered.json()["final_text"] == "I'm sorry babe, I'll ask support to look at it with you."
    )
    assert answered.json()["edited"] is False  # a person wrote it: there was no draft to edit
    assert dismissed.json()["status"] == "dismissed"
    assert handed.json()["status"] == "pending"
    assert twice.status_code == 409
    assert after.json()["count"] == 0


async def test_a_fans_day_refuses_a_too_long_id_with_422_and_answers_a_fan_not_yet_known(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        long_id = "x" * 300
        too_long = await client.get(f"/api/fans/{long_id}/today", headers=headers)
        profile = await client.get(f"/api/fans/{long_id}", headers=headers)
        hidden = await client.get("/api/fans/a%0Ab/today", headers=headers)
        unknown = await client.get("/api/fans/not-yet-a-fan/today", headers=headers)

    assert too_long.status_code == profile.status_code == 422  # not cut to another fan's id
    assert too_long.json()["fields"][0]["field"] == "path.fan_id"
    assert hidden.status_code == 422
    # A reply may name a fan with no fan row yet: its day is all left, where the profile is 404.
    assert unknown.status_code == 200
    assert unknown.json()["fan_id"] == "not-yet-a-fan"
    assert unknown.json()["dms_left"] == 3


async def test_five_chatters_approving_one_draft_at_once_make_one_approval(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        owner = await bearer(database, team.owner, team.creator_1)
        reply = await draft_reply(client, owner, fan_id="fan-race")
        path = f"/api/drafts/{reply['draft_id']}/approve"
        people = [team.owner, team.manager, team.chatter_a, team.owner, team.manager]
        headers = [await bearer(database, p, team.creator_1) for p in people]
        answers = await asyncio.gather(*(client.post(path, json={}, headers=h) for h in headers))
        today = await client.get("/api/fans/fan-race/today", headers=owner)

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    assert today.json()["dms_left"] == 2  # counted once


async def test_many_drafts_for_one_fan_approved_at_once_never_pass_the_cap(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database, plan="business")
    async with app_client(settings_for(database_url)) as client:
        ids = [
            (await draft_reply(client, headers, f"{HELLO} #{n}", fan_id="busy"))["draft_id"]
            for n in range(8)
        ]
        answers = await asyncio.gather(
            *(client.post(f"/api/drafts/{i}/approve", json={}, headers=headers) for i in ids)
        )
        approved = await client.get("/api/drafts?status=approved&fan_id=busy", headers=headers)
    assert sorted(a.status_code for a in answers) == [200] * 3 + [409] * 5
    assert len(approved.json()["drafts"]) == 3


async def test_another_creators_draft_is_a_404(database_url: URL, database: Database) -> None:
    _, alice = await creator_headers(database)
    _, bob = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        reply = await draft_reply(client, alice)
        seen = await client.get(f"/api/drafts/{reply['draft_id']}", headers=bob)
        taken = await client.post(f"/api/drafts/{reply['draft_id']}/approve", json={}, headers=bob)
        listed = await client.get("/api/drafts", headers=bob)
    assert seen.status_code == 404
    assert taken.status_code == 404
    assert listed.json()["drafts"] == []


async def test_drafts_of_one_fan_message_are_sent_once_and_the_others_closed(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database, plan="business")
    async with app_client(settings_for(database_url)) as client:
        # Regenerate: three drafts of the fan's one message, and one of their next message.
        ids = [
            (await draft_reply(client, headers, HELLO, fan_id="fan-g"))["draft_id"] for _ in "abc"
        ]
        later = (await draft_reply(client, headers, "and tonight?", fan_id="fan-g"))["draft_id"]
        sent = await client.post(f"/api/drafts/{ids[1]}/approve", json={}, headers=headers)
        again = await client.post(
            f"/api/drafts/{ids[0]}/approve", json={"text": "hi again"}, headers=headers
        )
        listed = await client.get("/api/drafts?fan_id=fan-g", headers=headers)
        today = await client.get("/api/fans/fan-g/today", headers=headers)
        # The same words the next day are a new message: its draft is sent too.
        repeated = (await draft_reply(client, headers, HELLO, fan_id="fan-g"))["draft_id"]
        anew = await client.post(f"/api/drafts/{repeated}/approve", json={}, headers=headers)

    statuses = {d["id"]: d["status"] for d in listed.json()["drafts"]}
    assert sent.status_code == 200
    assert again.status_code == 409
    assert statuses == {
        ids[0]: "superseded",
        ids[1]: "approved",
        ids[2]: "superseded",
        later: "pending",
    }
    assert today.json()["dms_left"] == 2  # one answer counted
    assert anew.status_code == 200, anew.text


async def _left_open(database: Database, draft_id: int, status: str) -> None:
    """The draft back in `status`, as a sibling left when the approval that closed the others
    skipped its row (locked by a transaction that then rolled back)."""
    async with database.sessionmaker() as session, session.begin():
        await session.execute(update(Draft).where(Draft.id == draft_id).values(status=status))


async def test_approving_a_draft_of_an_answered_message_is_409_and_takes_it_out_of_the_inbox(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        sent, stuck = [
            (await draft_reply(client, headers, HELLO, fan_id="fan-s"))["draft_id"] for _ in "ab"
        ]
        approved = await client.post(f"/api/drafts/{sent}/approve", json={}, headers=headers)
        await _left_open(database, stuck, "pending")
        refused = await client.post(f"/api/drafts/{stuck}/approve", json={}, headers=headers)
        after = (await client.get(f"/api/drafts/{stuck}", headers=headers)).json()
        inbox = (await client.get("/api/drafts?status=pending", headers=headers)).json()
        today = (await client.get("/api/fans/fan-s/today", headers=headers)).json()

    assert approved.status_code == 200, approved.text
    assert refused.status_code == 409
    assert refused.json()["error"] == "message_answered"
    assert refused.json()["answered_by"] == sent
    assert after["status"] == "superseded"
    assert [d["id"] for d in inbox["drafts"]] == []
    assert today["dms_left"] == 2  # the refused approval is not counted


async def test_answering_an_escalation_of_an_answered_message_is_409_and_takes_it_out_of_the_queue(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        sent, stuck = [
            (await draft_reply(client, headers, "I want a refund now", "fan-q"))["draft_id"]
            for _ in "ab"
        ]
        answer = {"text": "Let me look into it with support, love"}
        answered = await client.post(
            f"/api/escalations/{sent}/resolve", json=answer, headers=headers
        )
        await _left_open(database, stuck, "escalated")
        refused = await client.post(
            f"/api/escalations/{stuck}/resolve", json=answer, headers=headers
        )
        after = (await client.get(f"/api/drafts/{stuck}", headers=headers)).json()
        queue = (await client.get("/api/escalations", headers=headers)).json()

    assert answered.status_code == 200, answered.text
    assert refused.status_code == 409
    assert refused.json()["error"] == "message_answered"
    assert after["status"] == "superseded"
    assert (queue["count"], queue["escalations"]) == (0, [])


async def test_two_drafts_of_one_message_approved_at_once_send_one_answer(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        owner = await bearer(database, team.owner, team.creator_1)
        chatter = await bearer(database, team.chatter_a)
        await client.put(
            "/api/drafts/caps", json={"dms_per_day": 100, "ppvs_per_day": 1}, headers=owner
        )
        for round_ in range(5):
            message = f"{HELLO} (round {round_})"
            first, second = [
                (await draft_reply(client, owner, message, fan_id="fan-2x"))["draft_id"]
                for _ in "ab"
            ]
            answers = await asyncio.gather(
                client.post(f"/api/drafts/{first}/approve", json={}, headers=owner),
                client.post(f"/api/drafts/{second}/approve", json={}, headers=chatter),
            )
            assert sorted(a.status_code for a in answers) == [200, 409], round_
        approved = await client.get("/api/drafts?status=approved&fan_id=fan-2x", headers=owner)
        today = await client.get("/api/fans/fan-2x/today", headers=owner)

    assert len(approved.json()["drafts"]) == 5
    assert today.json()["dms_left"] == 95


async def test_a_refusal_says_why_in_words_and_a_decided_draft_is_409_whatever_its_text(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        reply = await draft_reply(client, headers)
        path = f"/api/drafts/{reply['draft_id']}/approve"
        blocked = await client.post(path, json={"text": "add me on snapchat babe"}, headers=headers)
        await client.post(path, json={}, headers=headers)
        decided = await client.post(path, json={"text": "add me on snapchat"}, headers=headers)
        other = await draft_reply(client, headers, "and tonight?")
        blank = await client.post(
            f"/api/drafts/{other['draft_id']}/escalate", json={"reason": "   "}, headers=headers
        )

    reason = blocked.json()["reasons"][0]
    assert reason["detail"] != reason["why"]
    assert reason["why"].endswith(".")  # a sentence for the chatter, not the matched excerpt
    assert decided.status_code == 409
    assert decided.json()["error"] == "draft_state_changed"
    assert blank.status_code == 422
    assert blank.json()["fields"][0]["field"] == "reason"


async def test_a_text_or_reason_of_invisible_characters_only_is_refused_like_a_blank_one(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        reply = await draft_reply(client, headers, fan_id="fan-hidden")
        refund = await draft_reply(client, headers, "I want a refund now", fan_id="fan-refund")
        approved = await client.post(
            f"/api/drafts/{reply['draft_id']}/approve",
            json={"text": "\u202e\u200b"},
            headers=headers,
        )
        escalated = await client.post(
            f"/api/drafts/{reply['draft_id']}/escalate",
            json={"reason": " \u2066\u2800 "},
            headers=headers,
        )
        resolved = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "\ufeff\u3164\n"},
            headers=headers,
        )
        still = await client.get(f"/api/drafts/{reply['draft_id']}", headers=headers)
        queue = (await client.get("/api/escalations", headers=headers)).json()
    async with database.sessionmaker() as session:
        events = await session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.creator_id == creator_id, WebhookEvent.type == "message.approved")
        )

    assert [r.status_code for r in (approved, escalated, resolved)] == [422, 422, 422]
    assert approved.json()["fields"] == [{"field": "text", "message": "empty"}]
    assert escalated.json()["fields"][0]["field"] == "reason"
    assert resolved.json()["fields"] == [{"field": "text", "message": "empty"}]
    assert still.json()["status"] == "pending"
    assert [e["id"] for e in queue["escalations"]] == [refund["draft_id"]]
    assert events == 0  # no message.approved went out with an empty-looking text


async def test_a_fan_message_escalation_handed_back_is_approved_with_a_persons_text(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        refund = await draft_reply(client, chatter, "I want my money back", "fan-h")
        await client.post(f"/api/escalations/{refund['draft_id']}/hand-back", headers=manager)
        approved = await client.post(
            f"/api/drafts/{refund['draft_id']}/approve",
            json={"text": "I hear you love, I've asked support to look at it"},
            headers=chatter,
        )

    assert refund["status"] == "escalate"
    assert approved.status_code == 200, approved.text


async def test_the_queue_counts_every_escalation_beyond_the_hundred_it_lists(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    refund = {"rule": "refunds.money_back", "verdict": "escalate", "why": "a person answers"}
    for n in range(101):
        new = NewDraft(
            creator_id=creator_id,
            member_id=creator_id,
            fan_id=f"fan-{n}",
            platform="onlyfans",
            fan_message="refund",
            text="",
            guard_verdict="escalate",
            reasons=[refund],
            upsell=None,
            request_id=None,
        )
        await record(database.sessionmaker, new)
    async with app_client(settings_for(database_url)) as client:
        queue = (await client.get("/api/escalations", headers=headers)).json()

    assert (len(queue["escalations"]), queue["count"]) == (100, 101)


async def test_an_answer_to_an_escalation_with_a_blocked_word_is_refused_whatever_else_it_says(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        refund = await draft_reply(client, headers, "I want a refund now", "fan-w")
        path = f"/api/escalations/{refund['draft_id']}/resolve"
        # "refund" alone asks for a person (who is answering); "whatsapp" is never sendable.
        mixed = await client.post(
            path, json={"text": "Text me on whatsapp and I will refund you"}, headers=headers
        )
        plain = await client.post(
            path, json={"text": "I will refund you, promise"}, headers=headers
        )

    assert mixed.status_code == 422
    assert mixed.json()["error"] == "blocked_by_guard"
    assert any(r["verdict"] == "block" for r in mixed.json()["reasons"])
    assert plain.status_code == 200, plain.text


async def test_an_answered_escalation_closes_the_other_escalated_drafts_of_its_message(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        first = await draft_reply(client, headers, "I want a refund now", "fan-e")
        again = await draft_reply(client, headers, "I want a refund now", "fan-e")
        answered = await client.post(
            f"/api/escalations/{first['draft_id']}/resolve",
            json={"text": "Let me look into it with support, love"},
            headers=headers,
        )
        queue = (await client.get("/api/escalations", headers=headers)).json()
        other = (await client.get(f"/api/drafts/{again['draft_id']}", headers=headers)).json()

    assert answered.status_code == 200, answered.text
    assert (queue["count"], queue["escalations"]) == (0, [])
    assert other["status"] == "superseded"


async def test_every_refusal_at_approval_is_in_the_violation_log_with_who_asked(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        edited = await draft_reply(client, chatter, HELLO, "fan-drew")
        answered = await draft_reply(client, chatter, f"{HELLO}!", "fan-drew")
        refund = await draft_reply(client, chatter, "I want a refund now", "fan-r")
        before = (await client.get("/api/compliance/violations", headers=manager)).json()
        handle = await client.post(
            f"/api/drafts/{edited['draft_id']}/approve",
            json={"text": "Sure! add me on telegram @drewfan so we can chat more"},
            headers=chatter,
        )
        promise = await client.post(
            f"/api/drafts/{answered['draft_id']}/approve",
            json={"text": "Sure, I will refund you babe"},
            headers=chatter,
        )
        # The manager's answer may say "refund" (the queue asked them) but not "telegram".
        call_me = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "I'll refund you, call me on telegram"},
            headers=manager,
        )
        log = (await client.get("/api/compliance/violations", headers=manager)).json()
        # Each refusal was rolled back whole: the draft is still open and can be approved.
        fixed = await client.post(
            f"/api/drafts/{edited['draft_id']}/approve",
            json={"text": "Sure! let's chat more here"},
            headers=chatter,
        )

    assert [r.status_code for r in (handle, promise, call_me)] == [422, 422, 422]
    assert fixed.status_code == 200, fixed.text
    refusals = log["violations"][: log["total"] - before["total"]]
    logged = {(v["actor_id"], v["rule"], v["verdict"], v["part"]) for v in refusals}
    assert {v["source"] for v in refusals} == {"approval"}
    assert (team.chatter_a.id, "contact.handle", "block", "message") in logged
    assert (team.chatter_a.id, "refunds.money_back", "escalate", "message") in logged
    # The manager's refusal: the blocked app, not the "refund" that their answer may say.
    assert {verdict for actor, _, verdict, _ in logged if actor == team.manager.id} == {"block"}
    assert "@drewfan" not in str(refusals)  # masked as every excerpt is


async def test_a_cap_refusal_says_in_words_when_the_fans_day_resets(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        reply = await draft_reply(client, headers, fan_id="fan-capped")
        await client.put(
            "/api/drafts/caps", json={"dms_per_day": 0, "ppvs_per_day": 0}, headers=headers
        )
        refused = await client.post(
            f"/api/drafts/{reply['draft_id']}/approve", json={}, headers=headers
        )

    assert refused.status_code == 409
    body = refused.json()
    resets = datetime.fromisoformat(body["resets_at"])
    assert (resets.hour, resets.minute, resets.utcoffset()) == (0, 0, timedelta(0))  # UTC day
    # A page shows only the message: it says when, as the quota's refusals do.
    assert body["message"] == (
        f"This fan already got today's message allowance: it resets on {when(resets)}"
    )
