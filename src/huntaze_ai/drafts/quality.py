"""How good the drafts are (issue 14, item 7): per member who asked and creator, a month of
drafts approved, edited (and by how much), rejected and escalated, and how long escalations
waited for a person. The size of an edit is measured once, when the draft is approved."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date

from rapidfuzz.distance import Levenshtein
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.drafts import repository
from huntaze_ai.drafts.schemas import DraftQuality, MemberQuality, QualityOut
from huntaze_ai.metering.quota import month_bounds
from huntaze_ai.metering.reports import format_month

Cell = tuple[int | None, int]  # (member who asked, creator)


def chars_changed(drafted: str, final: str) -> int:
    """Characters inserted, deleted or replaced between what the model wrote and the approved
    text (Levenshtein distance; the whole text when the model wrote nothing)."""
    return int(Levenshtein.distance(drafted.strip(), final))


@dataclass
class Tally:
    drafts: int = 0
    approved: int = 0
    edited: int = 0
    chars_changed: int = 0  # over the measured edits: drafts approved before 0009 have none
    measured: int = 0
    rejected: int = 0
    escalated: int = 0
    resolve_s: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for counter in fields(self)[:-1]:
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))
        self.resolve_s.extend(other.resolve_s)

    def figures(self) -> DraftQuality:
        waits = self.resolve_s
        return DraftQuality(
            drafts=self.drafts,
            approved=self.approved,
            edited=self.edited,
            approval_rate=round(self.approved / self.drafts, 3) if self.drafts else None,
            edit_rate=round(self.edited / self.approved, 3) if self.approved else None,
            mean_chars_changed=round(self.chars_changed / self.measured, 1)
            if self.measured
            else None,
            rejected=self.rejected,
            escalated=self.escalated,
            resolved=len(waits),
            mean_resolve_s=round(statistics.fmean(waits)) if waits else None,
            median_resolve_s=round(statistics.median(waits)) if waits else None,
        )


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for tally in tallies:
        out.add(tally)
    return out


async def tallies(session: AsyncSession, creator_ids: list[int], period: date) -> dict[Cell, Tally]:
    """The month's drafts of these creators, per member who asked and creator."""
    if not creator_ids:
        return {}
    start, end = month_bounds(period)
    cells: dict[Cell, Tally] = {}
    for member_id, creator_id, counts in await repository.quality_by_member(
        session, creator_ids, start, end
    ):
        drafts, approved, edited, changed, measured, rejected, escalated = counts
        cells[(member_id, creator_id)] = Tally(
            drafts, approved, edited, changed, measured, rejected, escalated
        )
    for member_id, creator_id, escalated_at, resolved_at in await repository.resolutions(
        session, creator_ids, start, end
    ):
        wait = (resolved_at - escalated_at).total_seconds()
        cells.setdefault((member_id, creator_id), Tally()).resolve_s.append(max(0.0, wait))
    return cells


async def creator_quality(session: AsyncSession, creator_id: int, period: date) -> QualityOut:
    """One creator's month: every draft, then per member who asked, most drafts first."""
    cells = await tallies(session, [creator_id], period)
    users = await repository.people(session, (member for member, _ in cells))
    members = []
    for (member_id, _), tally in sorted(cells.items(), key=lambda kv: -kv[1].drafts):
        user = users.get(member_id or 0)
        members.append(
            MemberQuality(
                member_id=None if user is None else member_id,
                email=None if user is None else user.email,
                display_name=None if user is None else user.display_name,
                **tally.figures().model_dump(),
            )
        )
    return QualityOut(
        month=format_month(period),
        creator_id=creator_id,
        totals=total(cells.values()).figures(),
        members=members,
    )
