"""How one request reaches a model. Two engines answer the same way:

- `GeminiEngine`: the lean REST client of gemini.py, for every Gemini model;
- `PydanticAIEngine`: a pydantic-ai agent run, for the OpenAI-compatible provider and the tests'
  model doubles (FunctionModel, TestModel).

`run` returns the agent's output and the billed usage; `stream` yields a `Stream` whose text
grows as the model writes. Any answer that failed after the provider may have billed it raises
`Failed`, carrying the project's error to raise and the usage to charge (llm/errors.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn, Protocol, TypeVar, cast

from pydantic import TypeAdapter, ValidationError
from pydantic_ai import Agent, capture_run_messages
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models import Model
from pydantic_ai.result import StreamedRunResult
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RequestUsage, RunUsage, UsageLimits

from huntaze_ai.kit.errors import ContentBlocked, UnusableAnswer
from huntaze_ai.llm.errors import OUT_OF_TOKENS, blocked, translate
from huntaze_ai.llm.gemini import TRUNCATING_FINISH, Answer, GeminiClient, request_body
from huntaze_ai.metering.kinds import Outcome
from huntaze_ai.metering.pricing import TokenUsage

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_ONE_REQUEST = UsageLimits(request_limit=1)


@dataclass(frozen=True)
class Request(Generic[T]):
    """One model request: the agent (its output type says what to ask for) and its prompt.
    `timeout_s` bounds a plain answer's whole exchange, and a stream's connection and each wait
    for its next piece; `stream_deadline_s` a whole stream, however steadily its pieces come."""

    agent: Agent[None, T]
    instructions: str
    user_content: str
    max_output_tokens: int
    timeout_s: float
    stream_deadline_s: float


class Failed(Exception):
    """An answer that failed after the provider may have billed it."""

    def __init__(self, error: Exception, usage: TokenUsage | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.usage = usage


class Stream(Protocol[T_co]):
    @property
    def text(self) -> str: ...  # what the model has written so far

    @property
    def usage(self) -> TokenUsage | None: ...  # the latest usage report

    def texts(self) -> AsyncIterator[str]: ...

    async def output(self) -> T_co: ...


class Engine(Protocol):
    async def run(self, request: Request[T]) -> tuple[T, TokenUsage | None]: ...

    def stream(self, request: Request[T]) -> AbstractAsyncContextManager[Stream[T]]: ...

    # The request's prompt tokens as the provider counts them, None where it cannot say.
    async def count_prompt_tokens(self, request: Request[Any], timeout_s: float) -> int | None: ...

    def client_model(self) -> Model | None: ...  # a pydantic-ai model to open and close


def output_type_of(agent: Agent[None, Any]) -> Any:
    # NativeOutput wraps the type it asks for.
    return getattr(agent.output_type, "outputs", agent.output_type)


def _conclude(answer: Answer, output_type: Any) -> Any:
    """The answer's output, or Failed with what it was billed."""
    if answer.blocked is not None:
        raise Failed(ContentBlocked(answer.blocked), answer.usage)
    try:
        return _adapter(output_type).validate_json(answer.text)
    except ValidationError:
        if answer.finish in TRUNCATING_FINISH:
            raise Failed(UnusableAnswer(OUT_OF_TOKENS, Outcome.TRUNCATED), answer.usage) from None
        error = UnusableAnswer(
            "The AI provider returned an answer that does not fit the request",
            Outcome.INVALID_OUTPUT,
        )
        raise Failed(error, answer.usage) from None


_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(output_type: Any) -> TypeAdapter[Any]:
    # Building an adapter costs milliseconds; agents' output types are fixed.
    if output_type not in _adapters:
        _adapters[output_type] = TypeAdapter(output_type)
    return _adapters[output_type]


@dataclass(frozen=True)
class GeminiEngine:
    client: GeminiClient
    model: str
    thinking: Mapping[str, Any] | None = None  # the request's thinkingConfig
    safety: Mapping[str, str] = field(default_factory=dict)

    def _body(self, request: Request[Any]) -> dict[str, Any]:
        return request_body(
            instructions=request.instructions,
            user_content=request.user_content,
            output_type=output_type_of(request.agent),
            max_output_tokens=request.max_output_tokens,
            thinking=self.thinking,
            safety=self.safety,
        )

    async def run(self, request: Request[T]) -> tuple[T, TokenUsage | None]:
        answer = await self.client.generate(self.model, self._body(request), request.timeout_s)
        return _conclude(answer, output_type_of(request.agent)), answer.usage

    @asynccontextmanager
    async def stream(self, request: Request[T]) -> AsyncIterator[Stream[T]]:
        yield _GeminiStream(self, request)

    async def count_prompt_tokens(self, request: Request[Any], timeout_s: float) -> int | None:
        return await self.client.count_tokens(self.model, self._body(request), timeout_s)

    def client_model(self) -> Model | None:
        return None


