"""Streamed responses whose work a disconnecting client cannot cut short.

Starlette runs a StreamingResponse's body in the request's task and, when the client goes away,
cancels it through an anyio cancel scope. That cancellation is level-triggered: every await left
in the body's cleanup is cancelled again. A metered stream's cleanup is database work (the quota
reservation, the settlement, the violation log) and the close of the provider's HTTP stream:
cut midway, a reservation whose statement had committed but whose connection hand-back was
cancelled never reached the code that releases it (47 of 60 streams aborted right after their
headers left their reservation open on PostgreSQL), and connections were left for the garbage
collector to close (asyncio's "Task was destroyed but it is pending").

Here the body runs as a producer task of its own, which a disconnect never cancels; the response
only relays its events. A disconnect fires `Gone`: the one thing it cancels is the task reading
the model's stream (`until_gone`), a cancellation that lands in an HTTP read, and the producer
then raises `ClientGone` in its own frame, where every cleanup runs to the end and the metered
call settles as cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Any, TypeVar

from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

log = logging.getLogger(__name__)

T = TypeVar("T")

_running: set[asyncio.Task[None]] = set()  # producers outliving their response, for `drain`


class ClientGone(asyncio.CancelledError):
    """Raised in a producer whose client disconnected: a cancellation (the call settles as
    `cancelled`), raised where the producer can still clean up."""


class Gone:
    """Fired once, when the response is over (finished or abandoned); cancels what it watches."""

    def __init__(self) -> None:
        self.fired = False
        self._watched: set[asyncio.Task[Any]] = set()

    def fire(self) -> None:
        self.fired = True
        for task in self._watched:
            task.cancel()

    def watch(self, task: asyncio.Task[Any]) -> None:
        if self.fired:
            task.cancel()
        self._watched.add(task)
        task.add_done_callback(self._watched.discard)


class _End:
    pass


_END = _End()


class DetachedStreamingResponse(StreamingResponse):
    """Server-Sent Events produced by `produce(gone)`, started when the response starts (a
    response never sent starts nothing)."""

    def __init__(
        self,
        produce: Callable[[Gone], AsyncIterator[str]],
        *,
        media_type: str,
        headers: Mapping[str, str],
    ) -> None:
        self._gone = Gone()
        self._produce = produce
        super().__init__(self._relay(), media_type=media_type, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._gone.fire()  # no await: runs even in a cancelled scope

    async def _relay(self) -> AsyncIterator[str]:
        events: asyncio.Queue[str | _End] = asyncio.Queue()
        producer = asyncio.create_task(self._pump(events))
        _running.add(producer)
        producer.add_done_callback(_running.discard)
        while not isinstance(event := await events.get(), _End):
            yield event

    async def _pump(self, events: asyncio.Queue[str | _End]) -> None:
        try:
            async for event in self._produce(self._gone):
                events.put_nowait(event)
        except ClientGone:
            pass  # the producer stopped itself, cleaned up
        except Exception:
            log.exception("stream producer failed")
        finally:
            events.put_nowait(_END)


async def until_gone(source: AsyncIterator[T], gone: Gone) -> AsyncGenerator[T, None]:
    """`source`'s items, read in a task of their own that `gone` cancels; ClientGone here, in
    the caller's frame, once it has."""
    items: asyncio.Queue[tuple[T | _End | None, BaseException | None]] = asyncio.Queue()

    async def read() -> None:
        async for item in source:
            items.put_nowait((item, None))

    def ended(task: asyncio.Task[None]) -> None:
        # A callback, not code in `read`: a task cancelled before its first step runs none of
        # its body, and the caller would wait for news that never comes.
        if task.cancelled():
            items.put_nowait((None, asyncio.CancelledError()))
        elif (error := task.exception()) is not None:
            items.put_nowait((None, error))
        else:
            items.put_nowait((_END, None))

    reader = asyncio.create_task(read())
    reader.add_done_callback(ended)
    gone.watch(reader)
    try:
        while True:
            item, error = await items.get()
            if isinstance(error, asyncio.CancelledError):
                raise ClientGone()
            if error is not None:
                raise error
            if isinstance(item, _End):
                return
            yield item  # type: ignore[misc]  # neither None nor _End here
    finally:
        if not reader.done():  # the caller stopped early: so does the read
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


async def drain(timeout_s: float = 30.0) -> None:
    """At shutdown: let producers whose clients left settle, rather than destroy them pending."""
    if _running:
        await asyncio.wait(set(_running), timeout=timeout_s)
