"""What every HTTP request goes through, in one pure-ASGI layer.

- **Request id** (kit/logging.py): the caller's `X-Request-ID` when it is sane, else a new one;
  echoed in the response and kept in a context variable for every line logged meanwhile; one
  access line per request (method, route template, status, duration; no query string, no body).
- **Security headers**: `X-Content-Type-Options: nosniff` and a `Referrer-Policy` always,
  `Strict-Transport-Security` in production. HSTS only there, where the app is served over HTTPS
  on its own host (the `__Host-` cookies need that already): a browser that saw it on a
  development host would refuse plain HTTP there for a year. Without `includeSubDomains`: the
  app cannot know what else runs under its domain. `Cache-Control: no-store` on everything but
  static assets. A header a response already sets (the pages' own) is left as it is.
- **Body size**: refused before anything reads it, 413 `payload_too_large` in the JSON error
  contract (FastAPI's own limit answers plain text). A declared Content-Length over the cap is
  refused at once; a chunked body is counted as it arrives and refused when it passes the cap,
  so a client cannot make the app buffer without end.
- **Body time**: the body must arrive within BODY_TIMEOUT_S of the request, or 408
  `request_timeout` (and the connection is closed). Otherwise a client that sends headers and
  then a byte now and then holds a connection, a task and whatever the endpoint holds for as
  long as it likes. The clock starts when the app gets the request and covers the whole body,
  not each read, so trickling bytes does not reset it.
- **HTTP metrics** by route *template* (`/api/campaigns/{id}`), never by raw path, so ids in
  URLs cannot blow up the number of series (kit/metrics.py).

One layer rather than five (issue 16): each layer wrapped `receive` and `send` again, so every
message of every request went through five closures and five coroutine frames.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huntaze_ai.kit import metrics
from huntaze_ai.kit.logging import creator_id_var, request_id_var, sane_request_id

REQUEST_ID = b"x-request-id"
HSTS = (b"strict-transport-security", b"max-age=31536000")
ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))
# Pages, CSV exports and API answers hold a creator's fans, notes and tokens: no browser or proxy
# keeps a copy (Back after logout on an agency's shared machine, a token response: RFC 6749
# 5.1). Static assets keep the browser's cache.
NO_STORE = (b"cache-control", b"no-store")
CACHEABLE_PREFIXES = ("/static/", "/docs/", "/redoc/")
DEFAULT_MAX_BODY_BYTES = 256 * 1024

_access_log = logging.getLogger("huntaze_ai.access")
# Probes and scrapes every few seconds would drown the log at INFO.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _refusal(declared: bytes, limit: int) -> tuple[int, bytes]:
    """The answer to a Content-Length that is too large (413) or not a number (400)."""
    if declared.isdigit():
        body = {
            "error": "payload_too_large",
            "message": f"Request body too large (limit {limit} bytes)",
            "limit_bytes": limit,
        }
        return 413, json.dumps(body).encode()
    body = {"error": "invalid_request", "message": "Invalid Content-Length"}
    return 400, json.dumps(body).encode()


class HttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        body_timeout_s: float,
        hsts: bool,
    ) -> None:
        self.app = app
        self.max_bytes = max_body_bytes
        self.timeout_s = body_timeout_s
        self.headers = ALWAYS + ((HSTS,) if hsts else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = declared = None
        for name, value in scope["headers"]:
            if name == REQUEST_ID:
                incoming = value.decode("latin-1")
            elif name == b"content-length":
                declared = value
        request_id = sane_request_id(incoming) or uuid.uuid4().hex
        defaults = self.headers
        if not str(scope.get("path", "")).startswith(CACHEABLE_PREFIXES):
            defaults = (*defaults, NO_STORE)
        id_token = request_id_var.set(request_id)
        creator_token = creator_id_var.set(None)
        status = 500
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        received = 0
        body_done = False

        async def send_wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [h for h in message.get("headers", ()) if h[0].lower() != REQUEST_ID]
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in defaults if h[0] not in present)
                headers.append((REQUEST_ID, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        async def receive_wrapped() -> Message:
            nonlocal received, body_done
            if body_done:
                # Past the body, receive() waits for the client to go away (a stream listens
                # for that for as long as it runs): no deadline there.
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                # Raised inside the endpoint's body read: the app's handler answers 408.
                raise HTTPException(
                    408,
                    f"Request body not received within {self.timeout_s:g} s",
                    headers={"Connection": "close"},
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the endpoint's body read: the app's handler answers 413.
                    raise HTTPException(
                        413, f"Request body too large (limit {self.max_bytes} bytes)"
                    )
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        try:
            # No real length has 19 digits; int() would also refuse a string of 4,300 or more.
            if declared is not None and (
                not declared.isdigit() or len(declared) > 18 or int(declared) > self.max_bytes
            ):
                code, body = _refusal(declared, self.max_bytes)
                await send_wrapped(
                    {
                        "type": "http.response.start",
                        "status": code,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"),
                        ],
                    }
                )
                await send_wrapped({"type": "http.response.body", "body": body})
                return
            await self.app(scope, receive_wrapped, send_wrapped)
        finally:
            elapsed = time.perf_counter() - started
            path = scope.get("path", "")
            route = getattr(scope.get("route"), "path", None)
            method = scope.get("method", "")
            metrics.observe_http(method, route or metrics.UNMATCHED_ROUTE, status, elapsed)
            _access_log.log(
                logging.DEBUG if path in _QUIET_PATHS else logging.INFO,
                "%s %s %d",
                method,
                route or path,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            creator_id_var.reset(creator_token)
            request_id_var.reset(id_token)
