"""Fan-reply drafting (DESIGN §2.1): context from the creator's data, one metered model call, then
the compliance guard on the draft (`checked.py`). A reply is only `draft`, and only then carries
its text, when the guard says `ok`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pydantic_ai import Agent
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.compliance.guard import Guard, GuardFor
from huntaze_ai.compliance.service import ComplianceResult
from huntaze_ai.fans.context import reply_memory
from huntaze_ai.kit.errors import ContentBlocked
from huntaze_ai.kit.money import format_usd
from huntaze_ai.kit.platforms import PLATFORM_NAMES
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.prompts import EMPTY_DATA, clip, data_block, render
from huntaze_ai.messaging import checked
from huntaze_ai.messaging.agent import MessagingDraft, messaging_agent
from huntaze_ai.messaging.leaks import leaks_instructions
from huntaze_ai.messaging.reads import read_for_reply
from huntaze_ai.messaging.schemas import ReplyRequest, ReplyResponse
from huntaze_ai.messaging.voice import voice_context
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.service import MeteredCall
from huntaze_ai.models import User

__all__ = ["Prepared", "draft_reply", "leaks_instructions", "least_prompts", "prepare"]

MAX_REPLY_CHARS = 500
CONVERSATION_BUDGET_TOKENS = 3000
ANSWER_TOKENS = 600  # the reply, its confidence, an upsell, notes; thinking room is added per model


@dataclass(frozen=True)
class Prepared:
    platform: str
    instructions: str
    user_content: str
    incoming: ComplianceResult  # the fan's message checked against the escalation rules
    guard: Guard  # the platform's rules, the creator's own list, the violation log
    fan_id: str | None = None  # as the request named the fan

    @property
    def escalated(self) -> ComplianceResult | None:
        """The fan's message's verdict when it alone needs a human."""
        return self.incoming if self.incoming.verdict == "escalate" else None

    @property
    def prompt(self) -> Prompt:
        return Prompt(Feature.MESSAGING, self.instructions, self.user_content, ANSWER_TOKENS)


async def prepare(
    session: AsyncSession, creator: User, body: ReplyRequest, guard_for: GuardFor | None = None
) -> Prepared:
    """Context for one draft: the creator's word list and voice, the fan and the recent
    conversation, read in one statement. Endpoints pass whose guard it is (the member who
    asked, where violations are logged); without it, the creator's and nothing is logged."""
    reads = await read_for_reply(session, creator.id, body.fan_id, body.platform)
    guard = (guard_for or GuardFor(creator.id, creator.id, None)).with_words(reads.words)
    platform, fan, account = reads.platform, reads.fan, reads.account
    incoming = guard.check_fan_message(body.fan_message, platform=platform)
    if incoming.verdict == "escalate":
        return Prepared(platform, "", "", incoming, guard, body.fan_id)
    memory = reply_memory(body, reads.messages, reads.notes, CONVERSATION_BUDGET_TOKENS)
    instructions = _instructions(creator, platform)
    data = {
        "fan_message": body.fan_message,
        "recent_conversation": memory.conversation,
        "fan_notes": memory.notes,
        "fan": None
        if fan is None
        else {
            "name": fan.display_name,
            "segments": [str(s) for s in fan.segments],
            "notes": clip(fan.notes or "", 1000),
            "total_spent_usd": format_usd(fan.total_spent_micros),
        },
        "creator_account": None if account is None else account.metadata,
        **voice_context(reads.approved),
    }
    return Prepared(platform, instructions, data_block(data), incoming, guard, body.fan_id)


def _instructions(creator: User, platform: str) -> str:
    return _rendered_instructions(creator.display_name, creator.persona, platform)


@functools.lru_cache(maxsize=4096)
def _rendered_instructions(name: str | None, persona: str | None, platform: str) -> str:
    # A pure function of these three, rendered on every reply otherwise.
    return render(
        "messaging.j2",
        creator_name=name,
        persona=persona,
        platform=platform,
        max_chars=MAX_REPLY_CHARS,
    )


def least_prompts(creator: User) -> list[tuple[Agent[None, Any], Prompt]]:
    """The smallest requests a fan reply can make for `creator`: its instructions on each
    platform, an empty fan message and no context. No real reply reserves less."""
    return [
        (
            messaging_agent,
            Prompt(Feature.MESSAGING, _instructions(creator, p), EMPTY_DATA, ANSWER_TOKENS),
        )
        for p in PLATFORM_NAMES
    ]


async def escalated_response(prepared: Prepared, ai: AIPipeline, fan_message: str) -> ReplyResponse:
    """Refunds, chargebacks, threats, minors, self-harm: a person answers, and no model call is
    paid for. Logged."""
    assert prepared.escalated is not None
    usage = MeteredCall.unmetered_summary(ai.model_for(Feature.MESSAGING))
    outcome = checked.escalated(prepared.escalated, fan_message, usage, ai.emulated)
    return await checked.log(prepared, outcome)


async def model_blocked_response(
    prepared: Prepared, exc: ContentBlocked, ai: AIPipeline, fan_message: str
) -> ReplyResponse:
    outcome = checked.model_blocked(exc, fan_message, ai.emulated)
    return await checked.log(prepared, outcome, exc.request_id)


async def finish(
    prepared: Prepared, draft: MessagingDraft, fan_message: str, call: MeteredCall, ai: AIPipeline
) -> ReplyResponse:
    """The guard on the draft and its upsell; blocks and escalations logged."""
    outcome = checked.checked_reply(prepared, draft, fan_message, call.summary(), ai.emulated)
    return await checked.log(prepared, outcome, call.request_id)


async def draft_reply(
    session: AsyncSession,
    ai: AIPipeline,
    creator: User,
    body: ReplyRequest,
    request_id: str | None = None,
    guard_for: GuardFor | None = None,
) -> ReplyResponse:
    prepared = await prepare(session, creator, body, guard_for)
    if prepared.escalated is not None:
        return await escalated_response(prepared, ai, body.fan_message)
    try:
        result = await ai.run(
            creator, messaging_agent, prepared.prompt, request_id=request_id, session=session
        )
    except ContentBlocked as exc:
        return await model_blocked_response(prepared, exc, ai, body.fan_message)
    return await finish(prepared, result.output, body.fan_message, result.call, ai)
