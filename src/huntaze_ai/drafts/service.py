"""The draft inbox (DESIGN §2.8): every fan-reply draft is stored, then approved (as drafted or
edited), rejected, or escalated to a queue that a manager or the creator answers.

Each decision is one conditional UPDATE on the draft's current state (the loser of a race gets
409 with the state it lost to) and records who and when. Approving re-runs the guard on the
final text and counts the fan's day in the same transaction: a cap reached rolls the approval
back. Approvals and escalations write their webhook event (webhooks/outbox.py) in that
transaction too. Services flush; the request's session commits (but for `_close_answered`, and
a guard's refusal, logged after its rollback: `_log_refusal`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.agencies.access import OverseersOnly
from huntaze_ai.compliance.guard import Guard
from huntaze_ai.compliance.service import ComplianceReason
from huntaze_ai.drafts import repository
from huntaze_ai.drafts.quality import chars_changed
from huntaze_ai.fans.repository import awaiting_message_after
from huntaze_ai.fans.service import message_key, record_reply
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import HotStatement
from huntaze_ai.kit.errors import Conflict, InvalidRequest, NotFound
from huntaze_ai.kit.money import when
from huntaze_ai.kit.text import is_blank
from huntaze_ai.models import Draft, DraftStatus
from huntaze_ai.webhooks import outbox

DEFAULT_DMS_PER_DAY = 3  # the origin app's caps
DEFAULT_PPVS_PER_DAY = 1
MAX_LIST = 200


class DraftNotFound(NotFound):
    default_message = "No such draft"


class DraftStateChanged(Conflict):
    code = "draft_state_changed"
    default_message = "This draft was already decided"


class QueueOverseersOnly(OverseersOnly):
    """DESIGN §2.8: a manager or the creator resolves escalations. A chatter who could answer or
    hand back one would get round the guard's escalate rules, which hold only the answer's
    blocking rules to a person."""

    default_message = (
        "Only the creator and the agency's owners and managers answer or hand back escalations"
    )


class CapsOverseen(OverseersOnly):
    default_message = "Only the creator and the agency's owners and managers set the fan caps"


class MessageAnswered(Conflict):
    code = "message_answered"
    default_message = "The fan's message was already answered with another draft"


class FanCapReached(Conflict):
    code = "fan_cap_reached"
    default_message = "This fan's cap for today is reached"


class BlockedByGuard(InvalidRequest):
    code = "blocked_by_guard"
    default_message = "The compliance guard does not let this text be sent"


class NothingToSend(InvalidRequest):
    default_message = "Write the reply to send: this draft has no text of its own"

    def __init__(self) -> None:
        super().__init__(fields=[{"field": "text", "message": "empty"}])


@dataclass(frozen=True)
class Decided:
    """A draft as a decision left it, and how many other waiting drafts of its fan message an
    answer closed as superseded (Regenerate leaves several; the first one sent answers it)."""

    draft: Draft
    superseded: int = 0


# The stored reason of a draft whose model text repeated its instructions (messaging/checked.py).
# Such a draft is stored without that text; one stored before that holds it, and is refused as
# written so that it never reaches the fan.
PROMPT_LEAK_RULE = "model.prompt_leak"


@dataclass(frozen=True)
class NewDraft:
    creator_id: int
    member_id: int | None
    fan_id: str | None
    platform: str
    fan_message: str
    text: str
    guard_verdict: str
    reasons: list[dict[str, Any]]
    upsell: dict[str, Any] | None
    request_id: str | None


async def record(sessionmaker: async_sessionmaker[AsyncSession], new: NewDraft) -> int:
    """Store a reply's draft; its id. In a short transaction of its own: the reply's session may
    be gone (a stream) or read-only. Escalated ones go straight to the queue."""
    if new.guard_verdict != "escalate":
        # Most replies: one INSERT on its own (no unit of work, no BEGIN/COMMIT).
        return int((await _INSERT.alone(sessionmaker.kw["bind"], _values(new)))[0][0])
    async with sessionmaker() as session, session.begin():
        return await record_in(session, new)


async def record_with_fan(
    sessionmaker: async_sessionmaker[AsyncSession], new: NewDraft
) -> int | None:
    """A pending draft to a named fan and the fan's message in its memory (once per waiting
    message, as `fans.service.remember_in` stores it), as one autocommit statement on
    PostgreSQL: one round trip where a transaction takes five. None where that cannot be (SQLite
    has no data-modifying CTEs; an escalation queues its webhook event): the caller then writes
    both in a transaction (`record_in`, `remember_in`)."""
    bind = sessionmaker.kw["bind"]
    if new.fan_id is None or new.guard_verdict == "escalate" or bind.dialect.name != "postgresql":
        return None
    values = _values(new)
    params = {**values, "key": message_key(new.fan_message), "now": values["created_at"]}
    return int((await _INSERT_WITH_FAN_MESSAGE.alone(bind, params))[0][0])


async def record_in(session: AsyncSession, new: NewDraft) -> int:
    """`record` in the caller's transaction (with what else the reply writes); a write, so on
    SQLite it takes the lock at once when it comes first."""
    if new.guard_verdict != "escalate":
        # Core on the session's connection: no ORM bulk-insert machinery for one row.
        conn = await session.connection()
        return int((await _INSERT.rows(conn, _values(new)))[0][0])
    now = utcnow()
    draft = Draft(**new.__dict__, status=DraftStatus.ESCALATED, created_at=now, escalated_at=now)
    # An escalation queues its webhook event in the same transaction.
    session.add(draft)
    await session.flush()
    await outbox.draft_escalated(session, draft)
    return draft.id


# Built once; each draft only binds its values (building the statement per row cost more than
# executing it).
_NEW_DRAFT = insert(Draft).values(
    {name: bindparam(name) for name in [*NewDraft.__dataclass_fields__, "status", "created_at"]}
)
_INSERT = HotStatement(_NEW_DRAFT.returning(Draft.id))
# The same INSERT with the fan's memory, as one statement on PostgreSQL (`record_with_fan`). In a
# CTE the columns' Python defaults are not filled in, so the flags are given.
_DRAFT_FOR_FAN = (
    _NEW_DRAFT.values(edited=False, offer_sent=False)
    .returning(
        Draft.id,
        Draft.creator_id,
        Draft.platform,
        Draft.fan_id,
        Draft.fan_message,
        Draft.created_at,
    )
    .cte("draft")
)
_INSERT_WITH_FAN_MESSAGE = HotStatement(
    select(_DRAFT_FOR_FAN.c.id).add_cte(awaiting_message_after(_DRAFT_FOR_FAN))
)


def _values(new: NewDraft) -> dict[str, Any]:
    return {**new.__dict__, "status": DraftStatus.PENDING, "created_at": utcnow()}


async def get_draft(session: AsyncSession, creator_id: int, draft_id: int) -> Draft:
    draft = await repository.get(session, creator_id, draft_id)
    if draft is None:
        raise DraftNotFound()
    return draft


async def list_drafts(
    session: AsyncSession,
    creator_id: int,
    *,
    status: str | None,
    fan_id: str | None,
    limit: int,
    platform: str | None = None,
) -> list[Draft]:
    return await repository.listing(
        session,
        creator_id,
        status=status,
        fan_id=fan_id,
        platform=platform,
        limit=max(1, min(limit, MAX_LIST)),
    )


async def escalations(session: AsyncSession, creator_id: int, limit: int = 100) -> list[Draft]:
    """The queue, oldest first."""
    return await repository.listing(
        session,
        creator_id,
        status=DraftStatus.ESCALATED,
        fan_id=None,
        limit=max(1, min(limit, MAX_LIST)),
        oldest_first=True,
    )


async def _locked(
    session: AsyncSession, creator_id: int, draft_id: int, status: str | None = None
) -> Draft:
    """The draft, its row locked until the transaction ends; with `status`, refused (409) when
    it is in another one, before anything else is checked. The lock is a write, and the first
    statement: on SQLite it takes the write lock at once (a transaction that read first could
    only fail with "database is locked" when it came to write); on PostgreSQL a concurrent
    decision on the same draft waits, then finds it decided."""
    if not await repository.lock(session, creator_id, draft_id):
        raise DraftNotFound()
    draft = await get_draft(session, creator_id, draft_id)
    if status is not None and draft.status != status:
        raise DraftStateChanged(f"This draft is already {draft.status}", status=draft.status)
    return draft


async def _move(
    session: AsyncSession, creator_id: int, draft_id: int, from_status: str, **values: Any
) -> Draft:
    if not await repository.transition(session, creator_id, draft_id, from_status, **values):
        current = await get_draft(session, creator_id, draft_id)
        raise DraftStateChanged(f"This draft is already {current.status}", status=current.status)
    return await get_draft(session, creator_id, draft_id)


async def _first_answer(session: AsyncSession, draft: Draft) -> None:
    """Refuse a second answer to one fan message. The fan's count, just before, serializes the
    fan's approvals, so this sees an answer committed by one that ran at the same time."""
    if draft.fan_id is None:
        return  # no fan named: no conversation to tell the drafts' messages apart
    sent = await repository.sent_sibling(session, draft)
    if sent is not None:
        await _close_answered(session, draft)
        raise MessageAnswered(answered_by=sent)


