"""Per-creator hourly rate limits: an exact moving window from the `limits` library.

With Redis configured every app instance counts in the same Redis list (one key per creator and
limit, hash-tagged so it stays in one Redis Cluster slot; `hit` is one atomic Lua script). Without
Redis the window lives in this process, which is right for the embedded single-process setup.

When Redis is unreachable, RATE_LIMIT_FAIL_MODE decides: `closed` refuses the call (503), `open`
falls back to this process's window, logged. Either way the money is safe: the quota is in the
database.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, cast

import redis
import redis.asyncio as aioredis
from limits import RateLimitItemPerHour
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from huntaze_ai.config import Plan
from huntaze_ai.kit import metrics
from huntaze_ai.kit.errors import DependencyUnavailable, HuntazeError
from huntaze_ai.metering.plans import RATE_LIMITS_PER_HOUR

log = logging.getLogger(__name__)

_REDIS_ERRORS = (StorageError, redis.RedisError, OSError, TimeoutError)


class RateLimitExceeded(HuntazeError):
    status_code = 429
    code = "rate_limited"
    default_message = "Rate limit exceeded"

    def __init__(self, retry_after_s: int, limit: int) -> None:
        super().__init__(retry_after_s=retry_after_s, limit=limit)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after_s)}


class RateLimiterUnavailable(DependencyUnavailable):
    default_message = "Rate limiter unavailable (Redis unreachable)"


@dataclass(frozen=True)
class RateLimitStatus:
    limit: int
    remaining: int
    reset_at: datetime


class CreatorRateLimiter:
    KEY_PREFIX: ClassVar[str] = "huntaze-ai:rl"

    def __init__(
        self,
        redis_client: aioredis.Redis | None = None,
        fail_mode: Literal["closed", "open"] = "closed",
        limits: dict[Plan, int] | None = None,
        redis_retry_interval_s: float = 2.0,
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self.fail_mode = fail_mode
        self.limits = dict(limits or RATE_LIMITS_PER_HOUR)
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
        """True when limits are counted across instances (Redis configured)."""
        return self._redis is not None

    def _item(self, plan: Plan) -> RateLimitItemPerHour:
        return RateLimitItemPerHour(self.limits[plan])

    @staticmethod
    def _ids(creator_id: int) -> tuple[str]:
        # Braces make Redis Cluster hash only "creator:N": every key of a creator shares a slot.
        return (f"{{creator:{creator_id}}}",)

    async def _call(self, op: str, plan: Plan, creator_id: int) -> Any:
        item, ids = self._item(plan), self._ids(creator_id)
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
        if self._redis is not None:
            self.fallback_hits += op == "hit"
            if op == "hit":
                metrics.RATE_LIMIT_FALLBACK.inc()
        return await getattr(self._memory, op)(item, *ids)

    async def hit(self, creator_id: int, plan: Plan) -> None:
        """Count one request; raise RateLimitExceeded (with the wait) when the window is full."""
        if await self._call("hit", plan, creator_id):
            return
        stats = await self._call("get_window_stats", plan, creator_id)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        metrics.RATE_LIMIT_REJECTIONS.labels(plan).inc()
        raise RateLimitExceeded(retry_after_s=retry_after, limit=self.limits[plan])

    async def status(self, creator_id: int, plan: Plan) -> RateLimitStatus:
        stats = await self._call("get_window_stats", plan, creator_id)
        return RateLimitStatus(
            limit=self.limits[plan],
            remaining=int(stats.remaining),
            reset_at=datetime.fromtimestamp(stats.reset_time, UTC),
        )


async def check_creator_rate_limit(
    limiter: CreatorRateLimiter, creator_id: int, plan: Plan
) -> None:
    """The origin's checkCreatorRateLimit: raises RateLimitExceeded("Rate limit exceeded")."""
    await limiter.hit(creator_id, plan)
