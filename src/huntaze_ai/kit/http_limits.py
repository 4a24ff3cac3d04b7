"""The HTTP protocol `serve` runs: uvicorn's httptools protocol with limits on slow and oversized
request heads, which uvicorn does not have.

- A request head (request line and headers) over `max_header_bytes` is refused with 431, as soon
  as that many bytes arrived without the head ending, so a client cannot make the server buffer
  without end.
- A head must be complete within `header_timeout_s` of its first byte (or of the connection, for
  its first request): 408. A new connection that never sends anything is closed at that time too.
  Between requests, uvicorn's keep-alive timeout applies instead.
- The body is the app's: `kit/http_middleware.py` answers 408 when it stalls while the app reads
  it. A body the app never reads (it already answered) is cut off here after `body_timeout_s`,
  instead of keeping the connection open for as long as the client trickles bytes.

Refusals are the JSON error contract (DESIGN §4) with `Connection: close`.
"""

from __future__ import annotations

import asyncio
import http
import json
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_MAX_HEADER_BYTES = 16 * 1024
DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_BODY_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class HttpLimits:
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S


def error_response(status: int, code: str, message: str) -> bytes:
    """A complete HTTP/1.1 response in the JSON error contract, closing the connection."""
    body = json.dumps({"error": code, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """Built per connection by uvicorn: `functools.partial(LimitedHttpToolsProtocol, limits=…)`
    is what `serve` passes as `http`."""

    def __init__(self, *args: Any, limits: HttpLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._head_bytes = 0  # bytes received while a head was incomplete
        self._reading_head = True
        self._in_head = False  # a request's first byte arrived, its head has not ended
        self._refused = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # --- connection ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.limits.header_timeout_s, self._head_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the answer is out and the connection closing: nothing more is parsed
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._reading_head and self._head_bytes > self.limits.max_header_bytes:
            self._refuse_too_large()

    # --- parser callbacks ----------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._refused:
            return
        super().on_message_begin()
        self._in_head = True
        if self._head_timer is None:  # a keep-alive connection's next request
            self._head_timer = self.loop.call_later(self.limits.header_timeout_s, self._head_late)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._in_head = self._reading_head = False
        self._head_bytes = 0
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:
            self._refuse_too_large()
            return
        super().on_headers_complete()
        self._body_timer = self.loop.call_later(self.limits.body_timeout_s, self._body_late)

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        self._reading_head = True
        super().on_message_complete()

    # --- refusals ------------------------------------------------------------------------------

    def _refuse(self, status: int, code: str, message: str) -> None:
        self._refused = True
        self._cancel_timers()
        if not self.transport.is_closing():
            self.transport.write(error_response(status, code, message))
            self.transport.close()

    def _refuse_too_large(self) -> None:
        limit = self.limits.max_header_bytes
        self._refuse(
            431,
            "request_header_fields_too_large",
            f"Request headers too large (limit {limit} bytes)",
        )

    def _head_late(self) -> None:
        self._head_timer = None
        if self._in_head:
            self._refuse(
                408,
                "request_timeout",
                f"Request headers not received within {self.limits.header_timeout_s:g} s",
            )
        elif self.cycle is None and not self.transport.is_closing():
            self.transport.close()  # a connection that never sent a request

    def _body_late(self) -> None:
        self._body_timer = None
        # While the app is still answering, the body is its business (kit/http_middleware.py);
        # once it has answered, nobody reads the rest.
        if self.cycle is None or not self.cycle.more_body:
            return
        if self.cycle.response_complete:
            self._refused = True
            self.transport.close()
        else:
            self._body_timer = self.loop.call_later(self.limits.body_timeout_s, self._body_late)

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None