async def _close_answered(session: AsyncSession, draft: Draft) -> None:
    """Supersede a draft found answered by a sibling whose approval skipped its locked row
    (repository.supersede_siblings): left open, it would wait in the inbox or queue for ever,
    every approval of it refused. Committed on its own after a rollback, not with the refused
    approval, since that transaction has already counted the fan's day."""
    creator_id, draft_id, status = draft.creator_id, draft.id, draft.status
    await session.rollback()
    await repository.transition(
        session, creator_id, draft_id, status, status=DraftStatus.SUPERSEDED
    )
    await session.commit()


async def _close_siblings(session: AsyncSession, draft: Draft) -> int:
    if draft.fan_id is None:
        return 0
    return await repository.supersede_siblings(session, draft)


async def open_siblings(
    session: AsyncSession, creator_id: int, drafts: Sequence[Draft]
) -> dict[int, list[int]]:
    """For each of `drafts` that answers the same fan message as other waiting drafts (inbox
    or queue): all their ids, oldest first, its own among them."""
    fans = {(d.platform, d.fan_id) for d in drafts if d.fan_id is not None}
    by_message = await repository.open_siblings(session, creator_id, fans)
    found: dict[int, list[int]] = {}
    for d in drafts:
        ids = by_message.get((d.platform, d.fan_id or "", d.fan_message), [])
        if len(ids) > 1 and d.id in ids:
            found[d.id] = ids
    return found


