"""The login windows' clock, moved forward without waiting."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

import limits.aio.storage.memory
import limits.aio.storage.redis.redispy
import pytest


@pytest.fixture
def window_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """A function moving the rate windows' clock forward by so many seconds: `limits` stamps
    hits with time.time(), in process and in Redis alike. Nothing else's clock moves (a cookie's
    expiry stays where it was)."""
    offset = 0.0

    def now() -> float:
        return time.time() + offset

    for module in (limits.aio.storage.memory, limits.aio.storage.redis.redispy):
        monkeypatch.setattr(module, "time", SimpleNamespace(time=now))

    def advance(seconds: float) -> None:
        nonlocal offset
        offset += seconds

    return advance
