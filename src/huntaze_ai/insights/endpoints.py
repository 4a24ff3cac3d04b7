from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.insights.schemas import InsightsResponse
from huntaze_ai.insights.service import MAX_LIST, insight_out, list_insights
from huntaze_ai.kit.errors import API_ERRORS
from huntaze_ai.kit.session_deps import SessionDep

router = APIRouter(prefix="/api/ai/insights", tags=["insights"], responses=API_ERRORS)


@router.get("", response_model=InsightsResponse)
async def get_insights(
    creator: CurrentCreator,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
) -> InsightsResponse:
    """The creator's AI insights, newest first."""
    return InsightsResponse(
        insights=[insight_out(i) for i in await list_insights(session, creator.id, limit)]
    )
