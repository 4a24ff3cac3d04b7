from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.content.schemas import CaptionRequest, CaptionResponse
from huntaze_ai.content.service import generate_captions
from huntaze_ai.kit.errors import AI_ERRORS
from huntaze_ai.llm.dependencies import AIDep

router = APIRouter(prefix="/api/ai/content", tags=["content"], responses=AI_ERRORS)


@router.post("/caption", response_model=CaptionResponse)
async def caption(
    body: CaptionRequest,
    creator: CurrentCreator,
    ai: AIDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> CaptionResponse:
    """Caption variants with hashtags that respect the platform's rules. Metered."""
    return await generate_captions(ai, creator, body, idempotency_key)
