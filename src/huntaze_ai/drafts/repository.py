"""Queries on drafts and the per-fan daily counters. A transition is one conditional UPDATE on
the draft's current status, so of two chatters deciding at once exactly one wins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.upsert import insert_for
from huntaze_ai.models import Draft, DraftStatus, Fan, FanCaps, FanDay, UsageLog, User

_fan_days = cast(Table, FanDay.__table__)


async def get(session: AsyncSession, creator_id: int, draft_id: int) -> Draft | None:
    return await session.scalar(
        select(Draft)
        .where(Draft.id == draft_id, Draft.creator_id == creator_id)
        .execution_options(populate_existing=True)
    )


async def lock(session: AsyncSession, creator_id: int, draft_id: int) -> bool:
    """A no-op write on the draft's row (see service._locked); False when there is no such
    draft of this creator."""
    result = await session.execute(
        update(Draft)
        .where(Draft.id == draft_id, Draft.creator_id == creator_id)
        .values(status=Draft.status)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def transition(
    session: AsyncSession, creator_id: int, draft_id: int, from_status: str, **values: Any
) -> bool:
    """Move the draft on, if it is still in `from_status`; False when someone else moved it."""
    result = await session.execute(
        update(Draft)
        .where(Draft.id == draft_id, Draft.creator_id == creator_id, Draft.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _same_message(draft: Draft) -> ColumnElement[bool]:
    """The creator's other drafts of the same fan message (Regenerate makes several)."""
    return and_(
        Draft.creator_id == draft.creator_id,
        Draft.platform == draft.platform,
        Draft.fan_id == draft.fan_id,
        Draft.fan_message == draft.fan_message,
        Draft.id != draft.id,
    )


async def sent_sibling(session: AsyncSession, draft: Draft) -> int | None:
    """Another draft of the same fan message sent (approved) since this one was drafted, if
    any. One sent before answered an earlier message with the same words ("hey" again the next
    day), which this draft answers anew."""
    return await session.scalar(
        select(Draft.id)
        .where(
            _same_message(draft),
            Draft.status == DraftStatus.APPROVED,
            Draft.decided_at >= draft.created_at,
        )
        .order_by(Draft.id)
        .limit(1)
    )


_OPEN = (DraftStatus.PENDING, DraftStatus.ESCALATED)


async def supersede_siblings(session: AsyncSession, draft: Draft) -> int:
    """Close the other drafts of the draft's fan message still waiting, in the inbox or in the
    queue; how many. A row another transaction holds is skipped, not waited for (two approvals
    at once would otherwise deadlock): that transaction is an approval of it, which the sent
    draft refuses, or a rejection."""
    waiting = (
        select(Draft.id)
        .where(_same_message(draft), Draft.status.in_(_OPEN))
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        update(Draft)
        .where(Draft.id.in_(waiting), Draft.status.in_(_OPEN))
        .values(status=DraftStatus.SUPERSEDED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def open_siblings(
    session: AsyncSession, creator_id: int, fans: Iterable[tuple[str, str]]
) -> dict[tuple[str, str, str], list[int]]:
    """The waiting drafts (inbox and queue) of the creator's `fans` (platform, fan id), by fan
    message (platform, fan id, message): the ids, oldest first. A message with more than one
    has siblings (Regenerate), of which the first approved closes the others."""
    fans = set(fans)
    if not fans:
        return {}
    rows = await session.execute(
        select(Draft.id, Draft.platform, Draft.fan_id, Draft.fan_message)
        .where(
            Draft.creator_id == creator_id,
            Draft.fan_id.in_({fan_id for _, fan_id in fans}),
            Draft.status.in_(_OPEN),
        )
        .order_by(Draft.id)
    )
    found: dict[tuple[str, str, str], list[int]] = {}
    for draft_id, platform, fan_id, message in rows:
        if fan_id is not None and (platform, fan_id) in fans:
            found.setdefault((platform, fan_id, message), []).append(draft_id)
    return found


async def listing(
    session: AsyncSession,
    creator_id: int,
    *,
    status: str | None,
    fan_id: str | None,
    limit: int,
    platform: str | None = None,
    oldest_first: bool = False,
) -> list[Draft]:
    query = select(Draft).where(Draft.creator_id == creator_id)
    if status is not None:
        query = query.where(Draft.status == status)
    if fan_id is not None:
        query = query.where(Draft.fan_id == fan_id)
    if platform is not None:
        query = query.where(Draft.platform == platform)
    order = (
        (Draft.created_at, Draft.id) if oldest_first else (Draft.created_at.desc(), Draft.id.desc())
    )
    return list(await session.scalars(query.order_by(*order).limit(limit)))


async def caps(session: AsyncSession, creator_id: int) -> FanCaps | None:
    return await session.get(FanCaps, creator_id, populate_existing=True)


async def count_up(
    session: AsyncSession,
    *,
    creator_id: int,
    platform: str,
    fan_id: str,
    day: date,
    ppv: int,
    dm_cap: int,
    ppv_cap: int,
) -> bool:
    """Add one DM (and `ppv` offers) to the fan's day if both stay within their caps: one
    statement, atomic under any concurrency. False when a cap is reached."""
    if dm_cap < 1 or ppv > ppv_cap:
        return False
    table = _fan_days
    stmt = (
        insert_for(session, table)
        .values(creator_id=creator_id, platform=platform, fan_id=fan_id, day=day, dms=1, ppvs=ppv)
        .on_conflict_do_update(
            index_elements=["creator_id", "platform", "fan_id", "day"],
            set_={"dms": table.c.dms + 1, "ppvs": table.c.ppvs + ppv},
            where=(table.c.dms + 1 <= dm_cap) & (table.c.ppvs + ppv <= ppv_cap),
        )
        .returning(table.c.dms)
    )
    return (await session.execute(stmt)).first() is not None


async def day_counts(
    session: AsyncSession, creator_id: int, platform: str, fan_id: str, day: date
) -> tuple[int, int]:
    row = (
        await session.execute(
            select(FanDay.dms, FanDay.ppvs).where(
                FanDay.creator_id == creator_id,
                FanDay.platform == platform,
                FanDay.fan_id == fan_id,
                FanDay.day == day,
            )
        )
    ).first()
    return (0, 0) if row is None else (row[0], row[1])


async def set_caps(
    session: AsyncSession, creator_id: int, dms: int, ppvs: int, now: datetime
) -> None:
    table = cast(Table, FanCaps.__table__)
    values = {"dms_per_day": dms, "ppvs_per_day": ppvs, "updated_at": now}
    await session.execute(
        insert_for(session, table)
        .values(creator_id=creator_id, **values)
        .on_conflict_do_update(index_elements=["creator_id"], set_=values)
    )


async def counts_by_status(session: AsyncSession, creator_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Draft.status, func.count())
        .where(Draft.creator_id == creator_id)
        .group_by(Draft.status)
    )
    return {row[0]: int(row[1]) for row in rows}


async def quality_by_member(
    session: AsyncSession, creator_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int | None, int, list[int]]]:
    """Per (member who asked, creator), the drafts of [start, end): drafts, approved, edited,
    characters changed by the measured edits, measured edits, rejected, escalated."""
    approved = Draft.status == DraftStatus.APPROVED
    measured = and_(approved, Draft.edited, Draft.chars_changed.is_not(None))

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = await session.execute(
        select(
            Draft.member_id,
            Draft.creator_id,
            func.count(),
            count(approved),
            count(and_(approved, Draft.edited)),
            func.coalesce(func.sum(case((measured, Draft.chars_changed), else_=0)), 0),
            count(measured),
            count(Draft.status == DraftStatus.REJECTED),
            count(Draft.escalated_at.is_not(None)),
        )
        .where(Draft.creator_id.in_(creator_ids), Draft.created_at >= start, Draft.created_at < end)
        .group_by(Draft.member_id, Draft.creator_id)
    )
    return [(r[0], r[1], [int(v) for v in r[2:]]) for r in rows]


