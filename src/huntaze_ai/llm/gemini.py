"""A lean client for the one Gemini request each agent makes (REST, JSON in and out).

Why not pydantic-ai's agent graph and the google-genai SDK, which the OpenAI-compatible provider
and the tests' model doubles still use: for one request with a JSON answer they cost about 6.7 ms
of CPU per call against 0.8 ms for this (AMD EPYC, same run, against the emulator), the largest
single share of a fan reply's CPU. What they did for us is small and explicit here: the request
body, the answer's text, finish reason, safety verdict and billed usage, and the error mapping.
The output schema still comes from pydantic and is shaped for Gemini by pydantic-ai's own
`GoogleJsonSchemaTransformer`, so the schema Gemini sees is the one the SDK path sent.

Usage is read as Google bills it: the prompt (tool-use prompt tokens included) as input, the
answer and the thoughts as output, cached tokens as a part of the input. Streams report usage
cumulatively; the last report wins.
"""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import certifi
from pydantic import TypeAdapter
from pydantic_ai.profiles.google import GoogleJsonSchemaTransformer

from huntaze_ai.kit.errors import UpstreamError, UpstreamTimeout
from huntaze_ai.metering.pricing import TokenUsage

# Finish reasons that mean a filter withheld the answer (the rest: STOP, MAX_TOKENS, errors).
BLOCKING_FINISH = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "MODEL_ARMOR",
    }
)
TRUNCATING_FINISH = frozenset({"MAX_TOKENS", "CONTINUATION"})
_API_VERSION = "v1beta"
_UNREADABLE = "The AI provider returned an unreadable answer"


@functools.cache
def response_schema(output_type: Any) -> dict[str, Any]:
    """The output type's JSON schema as Gemini accepts it (built once per type)."""
    schema = TypeAdapter(output_type).json_schema()
    return GoogleJsonSchemaTransformer(schema).walk()


def request_body(
    *,
    instructions: str,
    user_content: str,
    output_type: Any,
    max_output_tokens: int,
    thinking: Mapping[str, Any] | None,
    safety: Mapping[str, str],
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "maxOutputTokens": max_output_tokens,
        "responseMimeType": "application/json",
        "responseJsonSchema": response_schema(output_type),
    }
    if thinking is not None:
        config["thinkingConfig"] = dict(thinking)
    return {
        "systemInstruction": {"parts": [{"text": instructions}]},
        "contents": [{"role": "user", "parts": [{"text": user_content}]}],
        "generationConfig": config,
        "safetySettings": [{"category": c, "threshold": t} for c, t in safety.items()],
    }


def _blocked_category(ratings: Any, reason: str) -> str:
    """The rating Gemini marked `blocked`, else the reason it gave."""
    for rating in ratings if isinstance(ratings, list) else []:
        if isinstance(rating, Mapping) and rating.get("blocked") and rating.get("category"):
            return str(rating["category"])
    return reason


def read_usage(metadata: Any) -> TokenUsage | None:
    if not isinstance(metadata, Mapping):
        return None

    def count(key: str) -> int:
        value = metadata.get(key)
        return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0

    prompt = count("promptTokenCount") + count("toolUsePromptTokenCount")
    output = count("candidatesTokenCount") + count("thoughtsTokenCount")
    return TokenUsage(prompt, output, min(count("cachedContentTokenCount"), prompt))


@dataclass
class Answer:
    """What Gemini has said so far (a whole answer, or a stream's chunks folded in order)."""

    text: str = ""
    finish: str | None = None
    blocked: str | None = None  # the harm category or block reason, when a filter withheld it
    usage: TokenUsage | None = None
    answered: bool = False  # a candidate or a prompt verdict arrived

    def fold(self, chunk: Any) -> None:
        if not isinstance(chunk, Mapping):
            raise UpstreamError(_UNREADABLE)
        if (usage := read_usage(chunk.get("usageMetadata"))) is not None:
            self.usage = usage
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, Mapping) and feedback.get("blockReason"):
            self.answered = True
            reason = str(feedback["blockReason"])
            self.blocked = _blocked_category(feedback.get("safetyRatings"), reason)
        candidates = chunk.get("candidates")
        if not isinstance(candidates, list) or not candidates:
            return
        candidate = candidates[0]
        if not isinstance(candidate, Mapping):
            return
        self.answered = True
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, Mapping) else None
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, Mapping) and not part.get("thought"):
                text = part.get("text")
                if isinstance(text, str):
                    self.text += text
        if finish := candidate.get("finishReason"):
            self.finish = str(finish)
            if self.finish in BLOCKING_FINISH:
                self.blocked = _blocked_category(candidate.get("safetyRatings"), self.finish)


