"""`Meter.call`: the one way an AI call is made (DESIGN §2.4).

    async with meter.call(creator, "messaging", model, max_output_tokens=800, prompt=text) as call:
        result = await agent.run(...)
        call.record_usage(input_tokens=..., output_tokens=..., cached_input_tokens=...)

Agents do not call it directly: `llm/pipeline.py` does, around the one model request.

Before the body runs: the rate limit is counted, then the worst-case cost is reserved atomically
(on the model asked for, or on the cheaper `fallback` when only that one fits the quota;
`call.model` says which). After it, whatever happened (success, safety block, truncation,
provider error, timeout, cancellation, client disconnect), the reservation is settled to what the
provider reported and exactly one usage row is written. That settlement runs shielded from
cancellation, and the reservation's expiry is the backstop if the process dies.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from huntaze_ai.kit import metrics
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import AnsweredError, InvalidRequest
from huntaze_ai.kit.logging import member_id_var
from huntaze_ai.kit.money import format_usd
from huntaze_ai.metering.kinds import Feature, Outcome
from huntaze_ai.metering.plans import get_user_ai_plan_from_subscription
from huntaze_ai.metering.pricing import Prices, TokenUsage, prompt_token_upper_bound
from huntaze_ai.metering.quota import QuotaExceeded, QuotaLedger, Reservation, UsageRecord
from huntaze_ai.metering.rate_limit import CreatorRateLimiter, RateLimitExceeded

log = logging.getLogger(__name__)

FEATURES = tuple(Feature)
T = TypeVar("T")
MAX_CLIENT_REQUEST_ID = 40


class Creator(Protocol):
    id: int
    ai_plan: str
    subscription_tier: str | None


@dataclass
class MeteredCall:
    request_id: str
    feature: str
    model: str
    reserved_micros: int
    usage: TokenUsage | None = None
    cost_micros: int | None = None
    outcome: str | None = None
    model_time_s: float = 0.0
    _started: float = field(default_factory=time.perf_counter, repr=False)
    plan: str = ""
    # Upper bound of the prompt's tokens: what a call cancelled before any usage report is
    # charged for (the provider may already have the prompt), unless it was counted.
    prompt_tokens_bound: int = 0
    # The prompt's tokens as the provider counts them, when the caller could ask (a stream
    # abandoned before the provider's first usage report): the tightest figure known.
    prompt_tokens_counted: int | None = None
    # The output tokens the reservation holds room for (maxOutputTokens on the model that runs):
    # the most an unreported stream's output is charged, so its charge never passes the hold.
    max_output_tokens: int = 0
    # When Meter.call was entered: the overhead metric is (settled - entered) - model time.
    _entered: float = field(default_factory=time.perf_counter, repr=False)
    # The quota could not hold the agent's model, so the call runs on the budget fallback.
    fallback: bool = False
    # Who asked, read when the call starts: the request's login (see auth.dependencies).
    member_id: int | None = field(default_factory=member_id_var.get)

    def record_usage(
        self, *, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0
    ) -> None:
        """The provider's token counts so far. Streams report cumulative usage: call again with
        the newer totals, the last one wins."""
        self.usage = TokenUsage(input_tokens, output_tokens, cached_input_tokens)

    @staticmethod
    def unmetered_summary(model: str) -> dict[str, Any]:
        """The `usage` object of an answer that needed no model call."""
        return {
            "model": model,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": format_usd(0),
            "fallback": False,
        }

    def summary(self) -> dict[str, Any]:
        """The `usage` object of API responses (DESIGN §4)."""
        usage = self.usage or TokenUsage(0, 0)
        return {
            "model": self.model,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cost_usd": format_usd(self.cost_micros or 0),
            "fallback": self.fallback,
        }


def request_id_for(creator_id: int, client_id: str) -> str:
    """The call's id for a client's Idempotency-Key, namespaced so that one creator's ids can
    never collide with (or block) another's."""
    if not client_id or len(client_id) > MAX_CLIENT_REQUEST_ID or not client_id.isprintable():
        # The client's id is its Idempotency-Key header: the error names it.
        limit = f"1 to {MAX_CLIENT_REQUEST_ID} printable characters"
        raise InvalidRequest(
            f"Idempotency-Key must be {limit}",
            fields=[{"field": "Idempotency-Key", "message": limit}],
        )
    return f"{creator_id}:{client_id}"