async def resolutions(
    session: AsyncSession, creator_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int | None, int, datetime, datetime]]:
    """(member who asked, creator, escalated at, resolved at) of the drafts of [start, end) that
    left the queue."""
    rows = await session.execute(
        select(Draft.member_id, Draft.creator_id, Draft.escalated_at, Draft.resolved_at).where(
            Draft.creator_id.in_(creator_ids),
            Draft.created_at >= start,
            Draft.created_at < end,
            Draft.escalated_at.is_not(None),
            Draft.resolved_at.is_not(None),
        )
    )
    # Both moments are there: the query asks for them.
    return cast(list[tuple[int | None, int, datetime, datetime]], [tuple(r) for r in rows])


async def people(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in await session.scalars(select(User).where(User.id.in_(wanted)))}


# (final text, edited, the fan's display name) of the creator's latest approved drafts that never
# were escalations, newest first: the creator's voice, read on every fan reply with its other
# reads (messaging/reads.py).
RECENT_APPROVED = (
    select(Draft.final_text, Draft.edited, Fan.display_name)
    .outerjoin(
        Fan,
        and_(
            Fan.user_id == Draft.creator_id,
            Fan.platform == Draft.platform,
            Fan.external_id == Draft.fan_id,
        ),
    )
    .where(
        Draft.creator_id == bindparam("creator_id"),
        Draft.status == DraftStatus.APPROVED,
        Draft.escalated_at.is_(None),
        # Rows from before escalated_at was kept: a reason means a person answered it.
        Draft.escalation_reason.is_(None),
    )
    .order_by(Draft.created_at.desc())
    .limit(bindparam("limit"))
)


async def month_with_models(
    session: AsyncSession, creator_id: int, start: datetime, end: datetime
) -> list[tuple[Draft, str | None, str | None]]:
    """The creator's drafts of [start, end), oldest first, each with the model and outcome of
    its usage row (none when no model was called)."""
    rows = await session.execute(
        select(Draft, UsageLog.model, UsageLog.outcome)
        .outerjoin(
            UsageLog,
            and_(UsageLog.request_id == Draft.request_id, UsageLog.user_id == Draft.creator_id),
        )
        .where(Draft.creator_id == creator_id, Draft.created_at >= start, Draft.created_at < end)
        .order_by(Draft.created_at, Draft.id)
    )
    return [(r[0], r[1], r[2]) for r in rows]