class _GeminiStream(Generic[T]):
    def __init__(self, engine: GeminiEngine, request: Request[T]) -> None:
        self._engine = engine
        self._request = request
        self._answer = Answer()
        self._finished = False

    @property
    def text(self) -> str:
        return self._answer.text

    @property
    def usage(self) -> TokenUsage | None:
        return self._answer.usage

    async def texts(self) -> AsyncIterator[str]:
        engine, request = self._engine, self._request
        chunks = engine.client.stream(
            engine.model,
            engine._body(request),
            request.timeout_s,
            self._answer,
            request.stream_deadline_s,
        )
        async for answer in chunks:
            yield answer.text
        self._finished = True

    async def output(self) -> T:
        if not self._finished:
            async for _ in self.texts():
                pass
        return cast(T, _conclude(self._answer, output_type_of(self._request.agent)))


def _usage(usage: RunUsage | RequestUsage | None) -> TokenUsage | None:
    if usage is None or not (usage.input_tokens or usage.output_tokens):
        return None
    cached = min(usage.cache_read_tokens, usage.input_tokens)
    return TokenUsage(usage.input_tokens, usage.output_tokens, cached)


def _last_response(messages: list[ModelMessage]) -> ModelResponse | None:
    return next((m for m in reversed(messages) if isinstance(m, ModelResponse)), None)


def _raise_failed(
    exc: Exception, response: ModelResponse | None, usage: TokenUsage | None
) -> NoReturn:
    """Failed for a model error of pydantic-ai's (with what it billed); any other error as is."""
    translated = translate(exc, response)
    if translated is exc:
        raise exc
    raise Failed(translated, usage) from None


@dataclass(frozen=True)
class PydanticAIEngine:
    model: Model
    settings: Mapping[str, Any] = field(default_factory=dict)

    def _settings(self, request: Request[Any]) -> ModelSettings:
        # The reservation covers exactly one request: no SDK retries.
        values = {
            **self.settings,
            "max_tokens": request.max_output_tokens,
            "timeout": request.timeout_s,
            "max_retries": 0,
        }
        return cast(ModelSettings, values)

    async def run(self, request: Request[T]) -> tuple[T, TokenUsage | None]:
        with capture_run_messages() as messages:
            try:
                # The SDK's timeout bounds each read: an endpoint that trickles its answer would
                # outlive the call's reservation. The whole exchange within it, as Gemini's is.
                async with asyncio.timeout(request.timeout_s):
                    result = await request.agent.run(
                        request.user_content,
                        model=self.model,
                        instructions=request.instructions,
                        model_settings=self._settings(request),
                        usage_limits=_ONE_REQUEST,
                    )
            except Exception as exc:
                response = _last_response(messages)
                _raise_failed(exc, response, _usage(response.usage if response else None))
        usage = _usage(result.usage)
        # A filtered answer that still carried parseable text is blocked all the same.
        if (refused := blocked(result.response)) is not None:
            raise Failed(refused, usage)
        return result.output, usage

    @asynccontextmanager
    async def stream(self, request: Request[T]) -> AsyncIterator[Stream[T]]:
        # The SDK's timeout bounds each read, not the stream: every wait below, the opening
        # included, ends by this deadline (a TimeoutError, translated to a 504).
        deadline = asyncio.get_running_loop().time() + request.stream_deadline_s
        async with AsyncExitStack() as stack:
            run = request.agent.run_stream(
                request.user_content,
                model=self.model,
                instructions=request.instructions,
                model_settings=self._settings(request),
                usage_limits=_ONE_REQUEST,
            )
            # A refused prompt or thoughts that ate every token fail while the stream opens;
            # their usage is only in the captured messages. (Captured around the opening only:
            # the context variable must be reset in the frame that set it.)
            with capture_run_messages() as messages:
                try:
                    async with asyncio.timeout_at(deadline):
                        result = await stack.enter_async_context(run)
                except Exception as exc:
                    response = _last_response(messages)
                    _raise_failed(exc, response, _usage(response.usage if response else None))
            yield _PydanticAIStream(result, deadline)

    async def count_prompt_tokens(self, request: Request[Any], timeout_s: float) -> int | None:
        # OpenAI-compatible endpoints have no token counting API; the caller keeps its bound.
        return None

    def client_model(self) -> Model | None:
        return self.model


class _PydanticAIStream(Generic[T]):
    def __init__(self, result: StreamedRunResult[None, T], deadline: float) -> None:
        self._result = result
        self._deadline = deadline  # loop time by which the stream has ended
        self.text = ""

    @property
    def usage(self) -> TokenUsage | None:
        return _usage(self._result.usage)

    def _response(self) -> ModelResponse | None:
        try:
            return self._result.response
        except Exception:  # nothing received yet
            return None

    async def texts(self) -> AsyncIterator[str]:
        responses = self._result.stream_response(debounce_by=None)
        try:
            while True:
                # Each wait, not the loop: a timeout scope must not span a yield to the caller.
                async with asyncio.timeout_at(self._deadline):
                    response = await anext(responses, None)
                if response is None:
                    return
                self.text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
                yield self.text
        except Exception as exc:
            _raise_failed(exc, self._response(), self.usage)

    async def output(self) -> T:
        try:
            async with asyncio.timeout_at(self._deadline):
                output = await self._result.get_output()
        except Exception as exc:
            _raise_failed(exc, self._response(), self.usage)
        # A stream the filter stopped after a complete answer is blocked all the same.
        if (refused := blocked(self._response())) is not None:
            raise Failed(refused, self.usage)
        return output
