"""Queries on agencies, their members, creators, assignments and invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.models import (
    Agency,
    AgencyCreator,
    AgencyInvite,
    AgencyMember,
    ApiToken,
    Assignment,
    ComplianceViolation,
    Draft,
    Fan,
    Role,
    UsageLog,
    User,
)


async def by_name(session: AsyncSession, name: str) -> Agency | None:
    return await session.scalar(select(Agency).where(Agency.name == name))


async def by_id(session: AsyncSession, agency_id: int) -> Agency | None:
    return await session.get(Agency, agency_id)


async def lock(session: AsyncSession, agency_id: int) -> None:
    """Serialize changes to one agency's team, so two owners demoting each other cannot leave it
    with none. A no-op write rather than SELECT FOR UPDATE: on PostgreSQL it locks the row all
    the same; on SQLite it takes the write lock at once (queueing on busy_timeout), which a
    transaction that read first could only get by failing with "database is locked". So it must
    be the transaction's first statement."""
    await session.execute(
        update(Agency)
        .where(Agency.id == agency_id)
        .values(name=Agency.name)
        .execution_options(synchronize_session=False)
    )


async def seat(session: AsyncSession, user_id: int) -> AgencyMember | None:
    return await session.get(AgencyMember, user_id)


async def creator_link(session: AsyncSession, creator_id: int) -> AgencyCreator | None:
    return await session.get(AgencyCreator, creator_id)


async def members(session: AsyncSession, agency_id: int) -> list[tuple[User, str]]:
    """(account, role) of every member, owners first, then by name."""
    order = {Role.OWNER.value: 0, Role.MANAGER.value: 1, Role.CHATTER.value: 2}
    rows = (
        await session.execute(
            select(User, AgencyMember.role)
            .join(AgencyMember, AgencyMember.user_id == User.id)
            .where(AgencyMember.agency_id == agency_id)
            .order_by(User.display_name, User.email)
        )
    ).all()
    return sorted(((r[0], r[1]) for r in rows), key=lambda r: order[r[1]])


async def creators(session: AsyncSession, agency_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(AgencyCreator, AgencyCreator.creator_id == User.id)
        .where(AgencyCreator.agency_id == agency_id)
        .order_by(User.display_name, User.email)
    )
    return list(rows)


async def assignments(session: AsyncSession, agency_id: int) -> list[tuple[int, int]]:
    """(chatter id, creator id) pairs."""
    rows = await session.execute(
        select(Assignment.member_id, Assignment.creator_id).where(Assignment.agency_id == agency_id)
    )
    return [(r[0], r[1]) for r in rows]


async def owner_count(session: AsyncSession, agency_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(AgencyMember)
        .where(AgencyMember.agency_id == agency_id, AgencyMember.role == Role.OWNER)
    )
    return int(count or 0)


