"""Who wrote each message (issue 14, item 8): a creator's month of drafts as CSV, the answer to
"who wrote this?" in a dispute or a chargeback. Per draft: who asked, who drafted it (the AI
model of its usage row, or the person who answered an escalation the model wrote nothing for),
who edited and approved it and when, its way through the escalation queue, its final status
and the text that was sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.drafts import repository
from huntaze_ai.kit.csv_cells import csv_text
from huntaze_ai.metering.quota import month_bounds
from huntaze_ai.models import Draft, DraftStatus, User

COLUMNS = (
    "draft_id",
    "fan_id",
    "platform",
    "created_at",
    "asked_by",
    "drafted_by",
    "edited_by",
    "approved_by",
    "approved_at",
    "chars_changed",
    "escalated_by",
    "escalated_at",
    "resolved_by",
    "resolved_at",
    "final_status",
    "final_text",
)
GUARD = "compliance guard"
MODEL_FILTER = "model safety filter"


def _moment(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def _row(
    draft: Draft, model: str | None, outcome: str | None, people: dict[int, User]
) -> list[object]:
    def who(user_id: int | None) -> str:
        user = people.get(user_id or 0)
        return "" if user is None else user.email

    approved = draft.status == DraftStatus.APPROVED
    approver = who(draft.decided_by) if approved else ""
    ai = f"AI ({model})" if model else "AI"
    # No model text: the person who answered the escalation wrote it all.
    drafted_by = ai if draft.text else approver
    escalated_by = ""
    if draft.escalated_at is not None:
        automatic = MODEL_FILTER if outcome == "blocked" else GUARD
        escalated_by = who(draft.escalated_by) if draft.escalated_by else automatic
    return [
        draft.id,
        draft.fan_id or "",
        draft.platform,
        _moment(draft.created_at),
        who(draft.member_id),
        drafted_by,
        approver if approved and draft.edited and draft.text else "",
        approver,
        _moment(draft.decided_at) if approved else "",
        "" if draft.chars_changed is None else draft.chars_changed,
        escalated_by,
        _moment(draft.escalated_at),
        who(draft.resolved_by),
        _moment(draft.resolved_at),
        draft.status,
        draft.final_text or "",
    ]


async def authorship_csv(session: AsyncSession, creator_id: int, period: date) -> str:
    start, end = month_bounds(period)
    drafts = await repository.month_with_models(session, creator_id, start, end)
    people = await repository.people(
        session,
        (
            person
            for draft, _, _ in drafts
            for person in (draft.member_id, draft.decided_by, draft.escalated_by, draft.resolved_by)
        ),
    )
    return csv_text(COLUMNS, (_row(d, model, outcome, people) for d, model, outcome in drafts))
