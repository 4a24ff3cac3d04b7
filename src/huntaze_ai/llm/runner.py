"""`run_metered`: one agent run = one model request, inside one `Meter.call`.

The reservation covers exactly one request, so agents run with no retries and a request limit of
one; an unusable answer is a provider error (nothing charged), not a silent second charge.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from pydantic import TypeAdapter
from pydantic_ai import Agent
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import UsageLimits
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import end_transaction
from huntaze_ai.llm.errors import provider_errors
from huntaze_ai.llm.provider import LLM
from huntaze_ai.metering.service import Creator, Meter, MeteredCall

T = TypeVar("T")

_ONE_REQUEST = UsageLimits(request_limit=1)


@dataclass(frozen=True)
class Metered(Generic[T]):
    output: T
    call: MeteredCall

    def usage(self) -> dict[str, Any]:
        return self.call.summary()


@functools.cache
def _output_schema_text(output_type: Hashable) -> str:
    # Agents' output types are fixed, and building the schema costs milliseconds: once each.
    return json.dumps(TypeAdapter(cast(Any, output_type)).json_schema())


def metered_prompt(instructions: str, user_content: str, output_type: Hashable) -> str:
    """What a call's worst case is priced on: instructions, data and the output schema (sent as
    a tool declaration or a response schema, it counts toward the prompt's tokens)."""
    schema = _output_schema_text(output_type)
    return "\n".join((instructions, user_content, schema))


async def run_metered(
    *,
    meter: Meter,
    llm: LLM,
    creator: Creator,
    feature: str,
    agent: Agent[None, T],
    instructions: str,
    user_content: str,
    max_output_tokens: int,
    request_id: str | None = None,
    session: AsyncSession | None = None,
) -> Metered[T]:
    """Run `agent` once, metered. `session`, the caller's, has its transaction ended first, so no
    connection or snapshot is held across the model call."""
    if session is not None:
        await end_transaction(session)
    prompt = metered_prompt(instructions, user_content, cast(Hashable, agent.output_type))
    settings: ModelSettings = {"max_tokens": max_output_tokens, "timeout": llm.timeout_s}
    async with meter.call(
        creator, feature, llm.model_name, max_output_tokens, prompt, request_id
    ) as call:
        with provider_errors():
            result = await agent.run(
                user_content,
                model=llm.model,
                instructions=instructions,
                model_settings=settings,
                usage_limits=_ONE_REQUEST,
            )
        usage = result.usage
        call.record_usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_input_tokens=min(usage.cache_read_tokens, usage.input_tokens),
        )
    return Metered(result.output, call)
