"""Provider errors are translated where they enter, so the rest of the code sees only
`UpstreamError` (502 provider_error) and `UpstreamTimeout` (504 provider_timeout).

pydantic-ai maps both SDKs' errors to its own (`ModelHTTPError`, `ModelTimeoutError`, …); the SDKs'
and transports' own exceptions (the OpenAI SDK runs on `httpx2`) are caught too, for any that a
stream lets through unwrapped."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import httpx2
import openai
from pydantic_ai.exceptions import (
    AgentRunError,
    ModelAPIError,
    ModelHTTPError,
    ModelRequestTimeout,
    ModelTimeoutError,
)

from huntaze_ai.kit.errors import UpstreamError, UpstreamTimeout

log = logging.getLogger(__name__)


@contextmanager
def provider_errors() -> Iterator[None]:
    try:
        yield
    except (
        ModelTimeoutError,
        ModelRequestTimeout,
        openai.APITimeoutError,
        httpx.TimeoutException,
        httpx2.TimeoutException,
        TimeoutError,
    ):
        raise UpstreamTimeout() from None
    except ModelHTTPError as exc:
        log.warning("model provider answered HTTP %s", exc.status_code)
        if exc.status_code == 429:
            raise UpstreamError("The AI provider is rate limiting; try again shortly") from None
        raise UpstreamError(f"The AI provider returned HTTP {exc.status_code}") from None
    except (ModelAPIError, openai.APIError, httpx.HTTPError, httpx2.HTTPError) as exc:
        log.warning("model provider failed: %s", type(exc).__name__)
        raise UpstreamError() from None
    except AgentRunError as exc:
        # Malformed or unusable output (no valid structured answer within one request).
        log.warning("model output unusable: %s", type(exc).__name__)
        raise UpstreamError("The AI provider returned an unusable answer") from None