def _outcome(exc: BaseException | None) -> Outcome:
    if exc is None:
        return Outcome.OK
    if isinstance(exc, AnsweredError):
        return Outcome(exc.outcome)
    if isinstance(exc, asyncio.CancelledError | GeneratorExit):
        return Outcome.CANCELLED
    return Outcome.ERROR


@dataclass(frozen=True)
class ModelChoice:
    """A model a call may run on, with the output tokens it may produce there."""

    model: str
    max_output_tokens: int


class Meter:
    def __init__(self, ledger: QuotaLedger, limiter: CreatorRateLimiter, prices: Prices) -> None:
        self.ledger = ledger
        self.limiter = limiter
        # Every model the app may call, priced at start-up: an unpriced one never runs free.
        self.prices = prices
        self._settling: set[asyncio.Task[Any]] = set()

    @asynccontextmanager
    async def call(
        self,
        creator: Creator,
        feature: str,
        model: str,
        max_output_tokens: int,
        prompt: str,
        request_id: str | None = None,
        *,
        fallback: ModelChoice | None = None,
    ) -> AsyncIterator[MeteredCall]:
        entered = time.perf_counter()
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}")
        plan = get_user_ai_plan_from_subscription(creator.ai_plan, creator.subscription_tier)
        choices = [ModelChoice(model, max_output_tokens)]
        if fallback is not None:
            choices.append(fallback)
        costs = [
            self.prices.worst_case_micros(c.model, prompt, c.max_output_tokens) for c in choices
        ]
        rid = self._request_id(creator.id, request_id)

        # The quota decides first: a call it refuses never counts toward the hourly limit. One
        # the limit refuses gives its reservation back.
        reservation, chosen = await self.ledger.reserve_first(creator.id, plan, costs, rid)
        try:
            await self.limiter.hit(creator.id, plan)
        except BaseException:
            await self._shielded(self.ledger.release(reservation))
            raise
        call = MeteredCall(
            rid,
            feature,
            choices[chosen].model,
            reservation.amount_micros,
            plan=plan,
            prompt_tokens_bound=prompt_token_upper_bound(prompt),
            max_output_tokens=choices[chosen].max_output_tokens,
            _entered=entered,
            fallback=chosen > 0,
        )
        metrics.RESERVATIONS_OUTSTANDING.inc()  # back down when the settlement task ends
        try:
            yield call
        except BaseException as exc:
            await self._settle(reservation, call, _outcome(exc))
            raise
        else:
            await self._settle(reservation, call, Outcome.OK)

    async def precheck(
        self, creator: Creator, prompt: str, choices: Sequence[ModelChoice]
    ) -> ModelChoice:
        """Refuse early, without counting or reserving anything, when a call would clearly be
        refused: used before opening a stream, so the refusal is a 402/429, not a broken stream.
        Returns the first choice the quota holds now. Advisory only: `call` still decides,
        atomically."""
        plan = get_user_ai_plan_from_subscription(creator.ai_plan, creator.subscription_tier)
        status = await self.limiter.status(creator.id, plan)
        if status.remaining <= 0:
            wait = math.ceil((status.reset_at - utcnow()).total_seconds())
            metrics.RATE_LIMIT_REJECTIONS.labels(plan).inc()
            raise RateLimitExceeded(retry_after_s=max(1, wait), limit=status.limit)
        snap = await self.ledger.snapshot(creator.id, plan)
        worst = [
            self.prices.worst_case_micros(c.model, prompt, c.max_output_tokens) for c in choices
        ]
        for choice, cost in zip(choices, worst, strict=True):
            if snap.spent_micros + snap.reserved_micros + cost <= snap.limit_micros:
                return choice
        metrics.QUOTA_REJECTIONS.labels(plan).inc()
        raise QuotaExceeded.for_snapshot(snap, min(worst))

    @staticmethod
    def _request_id(creator_id: int, client_id: str | None) -> str:
        return uuid.uuid4().hex if client_id is None else request_id_for(creator_id, client_id)

    def _cost(self, call: MeteredCall, outcome: Outcome) -> tuple[int, str]:
        if call.usage is not None:
            # Whatever became of the answer, what the provider reported is what it bills.
            return self.prices.cost_micros(call.model, call.usage), outcome
        if outcome == Outcome.OK:
            # The provider answered without usage: we cannot know the bill, so the worst case is
            # charged; under-charging would let spend drift past the limit unseen.
            log.warning(
                "call %s returned no token usage; charging the reservation", call.request_id
            )
            return call.reserved_micros, Outcome.UNMEASURED
        if outcome == Outcome.CANCELLED:
            # Abandoned before the provider reported usage (a client that closed a stream while
            # the model was thinking). What Gemini bills for that is not documented; the model
            # has read the prompt by then, so the prompt is charged, not output nobody reported:
            # as the provider counted it when the caller could ask (then leaving never costs
            # more than finishing would have), else its upper bound.
            prompt = call.prompt_tokens_counted
            call.usage = TokenUsage(call.prompt_tokens_bound if prompt is None else prompt, 0)
            return self.prices.cost_micros(call.model, call.usage), outcome
        return 0, outcome

    async def _settle(self, reservation: Reservation, call: MeteredCall, outcome: Outcome) -> None:
        call.model_time_s = time.perf_counter() - call._started
        cost, call.outcome = self._cost(call, outcome)
        call.cost_micros = cost
        usage = call.usage or TokenUsage(0, 0)
        record = UsageRecord(
            feature=call.feature,
            model=call.model,
            input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cached_input_tokens,
            output_tokens=usage.output_tokens,
            cost_micros=cost,
            latency_ms=round(call.model_time_s * 1000),
            outcome=call.outcome,
            member_id=call.member_id,
        )
        task = self._spawn(self.ledger.finish(reservation, record))
        task.add_done_callback(functools.partial(_observe_settled, call, reservation.user_id))
        await asyncio.shield(task)

    def _spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        # A separate task, shielded by the caller: cancelling the request (client gone, timeout)
        # must not cancel the bookkeeping, or the reservation would be held until it expires.
        task = asyncio.ensure_future(work)
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return task

    async def _shielded(self, work: Coroutine[Any, Any, T]) -> T:
        return await asyncio.shield(self._spawn(work))

    async def drain(self) -> None:
        """Wait for settlements still running (at shutdown)."""
        if self._settling:
            await asyncio.gather(*self._settling, return_exceptions=True)


def _observe_settled(call: MeteredCall, user_id: int, _: asyncio.Task[int]) -> None:
    """Metrics and the one log line of a settled call: ids, counts and money, never its text."""
    metrics.RESERVATIONS_OUTSTANDING.dec()
    usage = call.usage or TokenUsage(0, 0)
    cost = call.cost_micros or 0
    metrics.observe_call(
        feature=call.feature,
        model=call.model,
        plan=call.plan,
        outcome=call.outcome or "error",
        input_tokens=usage.input_tokens,
        cached_input_tokens=usage.cached_input_tokens,
        output_tokens=usage.output_tokens,
        cost_micros=cost,
        model_time_s=call.model_time_s,
        overhead_s=time.perf_counter() - call._entered - call.model_time_s,
    )
    log.info(
        "ai call settled",
        extra={
            "creator_id": user_id,
            "call_id": call.request_id,
            "feature": call.feature,
            "model": call.model,
            "plan": call.plan,
            "input_tokens": usage.input_tokens,
            "cached_input_tokens": usage.cached_input_tokens,
            "output_tokens": usage.output_tokens,
            "cost_usd": format_usd(cost),
            "outcome": call.outcome,
            "model_time_ms": round(call.model_time_s * 1000),
        },
    )
