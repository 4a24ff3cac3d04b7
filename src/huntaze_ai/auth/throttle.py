"""Login attempts limited per client IP, per email from one IP, and per email overall, across
instances when Redis is set.

Every attempt counts, successful or not: counting only failures would need a check before and a
hit after, which concurrent guesses slip between. The tight limit is per (email, IP), so a
stranger guessing from one address cannot lock the creator out of their own login; the looser
per-email limit still bounds guessing spread over many addresses (locking an account out then
takes many addresses). The per-IP limit is higher than per email because an agency's office
shares one address.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from limits import RateLimitItemPerMinute

from huntaze_ai.kit.rate_window import FailMode, MovingWindow
from huntaze_ai.metering.rate_limit import RateLimitExceeded

PER_IP = RateLimitItemPerMinute(50, 15)
PER_EMAIL_FROM_IP = RateLimitItemPerMinute(10, 15)
PER_EMAIL = RateLimitItemPerMinute(100, 15)


class TooManyLoginAttempts(RateLimitExceeded):
    default_message = "Rate limit exceeded: too many login attempts"


class LoginThrottle:
    KEY_PREFIX = "huntaze-ai:login"

    def __init__(self, redis_client: aioredis.Redis | None, fail_mode: FailMode) -> None:
        self.window = MovingWindow(redis_client, fail_mode, self.KEY_PREFIX)

    async def attempt(self, email: str, client_ip: str | None) -> None:
        """Count one login attempt; raise TooManyLoginAttempts when either window is full."""
        email = email.strip().lower()
        checks = [(PER_EMAIL, f"{{email:{email}}}")]
        if client_ip:
            # IP first: a flood from one address is refused before it counts against an email.
            checks = [
                (PER_IP, f"{{ip:{client_ip}}}"),
                (PER_EMAIL_FROM_IP, f"{{login:{email}|{client_ip}}}"),
                *checks,
            ]
        else:
            checks = [(PER_EMAIL_FROM_IP, f"{{login:{email}|-}}"), *checks]
        for item, key in checks:
            if not await self.window.hit(item, key):
                stats = await self.window.stats(item, key)
                raise TooManyLoginAttempts(
                    self.window.retry_after_s(stats),
                    limit=item.amount,
                    message=TooManyLoginAttempts.default_message,
                )
