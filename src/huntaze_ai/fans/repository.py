"""Queries on a fan's conversation, notes and memory counters. Every one is scoped to the
creator; the counters move in single conditional upserts, atomic under any concurrency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    CTE,
    BindParameter,
    Table,
    bindparam,
    case,
    delete,
    exists,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import HotStatement
from huntaze_ai.kit.upsert import HotUpsert, insert_for
from huntaze_ai.models import FanMemory, FanMessage, FanNote, NoteCategory, NoteStatus, Sender

_memory = cast(Table, FanMemory.__table__)
_notes = cast(Table, FanNote.__table__)
# Who a fan is: the same id on two platforms is two people, with two memories.
_FAN_KEY = ["creator_id", "platform", "fan_id"]


def _of_fan(table: Any, creator_id: int, platform: str, fan_id: str) -> list[Any]:
    """The rows of one fan."""
    return [table.creator_id == creator_id, table.platform == platform, table.fan_id == fan_id]


def _mark_awaiting(insert_into: Callable[[Table], Any]) -> Any:
    key: BindParameter[str] = bindparam("key")
    now: BindParameter[datetime] = bindparam("now")
    return (
        insert_into(_memory)
        .values(
            creator_id=bindparam("creator_id"),
            platform=bindparam("platform"),
            fan_id=bindparam("fan_id"),
            auto_notes=0,
            auto_day_notes=0,
            awaiting_key=key,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=_FAN_KEY,
            set_={"awaiting_key": key, "updated_at": now},
            where=or_(_memory.c.awaiting_key.is_(None), _memory.c.awaiting_key != key),
        )
        .returning(_memory.c.creator_id)
    )


# Run on every reply to a named fan (and the message on every approval): built once, sent on
# the driver (issue 16).
_MARK_AWAITING = HotUpsert(_mark_awaiting)
# What a message is written with, by either way (`add_message`, `awaiting_message_after`).
_MESSAGE_COLUMNS = (
    "creator_id",
    "platform",
    "fan_id",
    "sender",
    "text",
    "draft_id",
    "member_id",
    "created_at",
)
_ADD_MESSAGE = HotStatement(
    insert(FanMessage).values({name: bindparam(name) for name in _MESSAGE_COLUMNS})
)


def awaiting_message_after(draft: CTE) -> CTE:
    """PostgreSQL only: the fan's waiting mark and, when the message is new, the message itself,
    as data-modifying CTEs fed by `draft` (an INSERT of the draft returning its id, creator_id,
    platform, fan_id, fan_message and created_at), so that a draft and the fan's memory are one
    statement (issue 16). Binds `key` and `now` besides the draft's; `mark_awaiting` and
    `add_message` are the same writes in a transaction, for SQLite."""
    marked = _mark_awaiting(postgresql.insert).cte("awaiting")
    new_message = select(
        draft.c.creator_id,
        draft.c.platform,
        draft.c.fan_id,
        literal(Sender.FAN.value),
        draft.c.fan_message,
        draft.c.id,
        null(),
        draft.c.created_at,
    ).where(exists(select(marked.c.creator_id)))
    return insert(FanMessage).from_select(list(_MESSAGE_COLUMNS), new_message).cte("message")


async def mark_awaiting(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str, key: str, now: datetime
) -> bool:
    """Make `key` the fan's message waiting for a reply; False when it already was (the same
    message drafted again). A write, so it also takes SQLite's lock first."""
    params = {
        "creator_id": creator_id,
        "platform": platform,
        "fan_id": fan_id,
        "key": key,
        "now": now,
    }
    return bool(await _MARK_AWAITING.rows_in(session, params))


async def clear_awaiting(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str
) -> None:
    await session.execute(
        update(FanMemory)
        .where(*_of_fan(FanMemory, creator_id, platform, fan_id))
        .values(awaiting_key=None)
        .execution_options(synchronize_session=False)
    )


async def add_message(
    session: AsyncSession,
    *,
    creator_id: int,
    platform: str,
    fan_id: str,
    sender: Sender,
    text: str,
    draft_id: int | None,
    member_id: int | None,
    now: datetime,
) -> None:
    """One message of the conversation, in the caller's transaction (its pending changes, such
    as the draft the message points to, are flushed first)."""
    params = {
        "creator_id": creator_id,
        "platform": platform,
        "fan_id": fan_id,
        "sender": sender,
        "text": text,
        "draft_id": draft_id,
        "member_id": member_id,
        "created_at": now,
    }
    await _ADD_MESSAGE.rows_in(session, params)


async def recent_messages(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str, limit: int
) -> list[FanMessage]:
    """The newest `limit` messages, oldest first."""
    rows = await session.scalars(
        select(FanMessage)
        .where(*_of_fan(FanMessage, creator_id, platform, fan_id))
        .order_by(FanMessage.id.desc())
        .limit(limit)
    )
    return list(reversed(rows.all()))