async def _guarded(
    session: AsyncSession, guard: Guard, draft: Draft, text: str, *, by_handler: bool = False
) -> str:
    """The final text, if the guard lets it be sent. A person answering an escalation is the
    one the escalation asked for: only what the guard blocks outright stops their text. A draft
    handed back from the queue had its fan message seen by that person: its text alone is
    checked. Line ends are a browser's (CRLF from a textarea) or the model's: an unedited draft
    stays so. A refusal is written to the violation log, as a draft's block is when drafted
    (`_log_refusal`)."""
    text = _as_sent(text)
    if is_blank(text):  # zero-width or bidi characters alone would reach the fan as nothing
        raise NothingToSend()
    logged: Sequence[ComplianceReason]
    if by_handler:
        result = guard.check(text, platform=draft.platform)
        # Any blocking finding stops it, even where an escalating one ("refund") outranks it in
        # the overall verdict: the person is who the escalation asked for, not an exemption.
        # Only those are logged: the escalating ones did not stop this text.
        logged = [r for r in result.reasons if r.verdict == "block"]
        if not logged:
            return text
    elif draft.resolved_at is not None:  # handed back (an escalation clears it)
        result = guard.check(text, platform=draft.platform)
        logged = result.reasons
    else:
        result = guard.check(text, platform=draft.platform, fan_message=draft.fan_message)
        logged = result.reasons
    if by_handler or not result.sendable:
        texts = {"message": text, "fan_message": draft.fan_message}
        await _log_refusal(session, guard, logged, texts, result.rules_version)
        raise BlockedByGuard(
            reasons=[
                {"rule": r.rule, "verdict": r.verdict, "why": r.why or r.detail, "detail": r.detail}
                for r in result.reasons
            ]
        )
    return text


