"""Fan memory (DESIGN §2.8): each fan's conversation and notes, kept per creator.

- A fan is the creator, the platform and the fan's id on it: the same id on two platforms is two
  people, each with a conversation, notes and counters of their own.
- The fan's message is stored when a reply is drafted for it, once: a regenerated draft for the
  message still waiting for a reply does not store it again (`FanMemory.awaiting_key`).
- The creator's message is stored when a person approves a draft or answers an escalation, in
  that decision's transaction, with the member and the draft.
- The messaging agent proposes notes with a confidence. At `AUTO_SAVE_AT` or more a proposal is
  saved at once, while the fan's automatic notes stay within `AUTO_PER_DAY` per UTC day and
  `AUTO_IN_ALL` in all (counted in one upsert: neither cap can be passed by concurrent replies on
  any number of instances); the others wait for a chatter to accept or dismiss them. A note the
  fan already has (same text, whatever its case, spacing or final punctuation) is never added
  again, and a dismissed proposal is not asked again.

This module sits below drafts and messaging: it imports neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.fans import repository
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import Conflict, NotFound
from huntaze_ai.kit.text import is_blank
from huntaze_ai.models import FanMessage, FanNote, NoteStatus, Sender

AUTO_SAVE_AT = 0.8
AUTO_PER_DAY = 5
AUTO_IN_ALL = 50
MAX_NOTE_CHARS = 300
MAX_NOTES_LISTED = 200
CONVERSATION_SHOWN = 30


class NoteNotFound(NotFound):
    default_message = "No such note"


class NoteExists(Conflict):
    code = "note_exists"
    default_message = "This fan already has this note"


class ProposalDecided(Conflict):
    code = "proposal_decided"
    default_message = "This proposal was already accepted or dismissed"


@dataclass(frozen=True)
class Proposal:
    category: str
    text: str
    confidence: float


@dataclass(frozen=True)
class Remembered:
    """What became of one proposal: `saved` (automatically) or `proposed` (waits for a person);
    a duplicate of what the fan already has is left out."""

    id: int
    category: str
    text: str
    confidence: float
    status: str


def text_key(text: str) -> str:
    """The text as duplicates are judged: case, runs of spaces and final punctuation aside."""
    return " ".join(text.casefold().split()).rstrip(".!…。 ")


def message_key(text: str) -> str:
    """What tells one waiting message from another: its words, spacing aside."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


async def remember(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    creator_id: int,
    platform: str,
    fan_id: str,
    fan_message: str,
    draft_id: int | None,
    member_id: int | None,
    proposals: Sequence[Proposal],
) -> list[Remembered]:
    """After a reply was drafted: the fan's message (once) and the model's proposed notes. In a
    short transaction of its own, like the draft's record: the reply's session may be gone (a
    stream) or read-only."""
    async with sessionmaker() as session, session.begin():
        return await remember_in(
            session,
            creator_id=creator_id,
            platform=platform,
            fan_id=fan_id,
            fan_message=fan_message,
            draft_id=draft_id,
            member_id=member_id,
            proposals=proposals,
        )


async def remember_in(
    session: AsyncSession,
    *,
    creator_id: int,
    platform: str,
    fan_id: str,
    fan_message: str,
    draft_id: int | None,
    member_id: int | None,
    proposals: Sequence[Proposal],
) -> list[Remembered]:
    """`remember` in the caller's transaction, which must have written already or write now:
    the first statement here is a write, so SQLite's lock is taken before anything is read."""
    now = utcnow()
    key = message_key(fan_message)
    if await repository.mark_awaiting(session, creator_id, platform, fan_id, key, now):
        await repository.add_message(
            session,
            creator_id=creator_id,
            platform=platform,
            fan_id=fan_id,
            sender=Sender.FAN,
            text=fan_message,
            draft_id=draft_id,
            member_id=None,
            now=now,
        )
    return [
        outcome
        for p in proposals
        if (
            outcome := await _propose(
                session, creator_id, platform, fan_id, p, draft_id, member_id, now
            )
        )
    ]


async def _propose(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    proposal: Proposal,
    draft_id: int | None,
    member_id: int | None,
    now: datetime,
) -> Remembered | None:
    text = " ".join(proposal.text.split())[:MAX_NOTE_CHARS]
    # A person's note of only invisible characters is refused (kit/text.is_blank); the model's
    # is dropped the same way, or it would show as an empty line to keep or dismiss.
    if not text_key(text) or is_blank(text):
        return None
    note_id = await repository.propose(
        session,
        {
            "creator_id": creator_id,
            "platform": platform,
            "fan_id": fan_id,
            "category": proposal.category,
            "text": text,
            "text_key": text_key(text),
            "confidence": proposal.confidence,
            "draft_id": draft_id,
            "created_by": member_id,
            "created_at": now,
        },
    )
    if note_id is None:
        return None  # the fan has it already (or a chatter dismissed it)
    status = NoteStatus.PROPOSED
    if proposal.confidence >= AUTO_SAVE_AT and await repository.count_auto_note(
        session,
        creator_id,
        platform,
        fan_id,
        now.date(),
        per_day=AUTO_PER_DAY,
        in_all=AUTO_IN_ALL,
        now=now,
    ):
        await repository.set_status(
            session,
            creator_id,
            platform,
            fan_id,
            note_id,
            NoteStatus.PROPOSED,
            status=NoteStatus.SAVED,
        )
        status = NoteStatus.SAVED
    return Remembered(note_id, proposal.category, text, proposal.confidence, status)


