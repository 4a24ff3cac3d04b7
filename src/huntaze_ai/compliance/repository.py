"""Queries of the compliance tables. Every read starts from the creator: another creator's word
or violation is indistinguishable from a missing one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import HotStatement
from huntaze_ai.models import ComplianceViolation, ComplianceWord


async def words_of(session: AsyncSession, creator_id: int) -> Sequence[ComplianceWord]:
    stmt = (
        select(ComplianceWord)
        .where(ComplianceWord.creator_id == creator_id)
        .order_by(ComplianceWord.id)
    )
    return (await session.scalars(stmt)).all()


# (id, phrase, verdict) of each word: read on every check, built once, run as Core on the
# session's connection; a fan reply reads it with its other reads (messaging/reads.py).
WORD_ENTRIES = (
    select(ComplianceWord.id, ComplianceWord.phrase, ComplianceWord.verdict)
    .where(ComplianceWord.creator_id == bindparam("creator_id"))
    .order_by(ComplianceWord.id)
)
_WORD_ENTRIES = HotStatement(WORD_ENTRIES)


async def word_entries(session: AsyncSession, creator_id: int) -> Sequence[Row[int, str, str]]:
    """(id, phrase, verdict) of each word: what the guard compiles, one round trip per check."""
    return await _WORD_ENTRIES.rows_in(session, {"creator_id": creator_id})


async def keys_of(session: AsyncSession, creator_id: int) -> set[str]:
    stmt = select(ComplianceWord.match_key).where(ComplianceWord.creator_id == creator_id)
    return set((await session.scalars(stmt)).all())


async def delete_owned(session: AsyncSession, creator_id: int, word_id: int) -> bool:
    result = await session.execute(
        delete(ComplianceWord).where(
            ComplianceWord.id == word_id, ComplianceWord.creator_id == creator_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def recent_violations(
    session: AsyncSession, creator_id: int, since: datetime, limit: int
) -> Sequence[ComplianceViolation]:
    stmt = (
        select(ComplianceViolation)
        .where(
            ComplianceViolation.creator_id == creator_id, ComplianceViolation.created_at >= since
        )
        .order_by(ComplianceViolation.created_at.desc(), ComplianceViolation.id.desc())
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def counts_by_rule(
    session: AsyncSession, creator_id: int, since: datetime
) -> Sequence[Row[str, str, str, int]]:
    """(rule, category, verdict, count) over the period, most frequent first."""
    count = func.count().label("count")
    stmt = (
        select(
            ComplianceViolation.rule,
            ComplianceViolation.category,
            ComplianceViolation.verdict,
            count,
        )
        .where(
            ComplianceViolation.creator_id == creator_id, ComplianceViolation.created_at >= since
        )
        .group_by(
            ComplianceViolation.rule, ComplianceViolation.category, ComplianceViolation.verdict
        )
        .order_by(count.desc(), ComplianceViolation.rule)
    )
    return (await session.execute(stmt)).all()
