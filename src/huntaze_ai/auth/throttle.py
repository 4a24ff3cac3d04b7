"""Login attempts limited per client IP, per email from one IP, and per email overall, across
instances when Redis is set; a device the account logged in from before has a window of its own.

Every attempt counts, successful or not: counting only failures would need a check before and a
hit after, which concurrent guesses slip between. The tight limit is per (email, IP), so a
stranger guessing from one address cannot lock the creator out of their own login; the looser
per-email limit still bounds guessing spread over many addresses. The per-IP limit is higher than
per email because an agency's office shares one address.

Ten addresses are enough to fill the per-email window, though, and with it lock the creator out.
So a browser that logged in to an account holds a device cookie for it (auth/sessions.py; OWASP's
"device cookies"), and its attempts count in that device's own window instead of the email's two:
strangers cannot lock the creator out of the devices they use. A device that sends too many wrong
passwords is no longer trusted and counts as a stranger again, so a copied cookie is no way
around the per-email limit.
"""

from __future__ import annotations

import ipaddress

import redis.asyncio as aioredis
from limits import RateLimitItemPerDay, RateLimitItemPerMinute

from huntaze_ai.kit.rate_window import FailMode, MovingWindow
from huntaze_ai.metering.rate_limit import RateLimitExceeded

PER_IP = RateLimitItemPerMinute(50, 15)
PER_EMAIL_FROM_IP = RateLimitItemPerMinute(10, 15)
PER_EMAIL = RateLimitItemPerMinute(100, 15)
PER_DEVICE = RateLimitItemPerMinute(10, 15)
DEVICE_COOKIE_DAYS = 90
# Wrong passwords only (every attempt counts in PER_DEVICE, which bounds the guesses that race
# this check), over the cookie's whole life: a login gives the browser a new cookie, so these are
# the failures since the device last logged in, and a copied cookie gets 10 guesses, not 10 a day.
DEVICE_FAILURES = RateLimitItemPerDay(10, DEVICE_COOKIE_DAYS)


class TooManyLoginAttempts(RateLimitExceeded):
    default_message = "Rate limit exceeded: too many login attempts"


def login_email(email: str) -> str:
    """The account an email names for the windows and device cookies: case and surrounding
    spaces do not make another."""
    return email.strip().lower()


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

    async def attempt(self, email: str, client_ip: str | None, device: str | None = None) -> None:
        """Count one login attempt; raise TooManyLoginAttempts when a window is full. `device` is
        the nonce of the browser's device cookie when it was made for this email
        (auth/sessions.device_nonce)."""
        email = login_email(email)
        client_ip = client_network(client_ip)
        if device and await self._trusted(device):
            checks = [(PER_DEVICE, f"{{device:{device}}}")]
        else:
            checks = [
                (PER_EMAIL_FROM_IP, f"{{login:{email}|{client_ip or '-'}}}"),
                (PER_EMAIL, f"{{email:{email}}}"),
            ]
        if client_ip:
            # IP first: a flood from one address is refused before it counts against an email.
            # A device's attempts count too: this window bounds the password hashes one address
            # costs (a client logging into its own account over and over gets a fresh cookie each
            # time), and strangers elsewhere cannot fill it, so it locks no creator out.
            checks.insert(0, (PER_IP, f"{{ip:{client_ip}}}"))
        for item, key in checks:
            if not await self.window.hit(item, key):
                stats = await self.window.stats(item, key)
                raise TooManyLoginAttempts(
                    self.window.retry_after_s(stats),
                    limit=item.amount,
                    message=TooManyLoginAttempts.default_message,
                )

    async def failed(self, device: str | None) -> None:
        """Count a wrong password sent with a device cookie (`attempt`'s `device`)."""
        if device:
            await self.window.hit(DEVICE_FAILURES, f"{{device:{device}}}")

    async def _trusted(self, device: str) -> bool:
        stats = await self.window.stats(DEVICE_FAILURES, f"{{device:{device}}}")
        return int(stats.remaining) > 0
