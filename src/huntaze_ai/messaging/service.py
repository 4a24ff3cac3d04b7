"""Fan-reply drafting (DESIGN §2.1): context from the creator's data, one metered model call, then
the compliance guard on the draft. A draft is only ever `draft` when the guard says `ok`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.compliance.service import ComplianceResult, check_message
from huntaze_ai.creator_data.service import get_fan, get_platform_context
from huntaze_ai.kit.errors import ContentBlocked
from huntaze_ai.kit.money import format_usd
from huntaze_ai.llm.pipeline import AIPipeline, Prompt
from huntaze_ai.llm.prompts import clip, data_block, keep_recent_within, render
from huntaze_ai.messaging.agent import MessagingDraft, messaging_agent
from huntaze_ai.messaging.leaks import leaks_instructions
from huntaze_ai.messaging.schemas import (
    ComplianceOut,
    ComplianceReasonOut,
    ReplyRequest,
    ReplyResponse,
    UpsellOut,
)
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.service import MeteredCall
from huntaze_ai.models import User

MAX_REPLY_CHARS = 500
CONVERSATION_BUDGET_TOKENS = 3000
ANSWER_TOKENS = 400  # the reply, its confidence and an upsell; thinking room is added per model


def _compliance_out(result: ComplianceResult) -> ComplianceOut:
    return ComplianceOut(
        verdict=result.verdict,
        reasons=[ComplianceReasonOut(code=r.code, detail=r.detail) for r in result.reasons],
    )


@dataclass(frozen=True)
class Prepared:
    platform: str
    instructions: str
    user_content: str
    escalated: ComplianceResult | None  # set when the fan's message alone needs a human

    @property
    def prompt(self) -> Prompt:
        return Prompt(Feature.MESSAGING, self.instructions, self.user_content, ANSWER_TOKENS)


async def prepare(session: AsyncSession, creator: User, body: ReplyRequest) -> Prepared:
    """Context for one draft: the creator's voice, the fan and the recent conversation."""
    platform = body.platform or "onlyfans"
    incoming = check_message(body.fan_message, platform=platform, fan_message=body.fan_message)
    if incoming.verdict == "escalate":
        return Prepared(platform, "", "", incoming)
    fan = await get_fan(session, creator.id, body.fan_id, body.platform) if body.fan_id else None
    account = await get_platform_context(session, creator.id, platform)
    turns = [f"{t.sender}: {clip(t.text, 1000)}" for t in body.conversation]
    instructions = render(
        "messaging.j2",
        creator_name=creator.display_name,
        persona=creator.persona,
        platform=platform,
        max_chars=MAX_REPLY_CHARS,
    )
    data = {
        "fan_message": body.fan_message,
        "recent_conversation": keep_recent_within(turns, CONVERSATION_BUDGET_TOKENS),
        "fan": None
        if fan is None
        else {
            "name": fan.display_name,
            "segments": [str(s) for s in fan.segments],
            "notes": clip(fan.notes or "", 1000),
            "total_spent_usd": format_usd(fan.total_spent_micros),
        },
        "creator_account": None if account is None else account.metadata,
    }
    return Prepared(platform, instructions, data_block(data), None)


def escalated_response(prepared: Prepared, ai: AIPipeline) -> ReplyResponse:
    """Refunds, chargebacks, legal threats: a human answers, and no model call is paid for."""
    assert prepared.escalated is not None
    return ReplyResponse(
        reply="",
        status="escalate",
        confidence=0.0,
        compliance=_compliance_out(prepared.escalated),
        usage=MeteredCall.unmetered_summary(ai.model_for(Feature.MESSAGING)),
        emulated=ai.emulated,
    )


def model_blocked_response(exc: ContentBlocked, ai: AIPipeline) -> ReplyResponse:
    """The model's safety filter withheld the draft: a person writes this reply. The call was
    billed (DESIGN §2.3), so its usage is what the provider charged."""
    reason = ComplianceReasonOut(
        code="model_blocked",
        detail=f"the AI model's safety filter withheld the draft ({exc.category}); "
        "a person should write this reply",
    )
    return ReplyResponse(
        reply="",
        status="escalate",
        confidence=0.0,
        compliance=ComplianceOut(verdict="escalate", reasons=[reason]),
        usage=exc.details["usage"],
        emulated=ai.emulated,
    )


def finish(
    prepared: Prepared, draft: MessagingDraft, fan_message: str, call: MeteredCall, ai: AIPipeline
) -> ReplyResponse:
    """The guard on the draft: `draft` only when compliance says ok and nothing leaked."""
    reply = draft.reply.strip()
    compliance = _compliance_out(
        check_message(reply, platform=prepared.platform, fan_message=fan_message)
    )
    if leaks_instructions(reply, prepared.instructions):
        reply = ""
        compliance.reasons.append(
            ComplianceReasonOut(code="prompt_leak", detail="the draft repeated its instructions")
        )
        compliance.verdict = "block"
    upsell = draft.suggested_upsell
    return ReplyResponse(
        reply=reply,
        status="draft" if compliance.verdict == "ok" else "escalate",
        confidence=round(draft.confidence, 3),
        suggested_upsell=None
        if upsell is None
        else UpsellOut(
            kind=upsell.kind,
            description=upsell.description,
            price_usd=str(Decimal(str(upsell.price_usd)).quantize(Decimal("0.01"))),
        ),
        compliance=compliance,
        usage=call.summary(),
        emulated=ai.emulated,
    )


async def draft_reply(
    session: AsyncSession,
    ai: AIPipeline,
    creator: User,
    body: ReplyRequest,
    request_id: str | None = None,
) -> ReplyResponse:
    prepared = await prepare(session, creator, body)
    if prepared.escalated is not None:
        return escalated_response(prepared, ai)
    try:
        result = await ai.run(
            creator, messaging_agent, prepared.prompt, request_id=request_id, session=session
        )
    except ContentBlocked as exc:
        return model_blocked_response(exc, ai)
    return finish(prepared, result.output, body.fan_message, result.call, ai)
