"""The one source of "now", so tests can move time (month boundaries, expiries) without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def utcnow() -> datetime:
    return _now()


def set_clock(now: Callable[[], datetime] | None) -> None:
    """Replace the clock (None restores the real one). Tests only."""
    global _now
    _now = now if now is not None else (lambda: datetime.now(UTC))
