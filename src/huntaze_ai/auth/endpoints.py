from __future__ import annotations

from fastapi import APIRouter, Request

from huntaze_ai.auth import service
from huntaze_ai.auth.schemas import TokenRequest, TokenResponse
from huntaze_ai.auth.throttle import LoginThrottle
from huntaze_ai.kit.db import SessionDep
from huntaze_ai.kit.errors import API_ERRORS, error_responses

router = APIRouter(
    prefix="/api/auth", tags=["auth"], responses={**API_ERRORS, **error_responses(429)}
)


@router.post("/token", response_model=TokenResponse)
async def issue_token(body: TokenRequest, request: Request, session: SessionDep) -> TokenResponse:
    """Exchange an email and password for a bearer token (valid 30 days). Attempts are limited
    per email and per client IP."""
    throttle: LoginThrottle = request.app.state.login_throttle
    await throttle.attempt(body.email, request.client.host if request.client else None)
    user = await service.login(session, body.email, body.password)
    token = await service.create_api_token(session, user, "login", ttl=service.LOGIN_TOKEN_TTL)
    return TokenResponse(
        access_token=token, expires_in=int(service.LOGIN_TOKEN_TTL.total_seconds())
    )