async def _log_refusal(
    session: AsyncSession,
    guard: Guard,
    reasons: Sequence[ComplianceReason],
    texts: Mapping[str, str],
    rules_version: str,
) -> None:
    """Log a refused approval's findings, with who asked (the guard's actor). The log is written
    by its own session (compliance/violations.py), so it outlives the refusal; the approval's
    transaction is rolled back first, as the refusal would have it anyway: on SQLite it holds
    the write lock since `_locked`, which the log's session would wait on in vain."""
    await session.rollback()
    await guard.log("approval", reasons, texts, rules_version)


def _as_sent(text: str) -> str:
    """A text as it would be sent: trimmed, with a browser's CRLF line ends as the model's."""
    return text.replace("\r\n", "\n").strip()


def _withheld(draft: Draft) -> bool:
    return any(reason.get("rule") == PROMPT_LEAK_RULE for reason in draft.reasons or [])


def next_utc_midnight(now: datetime) -> datetime:
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


async def fan_caps(session: AsyncSession, creator_id: int) -> tuple[int, int]:
    caps = await repository.caps(session, creator_id)
    if caps is None:
        return DEFAULT_DMS_PER_DAY, DEFAULT_PPVS_PER_DAY
    return caps.dms_per_day, caps.ppvs_per_day


async def _count_for_fan(session: AsyncSession, draft: Draft, offer: bool) -> None:
    if draft.fan_id is None:
        return  # no fan named: nothing to count against
    dm_cap, ppv_cap = await fan_caps(session, draft.creator_id)
    now = utcnow()
    counted = await repository.count_up(
        session,
        creator_id=draft.creator_id,
        platform=draft.platform,
        fan_id=draft.fan_id,
        day=now.date(),
        ppv=1 if offer else 0,
        dm_cap=dm_cap,
        ppv_cap=ppv_cap,
    )
    if not counted:
        what = "PPV offer" if offer else "message"
        resets = next_utc_midnight(now)
        # When it may be tried again, in the words as well: a page shows only the message.
        raise FanCapReached(
            f"This fan already got today's {what} allowance: it resets on {when(resets)}",
            dms_per_day=dm_cap,
            ppvs_per_day=ppv_cap,
            resets_at=resets.isoformat(),
        )


async def approve(
    session: AsyncSession,
    guard: Guard,
    creator_id: int,
    member_id: int,
    draft_id: int,
    text: str | None = None,
    send_offer: bool = False,
) -> Decided:
    """Approve a pending draft, as drafted or with an edited final text; the other waiting
    drafts of its fan message are closed (`Decided.superseded` says how many)."""
    draft = await _locked(session, creator_id, draft_id, DraftStatus.PENDING)
    final = await _guarded(session, guard, draft, text if text is not None else draft.text)
    if final == _as_sent(draft.text) and _withheld(draft):
        raise BlockedByGuard(
            "The assistant's draft repeated its own instructions: write the reply yourself",
            reasons=[{"rule": PROMPT_LEAK_RULE, "verdict": "block", "why": "instructions leaked"}],
        )
    offer = send_offer and bool(draft.upsell) and (draft.upsell or {}).get("kind") == "ppv"
    if send_offer and not offer:
        raise InvalidRequest(
            "This draft has no PPV offer to send", fields=[{"field": "send_offer"}]
        )
    # The count first: a write that takes SQLite's lock at once, and the transition's loser rolls
    # it back with its 409.
    await _count_for_fan(session, draft, offer)
    await _first_answer(session, draft)
    # With no model text (withheld, or a hand-back of an escalated fan message) the reply is
    # written, not edited: counting it as an edit would charge its length to whoever asked.
    changed = chars_changed(draft.text, final) if draft.text else None
    approved = await _move(
        session,
        creator_id,
        draft_id,
        DraftStatus.PENDING,
        status=DraftStatus.APPROVED,
        final_text=final,
        edited=bool(changed),
        chars_changed=changed,
        offer_sent=offer,
        decided_by=member_id,
        decided_at=utcnow(),
    )
    superseded = await _close_siblings(session, draft)
    await outbox.message_approved(session, approved)
    await record_reply(
        session, creator_id, draft.platform, draft.fan_id, final, draft_id, member_id
    )
    return Decided(approved, superseded)


