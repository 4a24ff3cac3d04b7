"""The shared Redis client, when Redis is configured (REDIS_URL or ELASTICACHE_REDIS_HOST)."""

from __future__ import annotations

import redis.asyncio as aioredis


def create_redis(url: str) -> aioredis.Redis:
    # Short timeouts: a dead Redis must turn into a fast, explicit failure, not a hung request.
    return aioredis.Redis.from_url(
        url, socket_timeout=1.0, socket_connect_timeout=1.0, health_check_interval=30
    )
