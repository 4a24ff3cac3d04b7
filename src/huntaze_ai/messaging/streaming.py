"""The streamed fan reply: Server-Sent Events `delta` (reply text as it comes), then `done` (the
checked ReplyResponse) or `error` (the JSON error contract).

The whole metered call (`AIPipeline.stream`) lives inside the generator: a stream that never
starts reserves nothing, and a client that goes away mid-stream cancels the generator inside the
call, which settles for what the provider had reported (Gemini reports cumulative usage on
every chunk). A client that leaves before the first report pays the prompt alone, as the provider
counts it (llm/pipeline.py); a stream that breaks without any report is charged an upper bound
(the prompt's bound and one token per byte streamed), never zero for tokens we got. A draft
the model's safety filter blocks ends in `done` with `escalate`.

The compliance guard, like the leak guard, reads every partial: once the text written so far
breaks a rule, nothing more of it is streamed, and `done` says whether the whole draft may be
sent (a page shows `done`'s verdict, never the deltas', as final).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from pydantic_core import from_json

from huntaze_ai.kit.detached_stream import Gone, until_gone
from huntaze_ai.kit.errors import ContentBlocked, HuntazeError
from huntaze_ai.llm.pipeline import AIPipeline
from huntaze_ai.messaging.agent import messaging_stream_agent
from huntaze_ai.messaging.leaks import leaks_instructions
from huntaze_ai.messaging.service import Prepared, finish, model_blocked_response
from huntaze_ai.models import User


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _reply_so_far(raw: str) -> str:
    """The `reply` field of the JSON the model has written so far, its last string cut short."""
    try:
        partial = from_json(raw, allow_partial="trailing-strings")
    except ValueError:
        return ""
    reply = partial.get("reply") if isinstance(partial, dict) else None
    return reply if isinstance(reply, str) else ""


async def stream_reply(
    ai: AIPipeline,
    creator: User,
    prepared: Prepared,
    fan_message: str,
    request_id: str | None,
    gone: Gone | None = None,
) -> AsyncIterator[str]:
    """The events of one streamed reply, produced in a task a disconnect cannot cancel
    (kit/detached_stream.py): when the client goes away, the read of the model's stream is
    cancelled and ClientGone raised here, so the call settles as cancelled, in full."""
    gone = gone or Gone()  # called directly (tests): a client that never leaves
    if gone.fired:
        return  # the client left before anything was reserved
    try:
        async with ai.stream(
            creator, messaging_stream_agent, prepared.prompt, request_id=request_id
        ) as stream:
            sent = ""
            withheld = False
            # aclosing: a consumer that stops early also stops the read of the model's stream.
            async with aclosing(until_gone(stream.texts(), gone)) as texts:
                async for written in texts:
                    text = _reply_so_far(written)
                    if withheld or not (len(text) > len(sent) and text.startswith(sent)):
                        continue
                    # The leak guard runs on every partial, not only on the final draft: once the
                    # text repeats our instructions, nothing more is streamed (`done` then carries
                    # the withheld reply).
                    if leaks_instructions(text, prepared.instructions):
                        withheld = True
                        continue
                    # Likewise a partial the compliance guard would not let through.
                    if not prepared.guard.check(text, platform=prepared.platform).sendable:
                        withheld = True
                        continue
                    yield sse("delta", {"text": text[len(sent) :]})
                    sent = text
            draft = await stream.output()
        done = await finish(prepared, draft, fan_message, stream.call, ai)
        yield sse("done", done.model_dump(mode="json"))
    except ContentBlocked as exc:
        # Text already streamed is taken back: `done` carries the escalation with no reply.
        blocked = await model_blocked_response(prepared, exc, ai, fan_message)
        yield sse("done", blocked.model_dump(mode="json"))
    except HuntazeError as exc:
        yield sse("error", exc.body())