class GeminiClient:
    """One HTTP connection pool to the Gemini API (or the emulator) for the app's lifetime.

    aiohttp rather than httpx: for this one JSON request it costs about a third of httpx's CPU
    (0.31-0.43 ms against 0.76-1.28 ms a call, AMD EPYC, same run; docs/benchmarks.md). The pool is
    opened on the first request, in the event loop that serves it.
    """

    def __init__(self, api_key: str, base_url: str | None) -> None:
        self._base = (base_url or "https://generativelanguage.googleapis.com").rstrip("/")
        self._headers = {"x-goog-api-key": api_key, "content-type": "application/json"}
        self._proxy = _proxy_for(self._base)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def _http(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the Gemini client is closed")
        session, loop = self._session, asyncio.get_running_loop()
        # A pool belongs to the loop that opened it (an app's lifespan; a test's own loop).
        if session is None or self._loop is not loop:
            # certifi's roots, as httpx used.
            tls = ssl.create_default_context(cafile=certifi.where())
            self._loop = loop
            self._session = session = aiohttp.ClientSession(
                headers=self._headers,
                connector=aiohttp.TCPConnector(limit=256, ssl=tls),
                # An SSE line holds one chunk of the answer: room for any Gemini sends.
                read_bufsize=2**20,
            )
        return session

    def _url(self, model: str, action: str) -> str:
        return f"{self._base}/{_API_VERSION}/models/{model}:{action}"

    async def _post(self, url: str, body: Mapping[str, Any], timeout_s: float) -> Any:
        """POST `body`, the JSON answer of a 200; the whole exchange within `timeout_s`."""
        with _transport_errors():
            async with self._http().post(
                url,
                data=json.dumps(body).encode(),
                timeout=aiohttp.ClientTimeout(total=timeout_s),
                proxy=self._proxy,
            ) as response:
                _raise_for_status(response.status)
                raw = await response.read()
        try:
            return json.loads(raw)
        except ValueError:
            raise UpstreamError(_UNREADABLE) from None

    async def generate(self, model: str, body: Mapping[str, Any], timeout_s: float) -> Answer:
        answer = Answer()
        answer.fold(await self._post(self._url(model, "generateContent"), body, timeout_s))
        return answer

    async def count_tokens(self, model: str, body: Mapping[str, Any], timeout_s: float) -> int:
        """The prompt tokens Gemini counts for a generate request `body` (models.countTokens,
        which Google does not bill): what that request's promptTokenCount would be."""
        inner = {"model": f"models/{model}", **body}
        data = await self._post(
            self._url(model, "countTokens"), {"generateContentRequest": inner}, timeout_s
        )
        total = data.get("totalTokens") if isinstance(data, Mapping) else None
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise UpstreamError(_UNREADABLE)
        return total

    async def stream(
        self,
        model: str,
        body: Mapping[str, Any],
        timeout_s: float,
        answer: Answer,
        deadline_s: float,
    ) -> AsyncIterator[Answer]:
        """Fold each SSE chunk into `answer` and yield it; the caller keeps `answer`, so what
        arrived before a broken stream is still known (and billed). `timeout_s` bounds the
        connection and each wait for the next chunk; `deadline_s` the whole stream, so one that
        trickles a chunk just within `timeout_s` still ends (a 504) while its quota reservation
        holds."""
        url = self._url(model, "streamGenerateContent") + "?alt=sse"
        timeout = aiohttp.ClientTimeout(
            total=deadline_s, sock_connect=timeout_s, sock_read=timeout_s
        )
        data = json.dumps(body).encode()
        with _transport_errors():
            async with self._http().post(
                url, data=data, timeout=timeout, proxy=self._proxy
            ) as response:
                _raise_for_status(response.status)
                async for line in response.content:
                    if not line.startswith(b"data:"):
                        continue
                    try:
                        chunk = json.loads(line[5:])
                    except ValueError:
                        raise UpstreamError(_UNREADABLE) from None
                    answer.fold(chunk)
                    yield answer

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()


def _proxy_for(base_url: str) -> str | None:
    """The proxy for `base_url` from HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as httpx honoured them,
    read once: aiohttp's `trust_env` reads them (and ~/.netrc) on every request, 0.5 ms each."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def _raise_for_status(status: int) -> None:
    if status == 200:
        return
    if status == 429:
        raise UpstreamError("The AI provider is rate limiting; try again shortly")
    raise UpstreamError(f"The AI provider returned HTTP {status}")


@contextmanager
def _transport_errors() -> Iterator[None]:
    """aiohttp's errors as ours: a timeout is a 504, anything else on the wire a 502."""
    try:
        yield
    except TimeoutError:
        raise UpstreamTimeout() from None
    except aiohttp.ClientError:
        raise UpstreamError() from None
