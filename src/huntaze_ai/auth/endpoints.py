from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from huntaze_ai.auth import service
from huntaze_ai.auth.dependencies import CurrentLogin
from huntaze_ai.auth.schemas import TokenList, TokenOut, TokenRequest, TokenResponse
from huntaze_ai.auth.throttle import LoginThrottle
from huntaze_ai.config import Settings
from huntaze_ai.kit.errors import API_ERRORS, error_responses
from huntaze_ai.kit.session_deps import SessionDep

# Ids are 32-bit integers: a larger one is a 422, not a database error.
MAX_TOKEN_ID = 2**31 - 1

router = APIRouter(
    prefix="/api/auth", tags=["auth"], responses={**API_ERRORS, **error_responses(429)}
)


@router.post("/token", response_model=TokenResponse)
async def issue_token(body: TokenRequest, request: Request, session: SessionDep) -> TokenResponse:
    """Exchange an email and password for a bearer token (valid 30 days). Attempts are limited
    per email and per client IP."""
    # No device cookie here (auth/throttle.py): the callers are integrations, which keep no
    # cookies, and the pages never call this. A creator whose email strangers have filled logs in
    # on the page, where the browser's device cookie counts, and makes a token on /tokens.
    throttle: LoginThrottle = request.app.state.login_throttle
    await throttle.attempt(body.email, request.client.host if request.client else None)
    user = await service.login(session, body.email, body.password)
    settings: Settings = request.app.state.settings
    token = await service.create_api_token(
        session,
        user,
        "login",
        ttl=service.LOGIN_TOKEN_TTL,
        max_active=settings.max_api_tokens,
    )
    return TokenResponse(
        access_token=token, expires_in=int(service.LOGIN_TOKEN_TTL.total_seconds())
    )


@router.get("/tokens", response_model=TokenList)
async def list_tokens(login: CurrentLogin, session: SessionDep) -> TokenList:
    """Your API tokens that still work, newest first (never the tokens themselves). Browser
    sessions are not listed. Tokens are the login's, whichever creator it acts for."""
    tokens = await service.list_api_tokens(session, login.user.id)
    return TokenList(tokens=[TokenOut.model_validate(t, from_attributes=True) for t in tokens])


@router.delete(
    "/tokens/{token_id}", status_code=204, response_class=Response, responses=error_responses(404)
)
async def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=MAX_TOKEN_ID)],
    login: CurrentLogin,
    session: SessionDep,
) -> Response:
    """Revoke one of your API tokens: refused from the next request on, on every instance.
    404 for a token that is not yours, not an API token, or already revoked or expired."""
    await service.revoke_api_token(session, login.user.id, token_id)
    return Response(status_code=204)
