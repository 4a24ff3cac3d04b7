"""The login throttle's per-address windows count an IPv6 subscriber's whole /64, not each of its
addresses: one home or server gets 2^64 of them to spread guesses over. A device the account
logged in from before counts in a window of its own, until it sends too many wrong passwords."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from huntaze_ai.auth.throttle import LoginThrottle, TooManyLoginAttempts, client_network


def test_an_ipv6_address_counts_as_its_64_and_ipv4_as_itself() -> None:
    assert client_network("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert client_network("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_network("203.0.113.7") == "203.0.113.7"
    assert client_network("testclient") == "testclient"
    assert client_network(None) is None


async def test_guesses_spread_over_one_64_are_refused_like_guesses_from_one_address() -> None:
    throttle = LoginThrottle(None, "closed")
    for n in range(10):
        await throttle.attempt("nova@example.com", f"2001:db8:1:2::{n + 1:x}")
    with pytest.raises(TooManyLoginAttempts):
        await throttle.attempt("nova@example.com", "2001:db8:1:2::ffff")
    # Another subscriber's network has its own window.
    await throttle.attempt("nova@example.com", "2001:db8:9:9::1")


@pytest.fixture(params=["in-process", "redis"])
async def throttle(request: pytest.FixtureRequest) -> AsyncIterator[LoginThrottle]:
    """A login throttle counting in this process, or in Redis under a prefix of this test's own
    (deleted afterwards: Redis windows outlive the test)."""
    if request.param == "in-process":
        yield LoginThrottle(None, "closed")
        return
    client = aioredis.Redis.from_url(request.getfixturevalue("redis_url"))

    class _ThisTests(LoginThrottle):
        KEY_PREFIX = f"{LoginThrottle.KEY_PREFIX}-test-{uuid.uuid4().hex}"

    try:
        yield _ThisTests(client, "closed")
        keys = [k async for k in client.scan_iter(f"{_ThisTests.KEY_PREFIX}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def _email() -> str:
    return f"creator-{uuid.uuid4().hex[:12]}@example.com"


async def _strangers_fill(throttle: LoginThrottle, email: str) -> None:
    """Ten addresses, ten guesses each: the email's window is full, no address's is."""
    for host in range(10):
        for _ in range(10):
            await throttle.attempt(email, f"198.51.100.{host}")


async def _refused(attempt: Awaitable[None]) -> int:
    """The limit of the window that refused `attempt` (which must be refused)."""
    with pytest.raises(TooManyLoginAttempts) as refused:
        await attempt
    return int(refused.value.details["limit"])


async def test_strangers_filling_an_email_leave_a_known_device_its_own_window(
    throttle: LoginThrottle,
) -> None:
    email = _email()
    await _strangers_fill(throttle, email)

    assert await _refused(throttle.attempt(email, "198.51.100.77")) == 100
    assert await _refused(throttle.attempt(email, "203.0.113.7")) == 100
    # The creator's browser from an earlier login, on the same address: ten attempts of its own.
    for _ in range(10):
        await throttle.attempt(email, "203.0.113.7", device="creator-phone")
    assert await _refused(throttle.attempt(email, "203.0.113.7", device="creator-phone")) == 10
    await throttle.attempt(email, "203.0.113.7", device="creator-laptop")


async def test_a_devices_attempts_count_against_its_address(throttle: LoginThrottle) -> None:
    for n in range(50):
        await throttle.attempt(f"{n}-{_email()}", "203.0.113.8")
    assert await _refused(throttle.attempt(_email(), "203.0.113.8", device="phone")) == 50


async def test_a_device_with_ten_wrong_passwords_counts_as_a_stranger_again(
    throttle: LoginThrottle, window_clock: Callable[[float], None]
) -> None:
    email = _email()
    for n in range(10):
        await throttle.attempt(email, "203.0.113.9", device="copied")
        await throttle.failed("copied")
        if n < 9:
            await throttle.attempt(email, "203.0.113.9", device="typos")
            await throttle.failed("typos")
    window_clock(16 * 60)  # the devices' own windows are empty again, their failures are not
    await _strangers_fill(throttle, email)

    assert await _refused(throttle.attempt(email, "203.0.113.9", device="copied")) == 100
    await throttle.attempt(email, "203.0.113.9", device="typos")  # nine: still the creator's
