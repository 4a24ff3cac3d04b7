"""What managers see of their team's month: per member and creator, AI calls, spend,
escalations and the quality of their drafts (drafts/quality.py); and each creator's spend
against quota."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies import repository
from huntaze_ai.agencies.schemas import CreatorFigures, CreatorQuota, FiguresOut, MemberFigures
from huntaze_ai.drafts.quality import Tally, tallies, total
from huntaze_ai.kit.money import format_usd
from huntaze_ai.metering.plans import get_user_ai_plan_from_subscription
from huntaze_ai.metering.quota import month_bounds
from huntaze_ai.metering.reports import format_month
from huntaze_ai.metering.service import Meter
from huntaze_ai.models import User


async def team_figures(
    session: AsyncSession, meter: Meter, agency_id: int, period: date
) -> FiguresOut:
    creators = await repository.creators(session, agency_id)
    creator_ids = [c.id for c in creators]
    start, end = month_bounds(period)
    # (member, creator) -> [calls, micros, escalations]
    cells: dict[tuple[int | None, int], list[int]] = defaultdict(lambda: [0] * 3)
    for member_id, creator_id, calls, micros, blocked in await repository.usage_by_member(
        session, creator_ids, start, end
    ):
        cell = cells[(member_id, creator_id)]
        cell[0] += calls
        cell[1] += micros
        cell[2] += blocked
    for member_id, creator_id, escalated in await repository.guard_escalations_by_member(
        session, creator_ids, start, end
    ):
        cells[(member_id, creator_id)][2] += escalated
    quality = await tallies(session, creator_ids, period)
    for key in quality:  # a member who only asked for drafts has a row too
        cells.setdefault(key, [0] * 3)

    seats = {user.id: (user, role) for user, role in await repository.members(session, agency_id)}
    by_creator = {c.id: c for c in creators}
    people: dict[int | None, list[tuple[int, list[int]]]] = defaultdict(list)
    for (member_id, creator_id), cell in sorted(cells.items(), key=lambda kv: kv[0][1]):
        people[member_id].append((creator_id, cell))
    gone = [m for m in people if m is not None and m not in seats and m not in by_creator]
    former = {u.id: u for u in await repository.users(session, gone)}

    def who(member_id: int | None) -> tuple[User | None, str | None]:
        if member_id in seats:
            return seats[member_id]
        if member_id in by_creator:
            return by_creator[member_id], "creator"  # the creator's own calls
        return former.get(member_id or 0), None  # no longer on the team

    members: list[tuple[int, MemberFigures]] = []
    for member_id in [*people, *(s for s in seats if s not in people)]:
        rows = people.get(member_id, [])
        user, role = who(member_id)
        micros = sum(cell[1] for _, cell in rows)
        figures = MemberFigures(
            member_id=member_id,
            email=None if user is None else user.email,
            display_name=None if user is None else user.display_name,
            role=role,
            calls=sum(cell[0] for _, cell in rows),
            cost_usd=format_usd(micros),
            escalations=sum(cell[2] for _, cell in rows),
            **total(quality.get((member_id, c), Tally()) for c, _ in rows).figures().model_dump(),
            by_creator=[
                CreatorFigures(
                    creator_id=creator_id,
                    calls=cell[0],
                    cost_usd=format_usd(cell[1]),
                    escalations=cell[2],
                    **quality.get((member_id, creator_id), Tally()).figures().model_dump(),
                )
                for creator_id, cell in rows
            ],
        )
        members.append((micros, figures))
    members.sort(key=lambda m: (-m[0], -m[1].calls, m[1].email or ""))
    return FiguresOut(
        month=format_month(period),
        members=[m for _, m in members],
        creators=[await _creator_quota(meter, c) for c in creators],
    )


async def _creator_quota(meter: Meter, creator: User) -> CreatorQuota:
    plan = get_user_ai_plan_from_subscription(creator.ai_plan, creator.subscription_tier)
    snap = await meter.ledger.snapshot(creator.id, plan)
    return CreatorQuota(
        id=creator.id,
        email=creator.email,
        display_name=creator.display_name,
        plan=plan,
        spent_usd=format_usd(snap.spent_micros),
        reserved_usd=format_usd(snap.reserved_micros),
        limit_usd=format_usd(snap.limit_micros),
        percent_used=snap.percent_used,
    )
