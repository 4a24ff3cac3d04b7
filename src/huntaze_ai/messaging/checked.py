"""What the guard makes of a fan reply, and what the violation log records of it.

A reply is `draft` (sendable: the text may be sent), `blocked` (the draft broke a rule: it is
withheld and must not be sent) or `escalate` (a person must answer: the fan's message or the
draft raised a refund, a threat, a minor or self-harm, or the model's safety filter refused).
Only a `draft` carries its text. The suggested upsell goes through the same guard; one it would
not let through is dropped with its reasons, and a PPV price is moved into the platform's range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from huntaze_ai.compliance.prices import clamp_ppv
from huntaze_ai.compliance.schemas import ReasonOut
from huntaze_ai.compliance.service import ComplianceResult, verdict_of
from huntaze_ai.drafts.service import PROMPT_LEAK_RULE, NewDraft
from huntaze_ai.drafts.service import record as record_draft
from huntaze_ai.drafts.service import record_in as record_draft_in
from huntaze_ai.drafts.service import record_with_fan as record_draft_with_fan
from huntaze_ai.fans.service import Proposal, remember_in
from huntaze_ai.kit.errors import ContentBlocked
from huntaze_ai.messaging.agent import MessagingDraft, NoteProposal, UpsellDraft
from huntaze_ai.messaging.leaks import leaks_instructions
from huntaze_ai.messaging.schemas import ComplianceOut, FanNoteOut, ReplyResponse, UpsellOut

if TYPE_CHECKING:
    from huntaze_ai.messaging.service import Prepared

Status = Literal["draft", "blocked", "escalate"]
_CENT = Decimal("0.01")
_HOUSE_RULE = "Huntaze house rule: the assistant's instructions and data never reach a fan."


def status_of(verdict: str) -> Status:
    return {"ok": "draft", "block": "blocked"}.get(verdict, "escalate")  # type: ignore[return-value]


def compliance_out(result: ComplianceResult) -> ComplianceOut:
    return ComplianceOut(
        verdict=result.verdict,
        reasons=[ReasonOut.of(r) for r in result.reasons],
        rules_version=result.rules_version,
    )


def prompt_leak_reason() -> ReasonOut:
    return ReasonOut(
        code="prompt_leak",
        detail="the draft repeated its instructions",
        rule=PROMPT_LEAK_RULE,
        category="model",
        verdict="block",
        why="The draft repeats the assistant's own instructions or data; it is withheld.",
        clause=_HOUSE_RULE,
    )


def model_blocked_reason(exc: ContentBlocked) -> ReasonOut:
    return ReasonOut(
        code="model_blocked",
        detail=f"the AI model's safety filter withheld the draft ({exc.category}); "
        "a person should write this reply",
        rule="model.safety_filter",
        category="model",
        verdict="escalate",
        why="The AI model refused to write this reply; a person should answer the fan.",
        clause=f"The AI provider's safety policy ({exc.category}).",
    )


@dataclass
class Checked:
    """The response, and what to log: reasons with the texts they point into."""

    response: ReplyResponse
    logged: list[ReasonOut] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    rules_version: str = ""
    proposals: list[NoteProposal] = field(default_factory=list)


def _upsell(
    prepared: Prepared, upsell: UpsellDraft | None
) -> tuple[UpsellOut | None, ComplianceOut | None]:
    """The upsell if the guard lets its text through (else None and why), its price in range."""
    if upsell is None:
        return None, None
    result = prepared.guard.check(upsell.description, platform=prepared.platform, where="upsell")
    if not result.sendable:
        return None, compliance_out(result)
    price = Decimal(str(upsell.price_usd)).quantize(_CENT)
    note = None
    if upsell.kind == "ppv":
        clamped = clamp_ppv(prepared.platform, price, price)
        price, note = clamped.low, clamped.note
    return UpsellOut(
        kind=upsell.kind, description=upsell.description, price_usd=str(price), price_note=note
    ), None


def checked_reply(
    prepared: Prepared,
    draft: MessagingDraft,
    fan_message: str,
    usage: dict[str, Any],
    emulated: bool,
) -> Checked:
    """The guard on a model's draft: `draft` only when it says ok and nothing leaked."""
    text = draft.reply.strip()
    result = prepared.guard.check(
        text, platform=prepared.platform, fan_message=fan_message, incoming=prepared.incoming
    )
    compliance = compliance_out(result)
    if leaks_instructions(text, prepared.instructions):
        compliance.reasons.append(prompt_leak_reason())
        compliance.verdict = verdict_of(compliance.reasons)  # type: ignore[arg-type]
    status = status_of(compliance.verdict)
    upsell, withheld = _upsell(prepared, draft.suggested_upsell)
    response = ReplyResponse(
        reply=text if status == "draft" else "",
        status=status,
        sendable=status == "draft",
        confidence=round(draft.confidence, 3),
        suggested_upsell=upsell,
        upsell_withheld=withheld,
        compliance=compliance,
        usage=usage,
        emulated=emulated,
    )
    upsell_text = draft.suggested_upsell.description if draft.suggested_upsell else ""
    return Checked(
        response,
        [*compliance.reasons, *(withheld.reasons if withheld else [])],
        {"message": text, "fan_message": fan_message, "upsell": upsell_text},
        result.rules_version,
        _notes_kept(prepared, draft.fan_notes, compliance),
    )


