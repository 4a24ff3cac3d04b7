from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from huntaze_ai.analytics.schemas import RefreshResponse
from huntaze_ai.analytics.service import refresh_insights
from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.kit.errors import AI_ERRORS
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.llm.dependencies import AIDep
from huntaze_ai.metering.replay import ReplayDep

router = APIRouter(prefix="/api/ai/analytics", tags=["analytics"], responses=AI_ERRORS)


@router.post("/refresh", response_model=RefreshResponse)
async def refresh(
    creator: CurrentCreator,
    session: SessionDep,
    ai: AIDep,
    replay: ReplayDep,
) -> RefreshResponse | JSONResponse:
    """New insights from the creator's stats, stored as AI insights. Metered."""
    return await replay.run(
        None, lambda key: refresh_insights(session, ai, creator, key), session=session
    )
