"""Typed auth dependencies for endpoints: `CurrentCreator` is the authenticated user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from huntaze_ai.auth.service import authenticate_token, needs_touch, touch_token
from huntaze_ai.kit.db import SessionDep, end_transaction
from huntaze_ai.kit.errors import Unauthenticated
from huntaze_ai.kit.logging import creator_id_var
from huntaze_ai.models import User

_bearer = HTTPBearer(auto_error=False)


async def get_current_creator(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated()
    user, api_token = await authenticate_token(session, credentials.credentials)
    creator_id_var.set(user.id)  # every log line of this request names the creator
    await end_transaction(session)
    if needs_touch(api_token):
        await touch_token(request.app.state.database.sessionmaker, api_token.id)
    return user


CurrentCreator = Annotated[User, Depends(get_current_creator)]
