"""A fan reply after the guard: blocked drafts are never sendable, escalations look different,
the suggested upsell goes through the same guard (and into the platform's PPV range), the
creator's own words apply, and every block and escalation is logged."""

from __future__ import annotations

import json
from typing import Any

from pydantic_ai.models.function import AgentInfo, FunctionModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.compliance.guard import GuardFor
from huntaze_ai.kit.db import Database
from huntaze_ai.llm.pipeline import AIPipeline
from huntaze_ai.llm.provider import LLM
from huntaze_ai.messaging.schemas import ReplyRequest
from huntaze_ai.messaging.service import draft_reply, prepare
from huntaze_ai.messaging.streaming import stream_reply
from huntaze_ai.models import ComplianceViolation, ComplianceWord, User
from tests.messaging.conftest import Recorder, creator_and_meter, fake_ai

UPSELL = {"kind": "ppv", "description": "New 12-photo set from this week's shoot"}


def _guard(database: Database, creator: User) -> GuardFor:
    return GuardFor(creator.id, creator.id, database.sessionmaker)


async def _log(database: Database, creator_id: int) -> list[ComplianceViolation]:
    async with database.sessionmaker() as s:
        rows = await s.scalars(
            select(ComplianceViolation)
            .where(ComplianceViolation.creator_id == creator_id)
            .order_by(ComplianceViolation.id)
        )
        return list(rows)


async def _reply(
    database: Database, session: AsyncSession, answer: dict[str, Any], **body: Any
) -> tuple[Any, User]:
    creator, meter = await creator_and_meter(database)
    guard = _guard(database, creator)
    request = ReplyRequest(**{"fan_message": "hey you", **body})
    out = await draft_reply(
        session, fake_ai(meter, Recorder(answer)), creator, request, guard_for=guard
    )
    return out, creator


async def test_a_blocked_draft_is_withheld_with_its_reasons_and_logged(
    database: Database, session: AsyncSession
) -> None:
    answer = {"reply": "Add me on Sn@pchat, my @ is mia_rose 😘", "confidence": 0.9}
    out, creator = await _reply(database, session, answer)
    assert (out.status, out.sendable, out.reply) == ("blocked", False, "")
    assert out.compliance.verdict == "block"
    rules = [r.rule for r in out.compliance.reasons]
    assert rules == ["other_platforms.messengers", "contact.handle"]
    messenger = out.compliance.reasons[0]
    assert messenger.excerpt == "Sn@pchat"
    assert (messenger.start, messenger.end) == (10, 18)  # in the withheld draft
    assert out.compliance.rules_version.startswith("onlyfans.")
    log = await _log(database, creator.id)
    assert [(v.rule, v.verdict, v.source, v.part) for v in log] == [
        ("other_platforms.messengers", "block", "reply", "message"),
        ("contact.handle", "block", "reply", "message"),
    ]
    assert log[0].actor_id == creator.id
    assert "mia_rose" not in log[1].excerpt


async def test_an_escalation_is_not_a_block_and_carries_no_text(
    database: Database, session: AsyncSession
) -> None:
    answer = {"reply": "I can't do refunds here, sorry babe", "confidence": 0.8}
    out, creator = await _reply(database, session, answer)
    assert (out.status, out.sendable, out.reply) == ("escalate", False, "")
    assert out.compliance.reasons[0].category == "refunds"
    assert [v.verdict for v in await _log(database, creator.id)] == ["escalate"]


