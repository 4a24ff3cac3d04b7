"""The one AI-call pipeline: every agent's model call is `AIPipeline.run` or `AIPipeline.stream`.

It owns what every call shares, so agents only build their `Prompt` and read their output:
- the agent's model, or its budget fallback when only that one fits the quota (`Meter.call`
  decides, atomically);
- the settings each request sends: thinking bound, safety thresholds, maxOutputTokens, no retries;
- one request per call (no retries, a request limit of one): the reservation covers one request;
- usage capture from every answer that reports it, usable or not, so a blocked, truncated or
  malformed answer is charged what the provider bills, and error translation (llm/errors.py);
- the metered call itself, and ending the caller's transaction before the model runs.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from pydantic import TypeAdapter
from pydantic_ai import Agent
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import end_transaction
from huntaze_ai.kit.errors import AnsweredError
from huntaze_ai.llm.engines import Failed, Request, Stream
from huntaze_ai.llm.provider import LLM, AgentModel
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import TokenUsage
from huntaze_ai.metering.service import Creator, Meter, MeteredCall, ModelChoice

T = TypeVar("T")
log = logging.getLogger(__name__)
# Counting an abandoned prompt's tokens waits this long at most before settling on the bound.
COUNT_TIMEOUT_S = 5.0
# A stream ends within this share of its reservation's lifetime (5 of the 10 minutes): past that
# lifetime the sweep frees the hold while the provider still bills, and the settlement would
# charge money the quota no longer holds (invariant 1). The rest covers opening and settling.
STREAM_SHARE_OF_RESERVATION = 0.5


@dataclass(frozen=True)
class Prompt:
    """What an agent asks: trusted instructions, the untrusted data block, and the output tokens
    its answer needs (thinking room is added per model)."""

    feature: Feature
    instructions: str
    user_content: str
    answer_tokens: int


@dataclass(frozen=True)
class Metered(Generic[T]):
    output: T
    call: MeteredCall

    def usage(self) -> dict[str, Any]:
        return self.call.summary()


@functools.cache
def _schema_text(output_type: Hashable) -> str:
    # Agents' output types are fixed, and building the schema costs milliseconds: once each.
    return json.dumps(TypeAdapter(cast(Any, output_type)).json_schema())


def _output_schema_text(agent: Agent[None, Any]) -> str:
    # NativeOutput (unhashable) wraps the type it asks for as a response schema.
    output_type = getattr(agent.output_type, "outputs", agent.output_type)
    return _schema_text(cast(Hashable, output_type))


def metered_text(prompt: Prompt, agent: Agent[None, Any]) -> str:
    """What a call's worst case is priced on: instructions, data and the output schema (sent as
    a tool declaration or a response schema, it counts toward the prompt's tokens)."""
    schema = _output_schema_text(agent)
    return "\n".join((prompt.instructions, prompt.user_content, schema))


def _record(call: MeteredCall, usage: TokenUsage | None) -> None:
    if usage is not None:
        call.record_usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cached_input_tokens=usage.cached_input_tokens,
        )


class Streamed(Generic[T]):
    """A streamed answer in progress: `texts()` as the model writes, then `output()`."""

    def __init__(self, stream: Stream[T], call: MeteredCall) -> None:
        self._stream = stream
        self.call = call

    def texts(self) -> AsyncIterator[str]:
        """The text written so far, after each piece the model sends."""
        return self._stream.texts()

    async def output(self) -> T:
        return await self._stream.output()

    def record(self, *, finished: bool) -> None:
        """The usage to charge: the provider's (cumulative, the last report wins). Without any
        report (an OpenAI-compatible endpoint reports usage on its last chunk only):
        - a stream that finished is left unmeasured, as a whole answer without usage is, and the
          Meter charges its reservation: the text's bytes would miss the thoughts, never streamed;
        - one that broke off is charged a bound on what it can have cost: the prompt's upper
          bound, and the text's bytes but never more output than maxOutputTokens lets a model
          write. Both are the reservation's own bounds, so the charge never passes the hold
          (invariant 1), however many bytes a token was."""
        if (usage := self._stream.usage) is not None:
            _record(self.call, usage)
        elif (produced := self._stream.text) and not finished:
            self.call.record_usage(
                input_tokens=self.call.prompt_tokens_bound,
                output_tokens=min(len(produced.encode()), self.call.max_output_tokens),
            )


