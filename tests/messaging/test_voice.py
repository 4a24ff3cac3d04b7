"""The creator's voice: the replies approved lately become examples in the next draft's data,
edited ones first, within a token budget, and only the creator's own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.messaging.reads import read_for_reply
from huntaze_ai.messaging.schemas import ReplyRequest
from huntaze_ai.messaging.service import prepare
from huntaze_ai.messaging.voice import VOICE_BUDGET_TOKENS, voice_examples
from huntaze_ai.metering.pricing import prompt_token_upper_bound
from huntaze_ai.models import Draft, DraftStatus, Fan, User
from tests.factories import create_user


async def _voice(
    session: AsyncSession, creator_id: int, budget_tokens: int = VOICE_BUDGET_TOKENS
) -> list[str]:
    """The examples a reply to no particular fan would get, read as a reply reads them."""
    reads = await read_for_reply(session, creator_id, None, None)
    return voice_examples(reads.approved, budget_tokens)


async def _approved(
    session: AsyncSession, creator: User, text: str, minutes_ago: int, **values: Any
) -> None:
    fields: dict[str, Any] = {
        "creator_id": creator.id,
        "member_id": creator.id,
        "platform": "onlyfans",
        "fan_message": "hey",
        "text": "model text",
        "guard_verdict": "ok",
        "reasons": [],
        "status": DraftStatus.APPROVED,
        "final_text": text,
        "edited": False,
        "created_at": utcnow() - timedelta(minutes=minutes_ago),
        **values,
    }
    session.add(Draft(**fields))
    await session.flush()


async def test_an_edited_reply_comes_before_newer_ones_sent_as_drafted(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    await _approved(session, creator, "Mmm you always know what to say 😘", 60, edited=True)
    await _approved(session, creator, "Thanks babe!", 5)
    await _approved(session, creator, "You're sweet", 10)

    assert await _voice(session, creator.id) == [
        "Mmm you always know what to say 😘",
        "Thanks babe!",
        "You're sweet",
    ]
    room_for_one = prompt_token_upper_bound("Mmm you always know what to say 😘")
    assert await _voice(session, creator.id, room_for_one) == ["Mmm you always know what to say 😘"]


async def test_the_examples_stay_within_the_token_budget_newest_first(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    for i in range(30):
        await _approved(session, creator, f"reply {i:02d} " + "x" * 200, minutes_ago=i)

    examples = await _voice(session, creator.id, 1000)

    assert sum(prompt_token_upper_bound(e) for e in examples) <= 1000
    assert [e[:8] for e in examples] == ["reply 00", "reply 01", "reply 02"]


async def test_only_the_creators_own_approved_replies_teach_the_voice(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    other = await create_user(session)
    await _approved(session, creator, "mine, approved", 1)
    await _approved(session, other, "someone else's voice", 0, edited=True)
    await _approved(session, creator, "still pending", 0, status=DraftStatus.PENDING)
    await _approved(session, creator, "rejected one", 0, status=DraftStatus.REJECTED)
    await _approved(session, creator, "sorry about the refund", 0, escalated_at=utcnow())
    await _approved(session, creator, "mine, approved", 2)  # the same words once

    assert await _voice(session, creator.id) == ["mine, approved"]


async def test_a_fans_name_in_an_example_is_masked_so_no_other_fan_is_greeted_with_it(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    session.add(
        Fan(user_id=creator.id, platform="onlyfans", external_id="f-1", display_name="Dakota Lee")
    )
    await _approved(
        session, creator, "Happy birthday, DAKOTA!! 🎉 see you soon Lee", 1, fan_id="f-1"
    )
    await _approved(session, creator, "Sorry, old habit 😅", 2, escalation_reason="by hand")

    assert await _voice(session, creator.id) == [
        "Happy birthday, [fan's name]!! 🎉 see you soon [fan's name]"
    ]


async def test_the_voice_goes_into_the_drafts_data_never_into_its_instructions(
    session: AsyncSession,
) -> None:
    creator = await create_user(session)
    newcomer = await create_user(session)
    await _approved(session, creator, "VOICE-MARKER-4411 thank you love", 1, edited=True)

    prepared = await prepare(session, creator, ReplyRequest(fan_message="hey"))
    fresh = await prepare(session, newcomer, ReplyRequest(fan_message="hey"))

    assert '"creator_voice": [\n  "VOICE-MARKER-4411 thank you love"\n ]' in prepared.user_content
    assert "VOICE-MARKER-4411" not in prepared.instructions
    assert "creator_voice" in prepared.instructions  # the model is told what the examples are
    assert "creator_voice" not in fresh.user_content  # nothing approved yet: no empty entry