async def remove_seat(session: AsyncSession, agency_id: int, user_id: int) -> bool:
    # Assignments go first: SQLite enforces the cascade only with its foreign keys pragma on.
    await session.execute(
        delete(Assignment).where(Assignment.agency_id == agency_id, Assignment.member_id == user_id)
    )
    result = await session.execute(
        delete(AgencyMember).where(
            AgencyMember.agency_id == agency_id, AgencyMember.user_id == user_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def remove_creator(session: AsyncSession, agency_id: int, creator_id: int) -> bool:
    await session.execute(
        delete(Assignment).where(
            Assignment.agency_id == agency_id, Assignment.creator_id == creator_id
        )
    )
    result = await session.execute(
        delete(AgencyCreator).where(
            AgencyCreator.agency_id == agency_id, AgencyCreator.creator_id == creator_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def assignment(
    session: AsyncSession, agency_id: int, chatter_id: int, creator_id: int
) -> Assignment | None:
    return await session.scalar(
        select(Assignment).where(
            Assignment.agency_id == agency_id,
            Assignment.member_id == chatter_id,
            Assignment.creator_id == creator_id,
        )
    )


async def unassign(session: AsyncSession, agency_id: int, chatter_id: int, creator_id: int) -> bool:
    result = await session.execute(
        delete(Assignment).where(
            Assignment.agency_id == agency_id,
            Assignment.member_id == chatter_id,
            Assignment.creator_id == creator_id,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def revoke_all_tokens(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Every API token and browser session of the account stops working at once."""
    await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def invite_by_hash(session: AsyncSession, token_hash: str) -> AgencyInvite | None:
    return await session.scalar(select(AgencyInvite).where(AgencyInvite.token_hash == token_hash))


async def claim_invite(session: AsyncSession, token_hash: str, user_id: int, now: datetime) -> bool:
    """Mark the invitation used, if it still can be: one statement, so of two people opening the
    same link at once exactly one gets in."""
    result = await session.execute(
        update(AgencyInvite)
        .where(
            AgencyInvite.token_hash == token_hash,
            AgencyInvite.used_at.is_(None),
            AgencyInvite.expires_at > now,
        )
        .values(used_at=now, used_by=user_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def open_invites(session: AsyncSession, agency_id: int, now: datetime) -> list[AgencyInvite]:
    rows = await session.scalars(
        select(AgencyInvite)
        .where(
            AgencyInvite.agency_id == agency_id,
            AgencyInvite.used_at.is_(None),
            AgencyInvite.expires_at > now,
        )
        .order_by(AgencyInvite.id.desc())
    )
    return list(rows)


async def cancel_invite(session: AsyncSession, agency_id: int, invite_id: int) -> bool:
    result = await session.execute(
        delete(AgencyInvite).where(
            AgencyInvite.agency_id == agency_id,
            AgencyInvite.id == invite_id,
            AgencyInvite.used_at.is_(None),
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def holds_creator_data(session: AsyncSession, user_id: int) -> bool:
    """Whether the account has worked as a creator: fans, drafts or AI calls of its own."""
    for column in (Fan.user_id, Draft.creator_id, UsageLog.user_id):
        if await session.scalar(select(column).where(column == user_id).limit(1)) is not None:
            return True
    return False


async def cancel_invites_by(session: AsyncSession, agency_id: int, user_id: int) -> None:
    """Drop the open invitations `user_id` made in the agency."""
    await session.execute(
        delete(AgencyInvite).where(
            AgencyInvite.agency_id == agency_id,
            AgencyInvite.created_by == user_id,
            AgencyInvite.used_at.is_(None),
        )
    )


async def usage_by_member(
    session: AsyncSession, creator_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int | None, int, int, int, int]]:
    """Per (member, creator): calls, spend (micro-USD), and model safety blocks of fan replies
    (each one an escalation)."""
    blocked = func.sum(
        case((and_(UsageLog.feature == "messaging", UsageLog.outcome == "blocked"), 1), else_=0)
    )
    rows = (
        await session.execute(
            select(
                UsageLog.member_id,
                UsageLog.user_id,
                func.count(),
                func.coalesce(func.sum(UsageLog.cost_micros), 0),
                func.coalesce(blocked, 0),
            )
            .where(
                UsageLog.user_id.in_(creator_ids),
                UsageLog.created_at >= start,
                UsageLog.created_at < end,
            )
            .group_by(UsageLog.member_id, UsageLog.user_id)
        )
    ).all()
    return [(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def guard_escalations_by_member(
    session: AsyncSession, creator_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int | None, int, int]]:
    """Per (member, creator): replies and checks the guard escalated. One verdict writes one
    row per reason, all stamped with the same instant, so distinct instants count verdicts."""
    rows = (
        await session.execute(
            select(
                ComplianceViolation.actor_id,
                ComplianceViolation.creator_id,
                func.count(func.distinct(ComplianceViolation.created_at)),
            )
            .where(
                ComplianceViolation.creator_id.in_(creator_ids),
                ComplianceViolation.verdict == "escalate",
                ComplianceViolation.created_at >= start,
                ComplianceViolation.created_at < end,
            )
            .group_by(ComplianceViolation.actor_id, ComplianceViolation.creator_id)
        )
    ).all()
    return [(r[0], r[1], int(r[2])) for r in rows]


async def users(session: AsyncSession, ids: Sequence[int]) -> list[User]:
    if not ids:
        return []
    return list(await session.scalars(select(User).where(User.id.in_(ids))))