class AIPipeline:
    def __init__(self, meter: Meter, llm: LLM) -> None:
        self.meter = meter
        self.llm = llm

    @property
    def emulated(self) -> bool:
        return self.llm.emulated

    def _choices(self, prompt: Prompt) -> list[tuple[AgentModel, ModelChoice]]:
        return [
            (m, ModelChoice(m.name, m.max_output_tokens(prompt.answer_tokens)))
            for m in self.llm.choices(prompt.feature)
        ]

    def least_worst_case_micros(self, requests: Sequence[tuple[Agent[None, Any], Prompt]]) -> int:
        """The least any of `requests` would reserve, each on the model or the fallback the
        Meter would try (the same worst case `Meter.call` reserves)."""
        prices = self.meter.prices
        return min(
            prices.worst_case_micros(c.model, metered_text(prompt, agent), c.max_output_tokens)
            for agent, prompt in requests
            for _, c in self._choices(prompt)
        )

    def model_for(self, feature: Feature) -> str:
        """The model an agent runs on when its quota holds (for answers that need no call)."""
        return self.llm.agents[feature].name

    async def precheck(self, creator: Creator, agent: Agent[None, Any], prompt: Prompt) -> None:
        """Refuse a call that would clearly be refused (429, 402) before a stream opens."""
        await self.meter.precheck(
            creator, metered_text(prompt, agent), [c for _, c in self._choices(prompt)]
        )

    @asynccontextmanager
    async def _metered(
        self, creator: Creator, prompt: Prompt, text: str, request_id: str | None
    ) -> AsyncIterator[tuple[MeteredCall, AgentModel]]:
        (model, choice), *rest = self._choices(prompt)
        fallback = rest[0][1] if rest else None
        call: MeteredCall | None = None
        try:
            async with self.meter.call(
                creator,
                prompt.feature,
                choice.model,
                choice.max_output_tokens,
                text,
                request_id,
                fallback=fallback,
            ) as call:
                chosen = model if call.model == model.name else rest[0][0]
                yield call, chosen
        except AnsweredError as exc:
            if call is not None:
                # Settled by now: the caller sees what the failed answer cost.
                exc.details["usage"] = call.summary()
                exc.request_id = call.request_id
            raise

    def _request(self, agent: Agent[None, T], prompt: Prompt, model: AgentModel) -> Request[T]:
        ttl = self.meter.ledger.reservation_ttl.total_seconds()
        return Request(
            agent,
            prompt.instructions,
            prompt.user_content,
            model.max_output_tokens(prompt.answer_tokens),
            self.llm.timeout_s,
            stream_deadline_s=ttl * STREAM_SHARE_OF_RESERVATION,
        )

    async def run(
        self,
        creator: Creator,
        agent: Agent[None, T],
        prompt: Prompt,
        *,
        request_id: str | None = None,
        session: AsyncSession | None = None,
    ) -> Metered[T]:
        """Run `agent` once, metered. `session`, the caller's, has its transaction ended first,
        so no connection or snapshot is held across the model call."""
        if session is not None:
            await end_transaction(session)
        text = metered_text(prompt, agent)
        async with self._metered(creator, prompt, text, request_id) as (call, model):
            try:
                output, usage = await model.engine.run(self._request(agent, prompt, model))
            except Failed as failed:
                _record(call, failed.usage)
                raise failed.error from None
            _record(call, usage)
        return Metered(output, call)

    @asynccontextmanager
    async def stream(
        self,
        creator: Creator,
        agent: Agent[None, T],
        prompt: Prompt,
        *,
        request_id: str | None = None,
    ) -> AsyncIterator[Streamed[T]]:
        """One streamed call, metered: the body reads `texts()` and then `output()`. A body that
        stops early (client gone) is charged for what the provider reported so far."""
        text = metered_text(prompt, agent)
        async with self._metered(creator, prompt, text, request_id) as (call, model):
            request = self._request(agent, prompt, model)
            try:
                async with model.engine.stream(request) as stream:
                    streamed = Streamed(stream, call)
                    finished = False
                    try:
                        yield streamed
                        finished = True
                    except asyncio.CancelledError:
                        if stream.usage is None and not stream.text:
                            call.prompt_tokens_counted = await _count_prompt(model, request)
                        raise
                    finally:
                        # Cancelled or not, the settlement charges what was reported, else a
                        # bound within the reservation (see Streamed.record).
                        streamed.record(finished=finished)
            except Failed as failed:
                _record(call, failed.usage)
                raise failed.error from None


async def _count_prompt(model: AgentModel, request: Request[Any]) -> int | None:
    """The abandoned request's prompt tokens as the provider counts them (Gemini's countTokens
    is not billed), or None, and the Meter charges the prompt's upper bound instead. Runs where
    a client that left raised ClientGone, so the await is not cancelled again; a count that
    fails or lags only costs the creator the looser bound."""
    try:
        return await asyncio.wait_for(
            model.engine.count_prompt_tokens(request, COUNT_TIMEOUT_S), COUNT_TIMEOUT_S
        )
    except Exception as exc:  # the bound is the fallback for any failure to count
        log.info("could not count an abandoned prompt's tokens: %s", exc)
        return None
