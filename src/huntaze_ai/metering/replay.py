"""Idempotent replay: a retry with the same `Idempotency-Key` and the same request gets the
original response (status and body) again, with no model call and no charge.

- the same key with another request (method, path or body) is 422 `idempotency_key_reused`;
- a retry while the first call still runs is 409 `duplicate_request` (the reservation's key);
- a response is kept for the key's 7-day window (`IDEMPOTENCY_WINDOW`); a retry after it is 409,
  as the call's usage row still holds the id.

Stored: every answer the call completed, and every failure the provider answered (billed or not:
a retry gets the same error back rather than a second attempt under the same key). Not stored:
refusals before any call (invalid input, quota, rate limit), so a retry after them runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import AnsweredError, HuntazeError
from huntaze_ai.metering import repository
from huntaze_ai.metering.quota import IDEMPOTENCY_WINDOW
from huntaze_ai.metering.service import request_id_for
from huntaze_ai.models import User

M = TypeVar("M", bound=BaseModel)


class IdempotencyKeyReused(HuntazeError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used for a different request"


@dataclass(frozen=True)
class Replay:
    sessions: async_sessionmaker[AsyncSession]
    creator_id: int
    key: str | None
    route: str

    def _digest(self, body: BaseModel | None) -> str:
        payload = "" if body is None else body.model_dump_json()
        return hashlib.sha256(f"{self.route}\n{payload}".encode()).hexdigest()

    async def run(
        self,
        body: BaseModel | None,
        produce: Callable[[str | None], Awaitable[M]],
        *,
        session: AsyncSession | None = None,
    ) -> M | JSONResponse:
        """`produce(key)` once per key: the stored response for a retry, else a new call.

        `session`: the request's own, when it writes what the call produced (insights): the
        response is then kept in the same transaction as those rows (and a second connection
        would wait on that transaction's lock on SQLite)."""
        if self.key is None:
            return await produce(None)
        request_id, digest = request_id_for(self.creator_id, self.key), self._digest(body)
        async with self.sessions() as lookup:
            stored = await repository.find_replay(lookup, request_id, utcnow() - IDEMPOTENCY_WINDOW)
        if stored is not None:
            if stored.request_digest != digest:
                raise IdempotencyKeyReused(idempotency_key=self.key)
            return JSONResponse(json.loads(stored.body), status_code=stored.status_code)
        try:
            result = await produce(self.key)
        except AnsweredError as exc:
            if "usage" in exc.details:  # the call ran: the provider answered or failed
                await self._store(request_id, digest, exc.status_code, exc.body())
            raise
        await self._store(request_id, digest, 200, result.model_dump(mode="json"), session)
        return result

    async def _store(
        self,
        request_id: str,
        digest: str,
        status: int,
        body: Any,
        session: AsyncSession | None = None,
    ) -> None:
        values = {
            "request_id": request_id,
            "user_id": self.creator_id,
            "request_digest": digest,
            "status_code": status,
            "body": json.dumps(body, ensure_ascii=False),
            "created_at": utcnow(),
        }
        if session is not None:
            await repository.store_replay(session, **values)
            return
        async with self.sessions() as own, own.begin():
            await repository.store_replay(own, **values)


def replay_for(request: Request, creator: User, idempotency_key: str | None) -> Replay:
    if idempotency_key is not None:
        # Refused here, before the endpoint runs: a stream has answered 200 by the time `run`
        # or its metered call would look at the key, and could only say so in an error event.
        request_id_for(creator.id, idempotency_key)
    return Replay(
        request.app.state.database.sessionmaker,
        creator.id,
        idempotency_key,
        f"{request.method} {request.url.path}",
    )


async def get_replay(
    request: Request,
    creator: CurrentCreator,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Replay:
    return replay_for(request, creator, idempotency_key)


ReplayDep = Annotated[Replay, Depends(get_replay)]
