from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.kit.db import ReaderDep, end_transaction
from huntaze_ai.kit.errors import AI_ERRORS, error_responses
from huntaze_ai.llm.dependencies import LLMDep, MeterDep
from huntaze_ai.messaging.schemas import ReplyRequest, ReplyResponse
from huntaze_ai.messaging.service import MAX_OUTPUT_TOKENS, draft_reply, escalated_response, prepare
from huntaze_ai.messaging.streaming import sse, stream_prompt, stream_reply

router = APIRouter(
    prefix="/api/ai/messages", tags=["messaging"], responses={**AI_ERRORS, **error_responses(404)}
)


@router.post("/reply", response_model=ReplyResponse)
async def reply(
    body: ReplyRequest,
    creator: CurrentCreator,
    session: ReaderDep,
    meter: MeterDep,
    llm: LLMDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> ReplyResponse:
    """A reply draft for a fan message, checked by the compliance guard. Metered."""
    return await draft_reply(session, meter, llm, creator, body, idempotency_key)


@router.post(
    "/reply/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def reply_stream(
    body: ReplyRequest,
    creator: CurrentCreator,
    session: ReaderDep,
    meter: MeterDep,
    llm: LLMDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """The same draft, streamed as Server-Sent Events: `delta` events with reply text, then `done`
    with the checked reply (as /reply returns it) or `error` with the JSON error body. Metered."""
    prepared = await prepare(session, creator, body)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if prepared.escalated is not None:
        done = sse("done", escalated_response(prepared, llm).model_dump(mode="json"))
        return StreamingResponse(iter([done]), media_type="text/event-stream", headers=headers)
    prompt = stream_prompt(prepared)
    await end_transaction(session)  # nothing more to read; the stream may run for a while
    await meter.precheck(creator, llm.model_name, MAX_OUTPUT_TOKENS, prompt)
    return StreamingResponse(
        stream_reply(meter, llm, creator, prepared, body.fan_message, idempotency_key),
        media_type="text/event-stream",
        headers=headers,
    )
