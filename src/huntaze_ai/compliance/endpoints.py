from __future__ import annotations

from fastapi import APIRouter

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.compliance.schemas import CheckRequest, CheckResponse, ReasonOut
from huntaze_ai.compliance.service import check_message
from huntaze_ai.kit.errors import API_ERRORS

router = APIRouter(prefix="/api/ai/compliance", tags=["compliance"], responses=API_ERRORS)


@router.post("/check", response_model=CheckResponse)
async def check(body: CheckRequest, creator: CurrentCreator) -> CheckResponse:
    """The guard the messaging agent applies to drafts, for a message written by hand.
    No model call and no charge."""
    result = check_message(body.text, platform=body.platform)
    return CheckResponse(
        verdict=result.verdict,
        reasons=[ReasonOut(code=r.code, detail=r.detail) for r in result.reasons],
    )