def _notes_kept(
    prepared: Prepared, proposals: list[NoteProposal], compliance: ComplianceOut
) -> list[NoteProposal]:
    """The proposed notes worth keeping: none from a draft that leaked its instructions (the
    model was steered), none that the guard would block (a contact detail is no note)."""
    if _leaked(compliance):
        return []
    guard = prepared.guard
    return [
        p for p in proposals if guard.check(p.text, platform=prepared.platform).verdict != "block"
    ]


def _leaked(compliance: ComplianceOut) -> bool:
    return any(r.rule == PROMPT_LEAK_RULE for r in compliance.reasons)


def escalated(
    result: ComplianceResult, fan_message: str, usage: dict[str, Any], emulated: bool
) -> Checked:
    """The fan's message alone needs a person: no model call was made or paid for."""
    response = ReplyResponse(
        reply="",
        status="escalate",
        sendable=False,
        confidence=0.0,
        compliance=compliance_out(result),
        usage=usage,
        emulated=emulated,
    )
    reasons = list(response.compliance.reasons)
    return Checked(response, reasons, {"fan_message": fan_message}, result.rules_version)


def model_blocked(exc: ContentBlocked, fan_message: str, emulated: bool) -> Checked:
    """The model's safety filter withheld the draft: a person writes this reply. The call was
    billed (DESIGN §2.3), so its usage is what the provider charged."""
    reason = model_blocked_reason(exc)
    response = ReplyResponse(
        reply="",
        status="escalate",
        sendable=False,
        confidence=0.0,
        compliance=ComplianceOut(verdict="escalate", reasons=[reason]),
        usage=exc.details["usage"],
        emulated=emulated,
    )
    return Checked(response, [reason], {"fan_message": fan_message})


async def log(prepared: Prepared, checked: Checked, request_id: str | None = None) -> ReplyResponse:
    """Record the reply's blocks and escalations, store the draft for the inbox (an escalated
    one lands in the queue), and, for a named fan, the fan's message and the proposed notes in
    the fan's memory; the response, with its `draft_id`, for the caller."""
    reasons: Sequence[ReasonOut] = checked.logged
    guard = prepared.guard
    await guard.log("reply", reasons, checked.texts, checked.rules_version)
    response = checked.response
    if guard.sessionmaker is not None:  # None only in unit tests of the guard alone
        upsell = response.suggested_upsell
        new = NewDraft(
            creator_id=guard.creator_id,
            member_id=guard.actor_id,
            fan_id=prepared.fan_id,
            platform=prepared.platform,
            fan_message=checked.texts.get("fan_message", ""),
            # A leaked text is withheld from the inbox too: a chatter writes the reply instead.
            text="" if _leaked(response.compliance) else checked.texts.get("message", ""),
            guard_verdict=response.compliance.verdict,
            reasons=[r.model_dump(mode="json") for r in response.compliance.reasons],
            upsell=None if upsell is None else upsell.model_dump(mode="json"),
            request_id=request_id,
        )
        if prepared.fan_id is None:
            response.draft_id = await record_draft(guard.sessionmaker, new)
            return response
        if (
            not checked.proposals
            and (draft_id := await record_draft_with_fan(guard.sessionmaker, new)) is not None
        ):
            response.draft_id = draft_id  # one statement, where the database allows it
            return response
        # The draft and the fan's memory in one transaction: one pooled connection and one
        # commit where there were two (issue 16); the draft's INSERT is its first write.
        async with guard.sessionmaker() as session, session.begin():
            response.draft_id = await record_draft_in(session, new)
            remembered = await remember_in(
                session,
                creator_id=guard.creator_id,
                platform=prepared.platform,
                fan_id=prepared.fan_id,
                fan_message=new.fan_message,
                draft_id=response.draft_id,
                member_id=guard.actor_id,
                proposals=[Proposal(p.category, p.text, p.confidence) for p in checked.proposals],
            )
        response.fan_notes = [FanNoteOut(**r.__dict__) for r in remembered]
    return response
