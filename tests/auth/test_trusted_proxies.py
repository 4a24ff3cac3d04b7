"""Forwarding headers are believed only from FORWARDED_ALLOW_IPS: a spoofed X-Forwarded-For from
any other peer changes nothing (the login limits keep counting the peer), a trusted proxy's is the
client address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.main import create_app
from tests.apphelpers import settings_for
from tests.metering.conftest import new_creator

PROXY = "10.20.30.40"
CLIENT = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fast_password_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # The limits count attempts before any password is checked: a refusing stand-in for argon2
    # proves the same, in a fraction of the time.
    monkeypatch.setattr("huntaze_ai.auth.service.verify_password", lambda *_: False)


@asynccontextmanager
async def peer(settings: Settings, address: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 40_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def _guesses(client: httpx.AsyncClient, email: str, forwarded_for: list[str]) -> list[int]:
    return [
        (
            await client.post(
                "/api/auth/token",
                json={"email": email, "password": "guess"},
                headers={"X-Forwarded-For": ip},
            )
        ).status_code
        for ip in forwarded_for
    ]


async def test_by_default_a_spoofed_forwarded_for_does_not_open_new_login_windows(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    spoofed = [f"198.51.100.{i}" for i in range(11)]  # a new "address" on every try
    async with peer(settings_for(database_url), CLIENT) as client:
        statuses = await _guesses(client, user.email, spoofed)
    # Ten per email from one address: the peer's, whatever the header said.
    assert statuses == [401] * 10 + [429]


async def test_a_peer_that_is_not_the_trusted_proxy_cannot_spoof_either(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url, forwarded_allow_ips=PROXY)
    async with peer(settings, CLIENT) as client:
        statuses = await _guesses(client, user.email, [f"198.51.100.{i}" for i in range(11)])
    assert statuses == [401] * 10 + [429]


async def test_the_trusted_proxys_forwarded_for_is_the_client_address(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database)
    settings = settings_for(database_url, forwarded_allow_ips="10.0.0.0/8")
    async with peer(settings, PROXY) as proxy:
        # Eleven clients behind the proxy: each has its own window (none is throttled) ...
        many = await _guesses(proxy, user.email, [f"198.51.100.{i}" for i in range(11)])
        # ... and one client is throttled on its own address, not the proxy's. The left-most
        # entry is what the client wrote itself: the proxy appended the real address.
        one = await _guesses(proxy, user.email, [f"1.2.3.{i}, {CLIENT}" for i in range(11)])
    assert many == [401] * 11
    assert one == [401] * 10 + [429]


@pytest.mark.parametrize(
    ("value", "trusted"),
    [
        ("", []),
        (" 10.0.0.5 , 10.1.2.3/8 ", ["10.0.0.5", "10.0.0.0/8"]),
        ("::1", ["::1"]),
    ],
)
def test_forwarded_allow_ips_accepts_addresses_or_networks(value: str, trusted: list[str]) -> None:
    assert Settings(forwarded_allow_ips=value).trusted_proxies == trusted


@pytest.mark.parametrize("value", ["lb.internal", "10.0.0.300"])
def test_forwarded_allow_ips_refuses_what_is_not_an_address(value: str) -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        Settings(forwarded_allow_ips=value)


@pytest.mark.parametrize("value", ["*", "*, 10.0.0.1"])
def test_forwarded_allow_ips_refuses_star_which_believes_the_clients_own_entry(
    value: str,
) -> None:
    # An appending balancer forwards "<what the client sent>, <the client>": uvicorn's `*` takes
    # the first, so every login attempt could claim a new address.
    with pytest.raises(ValueError, match="client's own X-Forwarded-For entry"):
        Settings(forwarded_allow_ips=value)
