"""What a fan reply needs before its model call, as one dependency.

FastAPI solves a dependency's whole subtree again wherever it appears, even when its value is
cached: the reply took the login, the guard and the replay as three dependencies, each of them
on the login's subtree, 27 nodes solved per request. One dependency on the login solves 8 (issue
16: the reply's CPU)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.auth.dependencies import ReaderActing
from huntaze_ai.compliance.guard import GuardFor, guard_for
from huntaze_ai.kit.session_deps import ReaderDep
from huntaze_ai.llm.pipeline import AIPipeline
from huntaze_ai.metering.replay import Replay, replay_for
from huntaze_ai.models import User


@dataclass(frozen=True)
class ReplyContext:
    creator: User  # whom the reply is for
    session: AsyncSession  # the request's reader: the login, then the reply's reads, on it
    guard_for: GuardFor  # the member who asked, the violation log; the list is read with the rest
    replay: Replay  # the Idempotency-Key's stored answer, if any
    ai: AIPipeline


async def get_reply_context(
    request: Request,
    acting: ReaderActing,
    reader: ReaderDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> ReplyContext:
    replay = replay_for(request, acting.creator, idempotency_key)
    ai = request.app.state.ai
    return ReplyContext(acting.creator, reader, guard_for(request, acting), replay, ai)


ReplyContextDep = Annotated[ReplyContext, Depends(get_reply_context)]
