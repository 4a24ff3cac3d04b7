from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from huntaze_ai.kit.db import end_transaction
from huntaze_ai.kit.detached_stream import DetachedStreamingResponse
from huntaze_ai.kit.errors import AI_ERRORS, error_responses
from huntaze_ai.messaging.agent import messaging_stream_agent
from huntaze_ai.messaging.dependencies import ReplyContextDep
from huntaze_ai.messaging.schemas import ReplyRequest, ReplyResponse
from huntaze_ai.messaging.service import draft_reply, escalated_response, prepare
from huntaze_ai.messaging.streaming import sse, stream_reply

router = APIRouter(
    prefix="/api/ai/messages", tags=["messaging"], responses={**AI_ERRORS, **error_responses(404)}
)


@router.post("/reply", response_model=ReplyResponse)
async def reply(body: ReplyRequest, ctx: ReplyContextDep) -> ReplyResponse | JSONResponse:
    """A reply draft for a fan message, checked by the compliance guard (the platform's rules
    and the creator's word list). `status` is `draft` (send `reply`), `blocked` (the draft broke
    a rule: do not send; `reply` is empty) or `escalate` (a person must answer); `sendable` is
    true only for `draft`. Metered."""
    return await ctx.replay.run(
        body, lambda key: draft_reply(ctx.session, ctx.ai, ctx.creator, body, key, ctx.guard_for)
    )


@router.post(
    "/reply/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def reply_stream(body: ReplyRequest, ctx: ReplyContextDep) -> StreamingResponse:
    """The same draft, streamed as Server-Sent Events: `delta` events with reply text, then `done`
    with the checked reply (as /reply returns it) or `error` with the JSON error body. Deltas
    stop once the text so far breaks a rule; only `done` says whether it may be sent. Metered."""
    creator, session, ai, idempotency_key = ctx.creator, ctx.session, ctx.ai, ctx.replay.key
    prepared = await prepare(session, creator, body, ctx.guard_for)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if prepared.escalated is not None:
        escalated = await escalated_response(prepared, ai, body.fan_message)
        done = sse("done", escalated.model_dump(mode="json"))
        return StreamingResponse(iter([done]), media_type="text/event-stream", headers=headers)
    await end_transaction(session)  # nothing more to read; the stream may run for a while
    await ai.precheck(creator, messaging_stream_agent, prepared.prompt)
    return DetachedStreamingResponse(
        lambda gone: stream_reply(ai, creator, prepared, body.fan_message, idempotency_key, gone),
        media_type="text/event-stream",
        headers=headers,
    )
