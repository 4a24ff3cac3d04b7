from __future__ import annotations

from fastapi import APIRouter, Request

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.compliance.budget import CheckBudget
from huntaze_ai.compliance.offload import GuardProcess
from huntaze_ai.compliance.schemas import CheckRequest, CheckResponse, ReasonOut
from huntaze_ai.compliance.service import check_message
from huntaze_ai.kit.errors import API_ERRORS, error_responses

router = APIRouter(
    prefix="/api/ai/compliance",
    tags=["compliance"],
    responses={**API_ERRORS, **error_responses(429)},
)


@router.post("/check", response_model=CheckResponse)
async def check(body: CheckRequest, creator: CurrentCreator, request: Request) -> CheckResponse:
    """The guard the messaging agent applies to drafts, for a message written by hand.
    No model call and no charge, but a budget per creator and hour (429 beyond it)."""
    budget: CheckBudget = request.app.state.check_budget
    guard: GuardProcess = request.app.state.guard_process
    await budget.spend(creator.id)
    result = await guard.run(check_message, body.text, platform=body.platform)
    return CheckResponse(
        verdict=result.verdict,
        reasons=[ReasonOut(code=r.code, detail=r.detail) for r in result.reasons],
    )
