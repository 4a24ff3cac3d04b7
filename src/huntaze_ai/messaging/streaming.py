"""The streamed fan reply: Server-Sent Events `delta` (reply text as it comes), then `done` (the
checked ReplyResponse) or `error` (the JSON error contract).

The whole metered call lives inside the generator: a stream that never starts reserves nothing,
and a client that goes away mid-stream cancels the generator inside `Meter.call`, which settles
for what was produced. When a stream breaks before the provider reported usage, the charge is an
upper bound (the prompt's bound and one token per byte streamed), never zero for tokens we got.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from pydantic_ai.messages import ModelResponse, TextPart
from pydantic_ai.result import StreamedRunResult
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import UsageLimits
from pydantic_core import from_json

from huntaze_ai.kit.errors import HuntazeError
from huntaze_ai.llm.errors import provider_errors
from huntaze_ai.llm.provider import LLM
from huntaze_ai.llm.runner import metered_prompt
from huntaze_ai.messaging.agent import MessagingDraft, messaging_stream_agent
from huntaze_ai.messaging.service import (
    MAX_OUTPUT_TOKENS,
    Prepared,
    finish,
    leaks_instructions,
)
from huntaze_ai.metering.pricing import prompt_token_upper_bound
from huntaze_ai.metering.service import Meter, MeteredCall
from huntaze_ai.models import User


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def stream_prompt(prepared: Prepared) -> str:
    return metered_prompt(prepared.instructions, prepared.user_content, MessagingDraft)


def _text_so_far(response: ModelResponse) -> str:
    return "".join(p.content for p in response.parts if isinstance(p, TextPart))


def _reply_so_far(raw: str) -> str:
    """The `reply` field of the JSON the model has written so far, its last string cut short."""
    try:
        partial = from_json(raw, allow_partial="trailing-strings")
    except ValueError:
        return ""
    reply = partial.get("reply") if isinstance(partial, dict) else None
    return reply if isinstance(reply, str) else ""


def _record(
    call: MeteredCall, result: StreamedRunResult[None, MessagingDraft], prompt: str, produced: str
) -> None:
    usage = result.usage
    if usage.input_tokens or usage.output_tokens:
        call.record_usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_input_tokens=min(usage.cache_read_tokens, usage.input_tokens),
        )
    elif produced:
        # No usage report (the stream broke or was abandoned): bound what the model wrote by
        # its bytes, as the prompt is bounded by its bytes.
        call.record_usage(
            input_tokens=prompt_token_upper_bound(prompt), output_tokens=len(produced.encode())
        )


async def stream_reply(
    meter: Meter,
    llm: LLM,
    creator: User,
    prepared: Prepared,
    fan_message: str,
    request_id: str | None,
) -> AsyncIterator[str]:
    prompt = stream_prompt(prepared)
    settings: ModelSettings = {"max_tokens": MAX_OUTPUT_TOKENS, "timeout": llm.timeout_s}
    try:
        async with meter.call(
            creator, "messaging", llm.model_name, MAX_OUTPUT_TOKENS, prompt, request_id
        ) as call:
            sent = produced = ""
            withheld = False
            with provider_errors():
                async with messaging_stream_agent.run_stream(
                    prepared.user_content,
                    model=llm.model,
                    instructions=prepared.instructions,
                    model_settings=settings,
                    usage_limits=UsageLimits(request_limit=1),
                ) as result:
                    try:
                        async for response in result.stream_response(debounce_by=None):
                            produced = _text_so_far(response)
                            text = _reply_so_far(produced)
                            if withheld or not (len(text) > len(sent) and text.startswith(sent)):
                                continue
                            # The leak guard runs on every partial, not only on the final draft:
                            # once the text repeats our instructions, nothing more is streamed
                            # (`done` then carries the withheld reply).
                            if leaks_instructions(text, prepared.instructions):
                                withheld = True
                                continue
                            yield sse("delta", {"text": text[len(sent) :]})
                            sent = text
                        draft = await result.get_output()
                    finally:
                        _record(call, result, prompt, produced)
        yield sse("done", finish(prepared, draft, fan_message, call, llm).model_dump(mode="json"))
    except HuntazeError as exc:
        yield sse("error", exc.body())
