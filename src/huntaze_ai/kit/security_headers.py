"""Headers every response carries: `X-Content-Type-Options: nosniff` and a `Referrer-Policy`
always, `Strict-Transport-Security` in production.

HSTS only in production, where the app is served over HTTPS on its own host (the `__Host-` cookies
need that already): a browser that saw it on a development host would refuse plain HTTP there for
a year. Without `includeSubDomains`: the app cannot know what else runs under its domain. A
header a response already sets (the pages' own) is left as it is.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS = (b"strict-transport-security", b"max-age=31536000")
ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.headers = ALWAYS + ((HSTS,) if hsts else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