async def test_a_fan_message_escalation_is_logged_without_a_model_call(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    recorder = Recorder({"reply": "hi", "confidence": 1})
    guard = _guard(database, creator)
    body = ReplyRequest(fan_message="I'm 16, is that ok?")
    out = await draft_reply(session, fake_ai(meter, recorder), creator, body, guard_for=guard)
    assert (out.status, out.sendable) == ("escalate", False)
    assert recorder.calls == 0
    (row,) = await _log(database, creator.id)
    assert (row.rule, row.part, row.category) == ("minors.age_statement", "fan_message", "minors")
    assert "16" not in row.excerpt


async def test_a_clean_draft_with_a_clean_upsell_keeps_both(
    database: Database, session: AsyncSession
) -> None:
    answer = {
        "reply": "Aww thank you 🥰",
        "confidence": 0.9,
        "suggested_upsell": {**UPSELL, "price_usd": 14.99},
    }
    out, creator = await _reply(database, session, answer)
    assert (out.status, out.sendable, out.reply) == ("draft", True, "Aww thank you 🥰")
    assert out.suggested_upsell is not None
    assert (out.suggested_upsell.price_usd, out.suggested_upsell.price_note) == ("14.99", None)
    assert out.upsell_withheld is None
    assert await _log(database, creator.id) == []


async def test_an_upsell_the_guard_would_block_is_dropped_with_a_reason(
    database: Database, session: AsyncSession
) -> None:
    upsell = {
        "kind": "custom_content",
        "description": "Private video call on WhatsApp",
        "price_usd": 80,
    }
    answer = {"reply": "You're so sweet 💕", "confidence": 0.9, "suggested_upsell": upsell}
    out, creator = await _reply(database, session, answer)
    assert (out.status, out.sendable) == ("draft", True)  # the reply itself is fine
    assert out.suggested_upsell is None
    assert out.upsell_withheld is not None
    assert out.upsell_withheld.verdict == "block"
    reasons = out.upsell_withheld.reasons
    assert {r.where for r in reasons} == {"upsell"}
    assert "other_platforms.messengers" in {r.rule for r in reasons}
    assert {v.part for v in await _log(database, creator.id)} == {"upsell"}


async def test_an_upsell_to_meet_is_dropped(database: Database, session: AsyncSession) -> None:
    upsell = {"kind": "custom_content", "description": "Meet me for a drink 🍸", "price_usd": 300}
    answer = {"reply": "Hehe 😘", "confidence": 0.7, "suggested_upsell": upsell}
    out, _ = await _reply(database, session, answer)
    assert out.suggested_upsell is None
    assert out.upsell_withheld is not None
    assert out.upsell_withheld.reasons[0].rule == "meetups.meeting"


async def test_a_ppv_upsell_price_is_clamped_into_the_platforms_range_and_says_so(
    database: Database, session: AsyncSession
) -> None:
    for price, platform, expected, clamped in (
        (1.5, "onlyfans", "3.00", True),
        (450, "onlyfans", "200.00", True),
        (450, "instagram", "450.00", False),  # no paid messages there: no range
        (25, "onlyfans", "25.00", False),
    ):
        answer = {
            "reply": "Thank you 🥰",
            "confidence": 0.9,
            "suggested_upsell": {**UPSELL, "price_usd": price},
        }
        out, _ = await _reply(database, session, answer, platform=platform)
        assert out.suggested_upsell is not None
        assert out.suggested_upsell.price_usd == expected
        note = out.suggested_upsell.price_note
        assert (note is not None) == clamped, note
        if clamped:
            assert "OnlyFans's PPV range (free or $3.00–$200.00)" in note  # type: ignore[operator]


async def test_the_creators_own_words_block_drafts(
    database: Database, session: AsyncSession
) -> None:
    creator, meter = await creator_and_meter(database)
    async with database.sessionmaker() as s, s.begin():
        s.add(ComplianceWord(creator_id=creator.id, phrase="pineapple", match_key="pineappie",
                             verdict="block"))  # fmt: skip
    guard = _guard(database, creator)
    recorder = Recorder({"reply": "I love p1neapple pizza 🍍", "confidence": 0.9})
    out = await draft_reply(
        session, fake_ai(meter, recorder), creator, ReplyRequest(fan_message="hi"), guard_for=guard
    )
    assert out.status == "blocked"
    assert out.compliance.reasons[0].code == "custom_word"


async def test_a_stream_stops_sending_text_once_the_draft_breaks_a_rule(
    database: Database, session: AsyncSession
) -> None:
    reply = "Thank you so much babe 😘 add me on telegram and I'll send you everything there"

    async def typing(_messages: list[object], _info: AgentInfo):  # type: ignore[no-untyped-def]
        text = json.dumps({"reply": reply, "confidence": 0.9})
        for i in range(0, len(text), 6):
            yield text[i : i + 6]

    creator, meter = await creator_and_meter(database)
    ai = AIPipeline(meter, LLM.uniform(FunctionModel(stream_function=typing), "gemini-2.5-flash"))
    guard = _guard(database, creator)
    body = ReplyRequest(fan_message="you're gorgeous")
    prepared = await prepare(session, creator, body, guard)
    events = [e async for e in stream_reply(ai, creator, prepared, body.fan_message, None)]
    streamed = "".join(
        json.loads(e.split("data: ", 1)[1])["text"] for e in events if e.startswith("event: delta")
    )
    done = json.loads(events[-1].split("data: ", 1)[1])
    assert streamed.startswith("Thank you so much babe")
    assert "telegram" not in streamed
    assert (done["status"], done["sendable"], done["reply"]) == ("blocked", False, "")
    assert [v.rule for v in await _log(database, creator.id)] == ["other_platforms.messengers"]
