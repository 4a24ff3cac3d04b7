"""Provider errors are translated where they enter, so the rest of the code sees only the
project's own (kit/errors.py):

    no answer (HTTP error, transport error)        UpstreamError     502  provider_error
    no answer in time                              UpstreamTimeout   504  provider_timeout
    answer withheld by the safety filter           ContentBlocked    422  content_blocked
    answer cut at maxOutputTokens, nothing usable  UnusableAnswer    502  (outcome truncated)
    answer that does not fit the agent's schema    UnusableAnswer    502  (outcome invalid_output)

pydantic-ai maps both SDKs' errors to its own (`ModelHTTPError`, `ModelTimeoutError`, …); the SDKs'
and transports' own exceptions (the OpenAI SDK runs on `httpx2`) are caught too, for any that a
stream lets through unwrapped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
import httpx2
import openai
from pydantic_ai.exceptions import (
    AgentRunError,
    ContentFilterError,
    ModelAPIError,
    ModelHTTPError,
    ModelRequestTimeout,
    ModelTimeoutError,
    OutputTokenLimitExceeded,
)
from pydantic_ai.messages import ModelResponse

from huntaze_ai.kit.errors import ContentBlocked, UnusableAnswer, UpstreamError, UpstreamTimeout
from huntaze_ai.metering.kinds import Outcome

log = logging.getLogger(__name__)

OUT_OF_TOKENS = "The AI model ran out of output tokens before it finished its answer"


def blocked_category(details: Mapping[str, Any] | None) -> str:
    """The harm category a blocked answer names (the rating marked `blocked`), else the
    provider's own reason (RECITATION, PROHIBITED_CONTENT, a prompt's block reason…)."""
    details = details or {}
    for rating in details.get("safety_ratings") or []:
        if isinstance(rating, Mapping) and rating.get("blocked") and rating.get("category"):
            return _name(rating["category"])
    reason = details.get("finish_reason") or details.get("block_reason")
    return _name(reason) if reason else "UNSPECIFIED"


def _name(value: Any) -> str:
    # google-genai hands over its enums (HarmCategory.X); the API's own spelling is their value.
    return str(getattr(value, "value", value))


def blocked(response: ModelResponse | None) -> ContentBlocked | None:
    """A ContentBlocked for a response the provider filtered, even one that carried text."""
    if response is None or response.finish_reason != "content_filter":
        return None
    return ContentBlocked(blocked_category(response.provider_details))


def translate(exc: Exception, response: ModelResponse | None = None) -> Exception:
    """The project's error for what the model layer raised (`exc` itself when it is not a model
    error); `response` is the provider's answer when one was captured (it names the category)."""
    # A stream the filter stops mid-answer fails as cut-off output, not as a ContentFilterError:
    # the response's finish reason is what says it was blocked.
    if (refused := blocked(response)) is not None and isinstance(exc, AgentRunError):
        return refused
    if isinstance(exc, ContentFilterError):
        return ContentBlocked(blocked_category(response.provider_details if response else None))
    if isinstance(exc, OutputTokenLimitExceeded):
        return UnusableAnswer(OUT_OF_TOKENS, Outcome.TRUNCATED)
    if isinstance(exc, _TIMEOUTS):
        return UpstreamTimeout()
    if isinstance(exc, ModelHTTPError):
        log.warning("model provider answered HTTP %s", exc.status_code)
        if exc.status_code == 429:
            return UpstreamError("The AI provider is rate limiting; try again shortly")
        return UpstreamError(f"The AI provider returned HTTP {exc.status_code}")
    if isinstance(exc, ModelAPIError | openai.APIError | httpx.HTTPError | httpx2.HTTPError):
        log.warning("model provider failed: %s", type(exc).__name__)
        return UpstreamError()
    if isinstance(exc, AgentRunError):
        # Output that fails the agent's schema (no second request: the reservation covers one).
        log.warning("model output unusable: %s", type(exc).__name__)
        return UnusableAnswer(
            "The AI provider returned an answer that does not fit the request",
            Outcome.INVALID_OUTPUT,
        )
    return exc


_TIMEOUTS = (
    ModelTimeoutError,
    ModelRequestTimeout,
    openai.APITimeoutError,
    httpx.TimeoutException,
    httpx2.TimeoutException,
    TimeoutError,
)