async def count_auto_note(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    day: date,
    *,
    per_day: int,
    in_all: int,
    now: datetime,
) -> bool:
    """Count one automatic note for the fan if both caps still allow it: one statement."""
    if per_day < 1 or in_all < 1:
        return False
    table = _memory
    same_day = table.c.auto_day == day
    stmt = (
        insert_for(session, table)
        .values(
            creator_id=creator_id,
            platform=platform,
            fan_id=fan_id,
            auto_notes=1,
            auto_day=day,
            auto_day_notes=1,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=_FAN_KEY,
            set_={
                "auto_notes": table.c.auto_notes + 1,
                "auto_day_notes": case((same_day, table.c.auto_day_notes + 1), else_=1),
                "auto_day": day,
                "updated_at": now,
            },
            where=(table.c.auto_notes + 1 <= in_all)
            & or_(
                table.c.auto_day.is_(None),
                table.c.auto_day != day,
                table.c.auto_day_notes < per_day,
            ),
        )
        .returning(table.c.auto_notes)
    )
    return (await session.execute(stmt)).first() is not None


async def memory(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str
) -> FanMemory | None:
    return await session.get(FanMemory, (creator_id, platform, fan_id), populate_existing=True)


async def propose(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a proposed note unless the fan has a row with its key (a note, a proposal or a
    dismissed one); its id, or None."""
    stmt = (
        insert_for(session, _notes)
        .values(status=NoteStatus.PROPOSED, **values)
        .on_conflict_do_nothing(index_elements=[*_FAN_KEY, "text_key"])
        .returning(_notes.c.id)
    )
    return (await session.execute(stmt)).scalar()


async def add_note(session: AsyncSession, values: dict[str, Any], now: datetime) -> int | None:
    """A person's note. A proposal or dismissed row with the same key becomes this note; an
    existing note with it is a duplicate (None)."""
    table = _notes
    person = {
        "category": values["category"],
        "text": values["text"],
        "status": NoteStatus.SAVED,
        "confidence": None,
        "created_by": values["created_by"],
        "created_at": now,
        "updated_by": None,
        "updated_at": None,
        "decided_by": None,
        "decided_at": None,
    }
    stmt = (
        insert_for(session, table)
        .values(**values, status=NoteStatus.SAVED, created_at=now)
        .on_conflict_do_update(
            index_elements=[*_FAN_KEY, "text_key"],
            set_=person,
            where=table.c.status != NoteStatus.SAVED,
        )
        .returning(table.c.id)
    )
    return (await session.execute(stmt)).scalar()


async def edit_note(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    note_id: int,
    values: dict[str, Any],
) -> bool | None:
    """Change a saved note; None when there is no such note, False when its new text is
    another note's. A proposal the new text repeats is taken up by it (deleted)."""
    key = values["text_key"]
    await session.execute(
        delete(FanNote).where(
            *_of_fan(FanNote, creator_id, platform, fan_id),
            FanNote.text_key == key,
            FanNote.status != NoteStatus.SAVED,
        )
    )
    try:
        # A savepoint: a concurrent note with the same key fails this statement alone.
        async with session.begin_nested():
            result = await session.execute(
                update(FanNote)
                .where(
                    FanNote.id == note_id,
                    *_of_fan(FanNote, creator_id, platform, fan_id),
                    FanNote.status == NoteStatus.SAVED,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        return False
    return True if getattr(result, "rowcount", 0) else None


async def set_status(
    session: AsyncSession,
    creator_id: int,
    platform: str,
    fan_id: str,
    note_id: int,
    from_status: str,
    **values: Any,
) -> bool:
    result = await session.execute(
        update(FanNote)
        .where(
            FanNote.id == note_id,
            *_of_fan(FanNote, creator_id, platform, fan_id),
            FanNote.status == from_status,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def delete_note(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str, note_id: int
) -> bool:
    result = await session.execute(
        delete(FanNote).where(
            FanNote.id == note_id,
            *_of_fan(FanNote, creator_id, platform, fan_id),
            FanNote.status == NoteStatus.SAVED,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def get_note(session: AsyncSession, creator_id: int, note_id: int) -> FanNote | None:
    return await session.scalar(
        select(FanNote)
        .where(FanNote.id == note_id, FanNote.creator_id == creator_id)
        .execution_options(populate_existing=True)
    )


async def notes(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str, status: str, limit: int
) -> list[FanNote]:
    """Important ones first, then the newest."""
    important = case((FanNote.category == NoteCategory.IMPORTANT, 0), else_=1)
    rows = await session.scalars(
        select(FanNote)
        .where(*_of_fan(FanNote, creator_id, platform, fan_id), FanNote.status == status)
        .order_by(important, FanNote.id.desc())
        .limit(limit)
    )
    return list(rows.all())