async def record_reply(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str | None,
    text: str,
    draft_id: int,
    member_id: int,
) -> None:
    """The creator's message, as a person approved or wrote it: in the decision's transaction."""
    if fan_id is None:
        return  # a draft for no fan in particular belongs to no conversation
    await repository.add_message(
        session,
        creator_id=creator_id,
        platform=platform,
        fan_id=fan_id,
        sender=Sender.CREATOR,
        text=text,
        draft_id=draft_id,
        member_id=member_id,
        now=utcnow(),
    )
    await repository.clear_awaiting(session, creator_id, platform, fan_id)


async def conversation(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    limit: int = CONVERSATION_SHOWN,
) -> list[FanMessage]:
    """The most recent messages, oldest first."""
    return await repository.recent_messages(session, creator_id, platform, fan_id, limit)


async def notes(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    status: str = NoteStatus.SAVED,
) -> list[FanNote]:
    """Important ones first, then the newest."""
    return await repository.notes(session, creator_id, platform, fan_id, status, MAX_NOTES_LISTED)


async def add_note(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    member_id: int,
    category: str,
    text: str,
) -> FanNote:
    text = text.strip()
    note_id = await repository.add_note(
        session,
        {
            "creator_id": creator_id,
            "platform": platform,
            "fan_id": fan_id,
            "category": category,
            "text": text,
            "text_key": text_key(text),
            "created_by": member_id,
        },
        utcnow(),
    )
    if note_id is None:
        raise NoteExists()
    return await _note(session, creator_id, note_id)


async def edit_note(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    member_id: int,
    note_id: int,
    category: str,
    text: str,
) -> FanNote:
    """A saved note's new category and text (a proposal with the same text is dropped)."""
    text = text.strip()
    values = {
        "category": category,
        "text": text,
        "text_key": text_key(text),
        "updated_by": member_id,
        "updated_at": utcnow(),
    }
    changed = await repository.edit_note(session, creator_id, platform, fan_id, note_id, values)
    if changed is None:
        raise NoteNotFound()
    if changed is False:
        raise NoteExists()
    return await _note(session, creator_id, note_id)


async def delete_note(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str, note_id: int
) -> None:
    if not await repository.delete_note(session, creator_id, platform, fan_id, note_id):
        raise NoteNotFound()


async def decide_proposal(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    member_id: int,
    note_id: int,
    accept: bool,
) -> FanNote:
    """Accept a proposal as a note (a person's decision: no cap applies) or dismiss it."""
    status = NoteStatus.SAVED if accept else NoteStatus.DISMISSED
    if not await repository.set_status(
        session,
        creator_id,
        platform,
        fan_id,
        note_id,
        NoteStatus.PROPOSED,
        status=status,
        decided_by=member_id,
        decided_at=utcnow(),
    ):
        note = await repository.get_note(session, creator_id, note_id)
        if note is None or note.fan_id != fan_id or note.platform != platform:
            raise NoteNotFound()
        raise ProposalDecided(status=note.status)
    return await _note(session, creator_id, note_id)


async def note_platform(
    reader: AsyncSession, creator_id: int, platform: str | None, fan_id: str, note_id: int
) -> str:
    """The platform of the fan whose note `note_id` is: the one named, else the note's own (the
    API names a note by its id, `?platform=` optional), so that a change never touches the same
    id's fan on another platform. On the request's reader, before the change: a write
    transaction that read first could not take SQLite's write lock once another write had
    committed ("database is locked")."""
    if platform is not None:
        return platform
    note = await repository.get_note(reader, creator_id, note_id)
    if note is None or note.fan_id != fan_id:
        raise NoteNotFound()
    return note.platform


async def _note(session: AsyncSession, creator_id: int, note_id: int) -> FanNote:
    note = await repository.get_note(session, creator_id, note_id)
    if note is None:
        raise NoteNotFound()
    return note


async def auto_notes_left(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str
) -> tuple[int, int]:
    """(automatic notes left today, left in all) for the fan."""
    row = await repository.memory(session, creator_id, platform, fan_id)
    if row is None:
        return AUTO_PER_DAY, AUTO_IN_ALL
    today = row.auto_day_notes if row.auto_day == utcnow().date() else 0
    return max(0, AUTO_PER_DAY - today), max(0, AUTO_IN_ALL - row.auto_notes)
