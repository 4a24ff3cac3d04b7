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

import ipaddress

import redis.asyncio as aioredis
from limits import RateLimitItemPerMinute

from huntaze_ai.kit.rate_window import FailMode, MovingWindow
from huntaze_ai.metering.rate_limit import RateLimitExceeded

PER_IP = RateLimitItemPerMinute(50, 15)
PER_EMAIL_FROM_IP = RateLimitItemPerMinute(10, 15)
PER_EMAIL = RateLimitItemPerMinute(100, 15)


class TooManyLoginAttempts(RateLimitExceeded):
    default_message = "Rate limit exceeded: too many login attempts"


def client_network(client_ip: str | None) -> str | None:
    """What the per-address windows count: an IPv4 address, or an IPv6 address's /64 (one
    subscriber's whole allocation, which they may spread guesses over at no cost)."""
    if not client_ip:
        return client_ip
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return client_ip  # not an address (a test client's name): counted as it is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class LoginThrottle:
    KEY_PREFIX = "huntaze-ai:login"

    def __init__(self, redis_client: aioredis.Redis | None, fail_mode: FailMode) -> None:
        self.window = MovingWindow(redis_client, fail_mode, self.KEY_PREFIX)

    async def attempt(self, email: str, client_ip: str | None) -> None:
        """Count one login attempt; raise TooManyLoginAttempts when either window is full."""
        email = email.strip().lower()
        client_ip = client_network(client_ip)
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
