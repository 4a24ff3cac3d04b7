"""The compliance guard run off the event loop, in a process of its own.

`check_message` is pure CPU: regular expressions and Unicode folding over up to 10,000 characters,
about 100 ms for hostile input. On the event loop that stalls every other request of the worker;
in a thread it still holds the GIL, so the loop only gets it back between switch intervals
(measured: /healthz p95 135 ms under 8 hostile checks/s, against 4.4 ms with this process). One
process per app worker: a flood costs at most one more core, never the worker's loop, and the
per-creator budget (`budget.py`) bounds what any one creator can queue.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class GuardProcess:
    """A one-process pool, started on first use (most app processes never run a hand check)."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: forking a process that runs an event loop and threads copies
            # their locks in whatever state they are in.
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in the guard process; `fn` and its arguments must pickle."""
        call = functools.partial(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), call)
        except BrokenProcessPool:
            # The process died (killed, out of memory): start another and try once more.
            log.warning("compliance guard process died; starting a new one")
            await self.aclose()
            return await loop.run_in_executor(self._executor(), call)

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
