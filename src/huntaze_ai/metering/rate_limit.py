"""Per-creator hourly rate limits: an exact moving window (`kit.rate_window`) per creator.

With Redis configured every app instance counts in the same window, keyed per creator and
hash-tagged so it stays in one Redis Cluster slot. When Redis is unreachable,
RATE_LIMIT_FAIL_MODE decides: `closed` refuses the call (503), `open` falls back to this process's
window, logged. Either way the money is safe: the quota is in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import redis.asyncio as aioredis
from limits import RateLimitItemPerHour

from huntaze_ai.config import Plan
from huntaze_ai.kit import metrics
from huntaze_ai.kit.errors import HuntazeError
from huntaze_ai.kit.rate_window import FailMode, MovingWindow, RateLimiterUnavailable
from huntaze_ai.metering.plans import RATE_LIMITS_PER_HOUR

__all__ = ["CreatorRateLimiter", "RateLimitExceeded", "RateLimitStatus", "RateLimiterUnavailable"]


class RateLimitExceeded(HuntazeError):
    status_code = 429
    code = "rate_limited"
    default_message = "Rate limit exceeded"

    def __init__(self, retry_after_s: int, limit: int, message: str | None = None) -> None:
        super().__init__(message, retry_after_s=retry_after_s, limit=limit)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after_s)}


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
        fail_mode: FailMode = "closed",
        limits: dict[Plan, int] | None = None,
        redis_retry_interval_s: float = 2.0,
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self.limits = dict(limits or RATE_LIMITS_PER_HOUR)
        self.window = MovingWindow(redis_client, fail_mode, key_prefix, redis_retry_interval_s)

    @property
    def shared(self) -> bool:
        return self.window.shared

    @property
    def fail_mode(self) -> FailMode:
        return self.window.fail_mode

    @property
    def fallback_hits(self) -> int:
        return self.window.fallback_hits

    @property
    def redis_errors(self) -> int:
        return self.window.redis_errors

    def _item(self, plan: Plan) -> RateLimitItemPerHour:
        return RateLimitItemPerHour(self.limits[plan])

    @staticmethod
    def _id(creator_id: int) -> str:
        # Braces make Redis Cluster hash only "creator:N": every key of a creator shares a slot.
        return f"{{creator:{creator_id}}}"

    async def hit(self, creator_id: int, plan: Plan) -> None:
        """Count one request; raise RateLimitExceeded (with the wait) when the window is full."""
        item, key = self._item(plan), self._id(creator_id)
        if await self.window.hit(item, key):
            return
        stats = await self.window.stats(item, key)
        metrics.RATE_LIMIT_REJECTIONS.labels(plan).inc()
        raise RateLimitExceeded(self.window.retry_after_s(stats), limit=self.limits[plan])

    async def status(self, creator_id: int, plan: Plan) -> RateLimitStatus:
        stats = await self.window.stats(self._item(plan), self._id(creator_id))
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
