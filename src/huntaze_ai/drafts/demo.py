"""The demo's inbox (DESIGN §6 `demo`): two drafts waiting for a chatter and one escalation, for
fans the demo creator has, so /inbox is not empty on first look. Seeded once per creator; they
were written here, not by a model, so no usage row stands behind them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.models import Draft, DraftStatus, Fan, User

_PENDING = [
    (
        "Hey! Love your content, when is the next set coming?",
        "Thank you so much 💕 I'm shooting a new set this weekend, want a sneak peek first?",
    ),
    (
        "You looked amazing in yesterday's post",
        "Aww you're the sweetest 😘 that one was for my favourite people, glad you liked it",
    ),
]
_ESCALATED = "I was charged twice for the last video, I want my money back"


async def seed_demo_inbox(session: AsyncSession, creator: User, member: User) -> int:
    """Drafts added (0 when the creator already has some)."""
    existing = await session.scalar(
        select(func.count()).select_from(Draft).where(Draft.creator_id == creator.id)
    )
    if existing:
        return 0
    fans = list(
        await session.scalars(
            select(Fan).where(Fan.user_id == creator.id).order_by(Fan.total_spent_micros.desc())
        )
    )[:3]
    rows = [
        Draft(
            creator_id=creator.id,
            member_id=member.id,
            fan_id=fan.external_id if fan else None,
            platform=fan.platform if fan else "onlyfans",
            fan_message=message,
            text=reply,
            guard_verdict="ok",
            reasons=[],
            status=DraftStatus.PENDING,
        )
        for fan, (message, reply) in zip([*fans, None, None], _PENDING, strict=False)
    ]
    rows.append(
        Draft(
            creator_id=creator.id,
            member_id=member.id,
            fan_id=fans[-1].external_id if fans else None,
            platform=fans[-1].platform if fans else "onlyfans",
            fan_message=_ESCALATED,
            text="",
            guard_verdict="escalate",
            reasons=[
                {
                    "rule": "refunds.money_back",
                    "verdict": "escalate",
                    "why": "Refunds, chargebacks and bank disputes are for a person to handle, "
                    "with the platform's support.",
                    "detail": "money back",
                }
            ],
            status=DraftStatus.ESCALATED,
            escalated_at=utcnow(),  # the guard sent it to the queue when it was stored
        )
    )
    session.add_all(rows)
    await session.flush()
    return len(rows)
