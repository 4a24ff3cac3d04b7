"""The hand check's budget: a per-creator moving window over an hour.

`POST /api/ai/compliance/check` costs no model call and no money, so neither the quota nor the AI
rate limit bounds it; without this window a token could keep a core busy for free. The window is
counted in Redis when configured (every instance shares it), with the rate limiter's fail mode.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from limits import RateLimitItemPerHour

from huntaze_ai.kit.rate_window import FailMode, MovingWindow
from huntaze_ai.metering.rate_limit import RateLimitExceeded

DEFAULT_CHECKS_PER_HOUR = 1000


class TooManyChecks(RateLimitExceeded):
    default_message = "Rate limit exceeded: too many compliance checks this hour"


class CheckBudget:
    KEY_PREFIX = "huntaze-ai:compliance"

    def __init__(
        self,
        redis_client: aioredis.Redis | None,
        fail_mode: FailMode,
        per_hour: int = DEFAULT_CHECKS_PER_HOUR,
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self.item = RateLimitItemPerHour(per_hour)
        self.window = MovingWindow(redis_client, fail_mode, key_prefix)

    async def spend(self, creator_id: int) -> None:
        """Count one check; raise TooManyChecks (429, with the wait) when the hour is used up."""
        key = f"{{creator:{creator_id}}}"  # hash-tagged: one Redis Cluster slot per creator
        if await self.window.hit(self.item, key):
            return
        stats = await self.window.stats(self.item, key)
        raise TooManyChecks(
            self.window.retry_after_s(stats),
            limit=self.item.amount,
            message=TooManyChecks.default_message,
        )
