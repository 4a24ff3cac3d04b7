"""A request body must arrive within BODY_TIMEOUT_S of the request, or the answer is 408
`request_timeout` (and the connection is closed).

Without it a client that sends headers and then a byte now and then holds a connection, a task
and whatever the endpoint holds while it waits, for as long as it likes: a few hundred such
clients exhaust a worker. The clock starts when the app gets the request (its head has arrived)
and covers the whole body, not each read, so trickling bytes does not reset it.
"""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTimeoutMiddleware:
    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
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
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, timed_receive, send)
