"""The demo's fan memory (DESIGN §6 `demo`): the demo creator's three biggest fans get a short
conversation and a few notes (some written by a person, some by the assistant, one proposal
waiting), and the fans' messages the demo inbox answers join their conversations. Seeded once
per creator; written here, not by a model."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.fans.service import text_key
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.models import Draft, Fan, FanMessage, FanNote, NoteStatus, Sender, User

# Per fan, by spend: (sender, text, hours ago), then (category, text, confidence or None for a
# person's note, status).
Turns = list[tuple[str, str, int]]
Notes = list[tuple[str, str, float | None, str]]
_MEMORY: list[tuple[Turns, Notes]] = [
    (
        [
            ("fan", "Good morning! Just got back from a 10k run 🏃", 50),
            ("creator", "Look at you go! 🔥 Proud of you, how are the legs feeling?", 49),
            ("fan", "Dead 😂 but worth it. My birthday is December 12 btw", 48),
            ("creator", "Noted 🎂 I might have a little surprise for you that day 😉", 47),
        ],
        [
            ("interests", "Runs 10k races", 0.91, NoteStatus.SAVED),
            ("personal", "Birthday is December 12", 0.94, NoteStatus.SAVED),
            ("important", "Does not want to be called daddy", None, NoteStatus.SAVED),
            ("emotional_state", "Was tired after a long week", 0.62, NoteStatus.PROPOSED),
        ],
    ),
    (
        [
            ("fan", "Do you do custom videos?", 30),
            ("creator", "I do! 💕 Tell me what you have in mind and I'll send you the details", 29),
        ],
        [
            ("purchase_behavior", "Buys customs, budget around $50", None, NoteStatus.SAVED),
            ("communication_style", "Short messages, lots of emoji", 0.83, NoteStatus.SAVED),
        ],
    ),
    (
        [("fan", "Sorry I've been quiet, work has been crazy", 80)],
        [("personal", "Works night shifts as a nurse", 0.88, NoteStatus.SAVED)],
    ),
]


async def seed_demo_memory(session: AsyncSession, creator: User, member: User) -> int:
    """Messages and notes added (0 when the creator's fans have a memory already)."""
    existing = await session.scalar(
        select(func.count()).select_from(FanMessage).where(FanMessage.creator_id == creator.id)
    )
    if existing:
        return 0
    fans = list(
        await session.scalars(
            select(Fan).where(Fan.user_id == creator.id).order_by(Fan.total_spent_micros.desc())
        )
    )[: len(_MEMORY)]
    now = utcnow()
    rows: list[FanMessage | FanNote] = []
    for fan, (turns, notes) in zip(fans, _MEMORY, strict=False):
        for sender, text, hours in turns:
            rows.append(
                FanMessage(
                    creator_id=creator.id,
                    platform=fan.platform,
                    fan_id=fan.external_id,
                    sender=sender,
                    text=text,
                    member_id=member.id if sender == Sender.CREATOR else None,
                    created_at=now - timedelta(hours=hours),
                )
            )
        for category, text, confidence, status in notes:
            rows.append(
                FanNote(
                    creator_id=creator.id,
                    platform=fan.platform,
                    fan_id=fan.external_id,
                    category=category,
                    text=text,
                    text_key=text_key(text),
                    status=status,
                    confidence=confidence,
                    created_by=member.id,
                    created_at=now - timedelta(hours=40),
                )
            )
    # The inbox's drafts answer these fans' latest messages: they belong to the conversation.
    waiting = await session.scalars(
        select(Draft).where(Draft.creator_id == creator.id, Draft.fan_id.is_not(None))
    )
    for draft in waiting:
        rows.append(
            FanMessage(
                creator_id=creator.id,
                platform=draft.platform,
                fan_id=draft.fan_id,
                sender=Sender.FAN,
                text=draft.fan_message,
                draft_id=draft.id,
                created_at=draft.created_at,
            )
        )
    session.add_all(rows)
    await session.flush()
    return len(rows)
