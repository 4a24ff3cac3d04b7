from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.kit.errors import AI_ERRORS, error_responses
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.llm.dependencies import AIDep
from huntaze_ai.metering.replay import ReplayDep
from huntaze_ai.sales.schemas import SuggestionsRequest, SuggestionsResponse
from huntaze_ai.sales.service import suggest

router = APIRouter(
    prefix="/api/ai/sales", tags=["sales"], responses={**AI_ERRORS, **error_responses(404)}
)


@router.post("/suggestions", response_model=SuggestionsResponse)
async def suggestions(
    creator: CurrentCreator,
    session: SessionDep,
    ai: AIDep,
    replay: ReplayDep,
    body: Annotated[SuggestionsRequest | None, Body()] = None,
) -> SuggestionsResponse | JSONResponse:
    """Upsell and PPV suggestions with price ranges, optionally for one fan. Metered."""
    request = body or SuggestionsRequest()
    return await replay.run(request, lambda key: suggest(session, ai, creator, request, key))
