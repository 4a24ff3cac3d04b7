"""Injected failures, shaped like the ones real Gemini produces, and Gemini-style error bodies."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from huntaze_ai.emulator.config import ANSWER_FAULTS, EmulatorConfig, FaultKind
from huntaze_ai.emulator.safety import PROMPT_BLOCK_REASONS, Block, category_named

FAULT_HEADER = "x-emulator-fault"

GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MESSAGES = {
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}


class UnknownFault(ValueError):
    pass


# The category a bare `safety` or `prompt_blocked` fault blocks: what an adult creator's traffic
# would most often be blocked for.
DEFAULT_BLOCK_CATEGORY = "HARM_CATEGORY_SEXUALLY_EXPLICIT"
_CANDIDATE_REASONS = {
    FaultKind.RECITATION: "RECITATION",
    FaultKind.BLOCKLIST: "BLOCKLIST",
    FaultKind.PROHIBITED_CONTENT: "PROHIBITED_CONTENT",
    FaultKind.SPII: "SPII",
    FaultKind.MALFORMED_FUNCTION_CALL: "MALFORMED_FUNCTION_CALL",
}


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    status: int = 500
    # A harm category or block reason for blocks, "leak" for misbehave.
    detail: str | None = None

    @property
    def is_answer(self) -> bool:
        """An HTTP 200 answer shaped by the fault, rather than a failed request."""
        return self.kind in ANSWER_FAULTS

    def block(self) -> Block | None:
        if self.kind is FaultKind.SAFETY:
            return Block("SAFETY", self.detail or DEFAULT_BLOCK_CATEGORY)
        if self.kind is FaultKind.PROMPT_BLOCKED:
            if self.detail in PROMPT_BLOCK_REASONS and self.detail != "SAFETY":
                return Block(self.detail, prompt=True)
            return Block("SAFETY", self.detail or DEFAULT_BLOCK_CATEGORY, prompt=True)
        if reason := _CANDIDATE_REASONS.get(self.kind):
            return Block(reason)
        return None


def make_fault(kind: FaultKind, status: int, detail: str | None = None) -> Fault:
    """A 429 is a rate limit whichever way it was asked for, so stats count it as one."""
    if kind is FaultKind.RATE_LIMITED or (kind is FaultKind.HTTP_ERROR and status == 429):
        return Fault(FaultKind.RATE_LIMITED, 429)
    return Fault(kind, status, detail)


def _detail(kind: FaultKind, text: str, value: str) -> str | None:
    if not text:
        return None
    if kind is FaultKind.MISBEHAVE and text.lower() == "leak":
        return "leak"
    if kind is FaultKind.PROMPT_BLOCKED and text.upper() in PROMPT_BLOCK_REASONS:
        return text.upper()
    if kind in (FaultKind.SAFETY, FaultKind.PROMPT_BLOCKED) and (name := category_named(text)):
        return name
    raise UnknownFault(f"emulator fault {value!r}: {text!r} does not apply to {kind.value}")


def parse_fault(value: str, default_status: int) -> Fault | None:
    """`kind`, `http_error:503`, `safety:harassment`, `prompt_blocked:PROHIBITED_CONTENT`…;
    `none` asks for a clean answer even when faults are drawn."""
    name, _, suffix = value.strip().partition(":")
    name = name.lower()
    if name in ("", "none"):
        return None
    try:
        kind = FaultKind(name)
    except ValueError:
        known = ", ".join(k.value for k in FaultKind)
        message = f"unknown emulator fault {value!r}: use none or one of {known}"
        raise UnknownFault(message) from None
    if kind in ANSWER_FAULTS:
        return make_fault(kind, 200, _detail(kind, suffix.strip(), value))
    try:
        status = int(suffix) if suffix else default_status
    except ValueError:
        raise UnknownFault(f"emulator fault {value!r}: the status must be a number") from None
    if not 400 <= status <= 599:
        raise UnknownFault(f"emulator fault status must be 400..599, got {status}")
    return make_fault(kind, status)


def resolve_fault(header: str | None, config: EmulatorConfig, rng: random.Random) -> Fault | None:
    if header is not None:
        return parse_fault(header, config.fail_status)
    if config.fault is not None:
        return make_fault(config.fault, config.fail_status, config.fault_detail)
    if config.fail_rate > 0 and rng.random() < config.fail_rate:
        return make_fault(rng.choice(config.fail_kinds), config.fail_status)
    return None


def error_body(
    status: int, message: str | None = None, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Google's error envelope: {"error": {"code", "message", "status"[, "details"]}}."""
    error: dict[str, Any] = {
        "code": status,
        "message": message or _MESSAGES.get(status, "The service encountered an error."),
        "status": GOOGLE_STATUS.get(status, "UNKNOWN" if status < 500 else "INTERNAL"),
    }
    if details:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int,
    message: str | None = None,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(status, message, details), status_code=status, headers=headers)


def invalid_key_response() -> JSONResponse:
    # The ErrorInfo reason is what clients (pydantic-ai included) read to tell a bad key apart.
    return error_response(
        400,
        "API key not valid. Please pass a valid API key.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    )


def missing_key_response() -> JSONResponse:
    return error_response(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


def fault_error_response(fault: Fault, model: str) -> JSONResponse:
    headers = {FAULT_HEADER: fault.kind.value}
    if fault.kind is not FaultKind.RATE_LIMITED:
        return error_response(fault.status, headers=headers)
    # A per-minute quota: clients read it as a rate limit (not a spent daily quota) and retry.
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": "generativelanguage.googleapis.com/generate_requests_per_model",
                    "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                    "quotaDimensions": {"location": "global", "model": model},
                    "quotaValue": "150",
                }
            ],
        },
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"},
    ]
    return error_response(429, None, details, headers)


def malformed_response(stream: bool) -> Response:
    headers = {FAULT_HEADER: FaultKind.MALFORMED.value}
    if stream:
        body = b'data: {"candidates": [{"content": {"parts": [{"text": "cut\r\n\r\n'
        return Response(body, media_type="text/event-stream", headers=headers)
    body = b'{"candidates": [{"content": <html>'
    return Response(body, media_type="application/json", headers=headers)


class TruncatedResponse(Response):
    """Sends part of a body, then drops the connection as a failing upstream would.

    Returning without the final ASGI body message makes the server close the socket, so the
    client sees an incomplete (chunked or content-length) body rather than a clean end.
    """

    def __init__(self, pieces: list[bytes], *, stream: bool, delay_s: float, full_length: int):
        super().__init__()
        self._pieces = pieces
        self._delay_s = delay_s
        media = b"text/event-stream" if stream else b"application/json"
        self.raw_headers = [(b"content-type", media), (FAULT_HEADER.encode(), b"truncated_stream")]
        if not stream:
            self.raw_headers.append((b"content-length", str(full_length).encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        for piece in self._pieces:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
            await asyncio.sleep(self._delay_s)


def truncated_response(chunks: list[bytes], *, stream: bool, delay_s: float) -> TruncatedResponse:
    if stream and len(chunks) > 1:
        pieces = chunks[: max(1, len(chunks) // 2)]
    else:
        whole = b"".join(chunks)
        pieces = [whole[: max(1, len(whole) // 2)]]
    full = sum(len(c) for c in chunks)
    return TruncatedResponse(pieces, stream=stream, delay_s=delay_s, full_length=full)


async def hold_until_disconnect(request: Request, seconds: float) -> bool:
    """Wait `seconds`, or less if the client gives up first; True when it gave up."""
    with anyio.move_on_after(seconds):
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return True
    return False


def sse(chunk: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\r\n\r\n".encode()
