"""Exact moving windows from the `limits` library, shared across instances through Redis.

With a Redis client every app instance counts in the same Redis list (`hit` is one atomic Lua
script). Without one the window lives in this process, which is right for the embedded
single-process setup. When Redis is unreachable the fail mode decides: `closed` refuses (503),
`open` falls back to this process's window, logged. Callers hash-tag their ids (`{creator:42}`)
so each subject's keys stay in one Redis Cluster slot.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Literal, cast

import redis
import redis.asyncio as aioredis
from limits import RateLimitItem
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from huntaze_ai.kit import metrics
from huntaze_ai.kit.errors import DependencyUnavailable

log = logging.getLogger(__name__)

_REDIS_ERRORS = (StorageError, redis.RedisError, OSError, TimeoutError)

FailMode = Literal["closed", "open"]


class RateLimiterUnavailable(DependencyUnavailable):
    default_message = "Rate limiter unavailable (Redis unreachable)"


class MovingWindow:
    def __init__(
        self,
        redis_client: aioredis.Redis | None,
        fail_mode: FailMode,
        key_prefix: str,
        redis_retry_interval_s: float = 2.0,
    ) -> None:
        self.fail_mode = fail_mode
        self.fallback_hits = 0
        self.redis_errors = 0
        self._retry_interval_s = redis_retry_interval_s
        self._redis_down_until = 0.0
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis: MovingWindowRateLimiter | None = None
        if redis_client is not None:
            # The caller's pool (and its timeouts) is reused: one pool per process, closed by
            # whoever opened it.
            storage = storage_from_string(
                "async+redis://",
                implementation="redispy",
                key_prefix=key_prefix,
                wrap_exceptions=True,
                # limits types **options as scalars, but hands them to redis-py as they are.
                connection_pool=cast(Any, redis_client.connection_pool),
            )
            self._redis = MovingWindowRateLimiter(storage)

    @property
    def shared(self) -> bool:
        """True when windows are counted across instances (Redis configured)."""
        return self._redis is not None

    async def _call(self, op: str, item: RateLimitItem, ids: tuple[str, ...]) -> Any:
        if self._redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                return await getattr(self._redis, op)(item, *ids)
            except _REDIS_ERRORS as exc:
                self.redis_errors += 1
                metrics.REDIS_ERRORS.inc()
                self._redis_down_until = time.monotonic() + self._retry_interval_s
                log.warning(
                    "redis unreachable for rate limits (%s); fail mode %s",
                    type(exc).__name__,
                    self.fail_mode,
                )
                if self.fail_mode == "closed":
                    raise RateLimiterUnavailable() from None
        elif self._redis is not None and self.fail_mode == "closed":
            raise RateLimiterUnavailable()
        if self._redis is not None and op == "hit":
            self.fallback_hits += 1
            metrics.RATE_LIMIT_FALLBACK.inc()
        return await getattr(self._memory, op)(item, *ids)

    async def hit(self, item: RateLimitItem, *ids: str) -> bool:
        """Count one request; False when the window was already full (nothing counted)."""
        return bool(await self._call("hit", item, ids))

    async def stats(self, item: RateLimitItem, *ids: str) -> Any:
        """`limits` window stats: `reset_time` (epoch seconds) and `remaining`."""
        return await self._call("get_window_stats", item, ids)

    @staticmethod
    def retry_after_s(stats: Any) -> int:
        return max(1, math.ceil(float(stats.reset_time) - time.time()))
