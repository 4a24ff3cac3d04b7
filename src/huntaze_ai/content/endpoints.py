from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.content.schemas import CaptionRequest, CaptionResponse
from huntaze_ai.content.service import generate_captions
from huntaze_ai.kit.errors import AI_ERRORS
from huntaze_ai.llm.dependencies import AIDep
from huntaze_ai.metering.replay import ReplayDep

router = APIRouter(prefix="/api/ai/content", tags=["content"], responses=AI_ERRORS)


@router.post("/caption", response_model=CaptionResponse)
async def caption(
    body: CaptionRequest,
    creator: CurrentCreator,
    ai: AIDep,
    replay: ReplayDep,
) -> CaptionResponse | JSONResponse:
    """Caption variants with hashtags that respect the platform's rules. Metered."""
    return await replay.run(body, lambda key: generate_captions(ai, creator, body, key))
