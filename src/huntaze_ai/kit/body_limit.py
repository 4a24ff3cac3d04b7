"""Request bodies are capped before anything reads them: 413 `payload_too_large`.

FastAPI's own `max_body_size` (Starlette's RequestBodyLimitMiddleware) answers a plain-text 413,
not the JSON error contract (DESIGN §4), hence this middleware. A declared Content-Length over the
cap is refused at once; a chunked body is counted as it
arrives and refused when it passes the cap, so a client cannot make the app buffer without end.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 256 * 1024


def _too_large_body(limit: int) -> bytes:
    return json.dumps(
        {
            "error": "payload_too_large",
            "message": f"Request body too large (limit {limit} bytes)",
            "limit_bytes": limit,
        }
    ).encode()


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        # No real length has 19 digits; int() would also refuse a string of 4,300 or more.
        if declared is not None and (
            not declared.isdigit() or len(declared) > 18 or int(declared) > self.max_bytes
        ):
            if declared.isdigit():
                status, body = 413, _too_large_body(self.max_bytes)
            else:
                status = 400
                body = json.dumps(
                    {"error": "invalid_request", "message": "Invalid Content-Length"}
                ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the endpoint's body read: the app's handler answers 413.
                    raise HTTPException(
                        413, f"Request body too large (limit {self.max_bytes} bytes)"
                    )
            return message

        await self.app(scope, counted_receive, send)