async def reject(session: AsyncSession, creator_id: int, member_id: int, draft_id: int) -> Draft:
    return await _move(
        session,
        creator_id,
        draft_id,
        DraftStatus.PENDING,
        status=DraftStatus.REJECTED,
        decided_by=member_id,
        decided_at=utcnow(),
    )


async def escalate(
    session: AsyncSession, creator_id: int, member_id: int, draft_id: int, reason: str
) -> Draft:
    """A chatter hands a draft to the queue, saying why."""
    why = reason.strip()
    if is_blank(why):
        raise InvalidRequest(
            "Say why a person should answer", fields=[{"field": "reason", "message": "blank"}]
        )
    now = utcnow()
    escalated = await _move(
        session,
        creator_id,
        draft_id,
        DraftStatus.PENDING,
        status=DraftStatus.ESCALATED,
        escalation_reason=why,
        decided_by=member_id,
        decided_at=now,
        escalated_by=member_id,
        escalated_at=now,
        resolved_by=None,  # of an earlier escalation, handed back since
        resolved_at=None,
    )
    await outbox.draft_escalated(session, escalated)
    return escalated


async def resolve(
    session: AsyncSession,
    guard: Guard,
    creator_id: int,
    member_id: int,
    draft_id: int,
    text: str | None,
) -> Decided:
    """Answer an escalation with a person's text (guarded and counted like any approval, the
    other waiting drafts of its fan message closed), or dismiss it without a reply."""
    draft = await _locked(session, creator_id, draft_id, DraftStatus.ESCALATED)
    now = utcnow()
    values: dict[str, Any] = {
        "decided_by": member_id,
        "decided_at": now,
        "resolved_by": member_id,
        "resolved_at": now,
    }
    if text is None:
        dismissed = await _move(
            session,
            creator_id,
            draft_id,
            DraftStatus.ESCALATED,
            status=DraftStatus.DISMISSED,
            **values,
        )
        return Decided(dismissed)
    final = await _guarded(session, guard, draft, text, by_handler=True)
    await _count_for_fan(session, draft, offer=False)
    await _first_answer(session, draft)
    # With no model text (the fan's message itself was escalated) the answer is written, not
    # edited: counting it as an edit would charge its length to whoever asked for the draft.
    changed = chars_changed(draft.text, final) if draft.text else None
    answered = await _move(
        session,
        creator_id,
        draft_id,
        DraftStatus.ESCALATED,
        status=DraftStatus.APPROVED,
        final_text=final,
        edited=bool(changed),
        chars_changed=changed,
        **values,
    )
    superseded = await _close_siblings(session, draft)
    await outbox.message_approved(session, answered, answered_escalation=True)
    await record_reply(
        session, creator_id, draft.platform, draft.fan_id, final, draft_id, member_id
    )
    return Decided(answered, superseded)


async def hand_back(session: AsyncSession, creator_id: int, member_id: int, draft_id: int) -> Draft:
    """Back to the chatters' inbox."""
    now = utcnow()
    return await _move(
        session,
        creator_id,
        draft_id,
        DraftStatus.ESCALATED,
        status=DraftStatus.PENDING,
        decided_by=member_id,
        decided_at=now,
        resolved_by=member_id,  # the queue's part is done, whatever the inbox does next
        resolved_at=now,
    )


async def set_caps(session: AsyncSession, creator_id: int, dms: int, ppvs: int) -> None:
    # One upsert: two people saving the caps at once both succeed, the last one wins.
    await repository.set_caps(session, creator_id, dms, ppvs, utcnow())


async def fan_today(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str
) -> tuple[int, int, datetime]:
    """(DMs left, PPV offers left, when they reset) for the fan today."""
    dm_cap, ppv_cap = await fan_caps(session, creator_id)
    now = utcnow()
    dms, ppvs = await repository.day_counts(session, creator_id, platform, fan_id, now.date())
    return max(0, dm_cap - dms), max(0, ppv_cap - ppvs), next_utc_midnight(now)


async def waiting(session: AsyncSession, creator_id: int) -> tuple[int, int]:
    """(drafts to review, escalations waiting): what the dashboard counts."""
    counts = await repository.counts_by_status(session, creator_id)
    return counts.get(DraftStatus.PENDING, 0), counts.get(DraftStatus.ESCALATED, 0)
