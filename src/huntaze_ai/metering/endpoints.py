from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.generation.service import with_generation
from huntaze_ai.kit.errors import API_ERRORS
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.llm.dependencies import AIDep, MeterDep
from huntaze_ai.metering.reports import parse_month, quota_report, usage_report
from huntaze_ai.metering.schemas import QuotaOut, UsageOut

router = APIRouter(prefix="/api/ai", tags=["quota"], responses=API_ERRORS)


@router.get("/quota", response_model=QuotaOut)
async def get_quota(
    creator: CurrentCreator, session: SessionDep, meter: MeterDep, ai: AIDep
) -> QuotaOut:
    """The creator's monthly AI quota, what is spent and held, the hourly rate limit, and
    whether each agent's smallest request still fits (`paused` when none does)."""
    return with_generation(ai, creator, await quota_report(meter, session, creator))


@router.get("/usage", response_model=UsageOut)
async def get_usage(
    creator: CurrentCreator,
    session: SessionDep,
    month: Annotated[str | None, Query(description="YYYY-MM (UTC); default: this month")] = None,
) -> UsageOut:
    """Every AI call of the month with its cost, and totals by day and by feature."""
    return await usage_report(session, creator, parse_month(month))
