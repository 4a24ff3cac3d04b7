"""The login throttle's per-address windows count an IPv6 subscriber's whole /64, not each of its
addresses: one home or server gets 2^64 of them to spread guesses over."""

from __future__ import annotations

import pytest

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
