"""Under a real `serve`, forwarding headers are believed only from FORWARDED_ALLOW_IPS: uvicorn's
own default trusted them from 127.0.0.1, so any local client could pick the address that the
login limits count."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.served import Served, serve

pytestmark = pytest.mark.slow

PROXY = "127.0.0.2"  # loopback too: the test can connect from it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("forwarded"), FORWARDED_ALLOW_IPS=PROXY) as served:
        yield served


def _guesses(server: Served, email: str, source: str, forwarded_for: list[str]) -> list[int]:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, base_url=server.url, timeout=10) as client:
        return [
            client.post(
                "/api/auth/token",
                json={"email": email, "password": "wrong password"},
                headers={"X-Forwarded-For": ip},
            ).status_code
            for ip in forwarded_for
        ]


def test_a_local_client_cannot_spoof_its_address_to_escape_the_login_limit(
    server: Served,
) -> None:
    _, email = server.create_creator()
    spoofed = [f"198.51.100.{i}" for i in range(11)]
    assert _guesses(server, email, "127.0.0.1", spoofed) == [401] * 10 + [429]


def test_the_trusted_proxys_clients_are_counted_each_on_their_own_address(
    server: Served,
) -> None:
    _, email = server.create_creator()
    clients = [f"198.51.100.{i}" for i in range(11)]
    assert _guesses(server, email, PROXY, clients) == [401] * 11
