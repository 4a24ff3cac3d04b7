"""Slow and oversized clients against a real `huntaze-ai serve`, over raw sockets: a stalled or
trickled body is 408, headers that never end are 408, a 200 KB header is 431 (all in the JSON
error contract, then the connection closes), hundreds of stalled bodies are all cut off while the
server keeps answering, and idle connections are closed."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from tests.served import Served, serve

pytestmark = pytest.mark.slow

BODY_TIMEOUT_S = 1.0
HEADER_TIMEOUT_S = 1.0
KEEPALIVE_TIMEOUT_S = 3
MAX_HEADER_BYTES = 16 * 1024  # the default


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(
        tmp_path_factory.mktemp("slow-clients"),
        BODY_TIMEOUT_S=str(BODY_TIMEOUT_S),
        HEADER_TIMEOUT_S=str(HEADER_TIMEOUT_S),
        KEEPALIVE_TIMEOUT_S=str(KEEPALIVE_TIMEOUT_S),
    ) as served:
        yield served


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool  # the server closed the connection after answering
    after_s: float  # from the call until the answer was complete


def read_answer(sock: socket.socket, started: float, wait_s: float = 10.0) -> Answer:
    """Everything the server sends until it closes (or `wait_s` passes)."""
    sock.settimeout(wait_s)
    data = b""
    closed = False
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
    except TimeoutError:
        pass
    except ConnectionResetError:
        closed = True
    elapsed = time.monotonic() - started
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return Answer(status, headers, body, closed, elapsed)


def one_response(sock: socket.socket) -> bytes:
    """One complete response on a keep-alive connection (head and Content-Length body)."""
    sock.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length")).split(
            b":"
        )[1]
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def post_head(path: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def assert_error(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["connection"] == "close"
    assert json.loads(answer.body)["error"] == code
    assert answer.closed


def test_a_stalled_body_is_408_in_the_error_contract_and_the_connection_closes(
    server: Served,
) -> None:
    with server.connect() as sock:
        started = time.monotonic()
        sock.sendall(post_head("/api/auth/token", 100) + b'{"email": "a@example.com"')
        answer = read_answer(sock, started)
    assert_error(answer, 408, "request_timeout")
    assert "1 s" in json.loads(answer.body)["message"]
    assert BODY_TIMEOUT_S - 0.1 <= answer.after_s < BODY_TIMEOUT_S + 2


def test_a_trickled_body_is_cut_off_at_the_deadline_not_per_read(server: Served) -> None:
    with server.connect() as sock:
        started = time.monotonic()
        sock.sendall(post_head("/api/auth/token", 200))
        # A byte every 0.2 s: each read is quick, the body as a whole is late.
        for _ in range(10):
            try:
                sock.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.2)
        answer = read_answer(sock, started)
    assert_error(answer, 408, "request_timeout")
    assert answer.after_s < BODY_TIMEOUT_S + 2.5


def test_headers_that_never_end_are_408(server: Served) -> None:
    with server.connect() as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ")
        answer = read_answer(sock, started)
    assert_error(answer, 408, "request_timeout")
    assert HEADER_TIMEOUT_S - 0.1 <= answer.after_s < HEADER_TIMEOUT_S + 2


def test_a_200_kb_header_is_431_and_the_connection_closes(server: Served) -> None:
    big = b"x" * 200_000
    with server.connect() as sock:
        started = time.monotonic()
        # Refused before the client finishes writing it: writing may fail, reading must not.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: " + big + b"\r\n\r\n")
        answer = read_answer(sock, started)
    assert_error(answer, 431, "request_header_fields_too_large")
    assert str(MAX_HEADER_BYTES) in json.loads(answer.body)["message"]


def test_a_head_just_over_the_cap_in_one_packet_is_431_and_one_within_it_is_served(
    server: Served,
) -> None:
    def get_with_header(size: int) -> Answer:
        with server.connect() as sock:
            started = time.monotonic()
            sock.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\nX-Pad: "
                + b"p" * size
                + b"\r\n\r\n"
            )
            return read_answer(sock, started)

    assert get_with_header(MAX_HEADER_BYTES - 200).status == 200
    assert_error(get_with_header(MAX_HEADER_BYTES + 10), 431, "request_header_fields_too_large")


def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server: Served) -> None:
    with server.connect() as sock:
        started = time.monotonic()
        answer = read_answer(sock, started)
    assert answer.closed
    assert answer.status == 0  # nothing was asked, nothing is answered
    assert HEADER_TIMEOUT_S - 0.1 <= answer.after_s < HEADER_TIMEOUT_S + 2


def test_an_idle_keep_alive_connection_lasts_the_keep_alive_timeout_not_the_header_one(
    server: Served,
) -> None:
    with server.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert one_response(sock).startswith(b"HTTP/1.1 200")
        time.sleep(HEADER_TIMEOUT_S + 0.5)  # past the header timeout: still open
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert one_response(sock).startswith(b"HTTP/1.1 200")
        answered = time.monotonic()
        answer = read_answer(sock, answered)
    assert answer.closed
    assert KEEPALIVE_TIMEOUT_S - 0.5 <= answer.after_s < KEEPALIVE_TIMEOUT_S + 2


def test_a_body_the_app_never_reads_cannot_hold_the_connection(server: Served) -> None:
    with server.connect() as sock:
        started = time.monotonic()
        # /healthz answers without reading the body; the client goes on trickling it.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\nab")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        closed = False
        for _ in range(40):
            try:
                sock.sendall(b"c")
                time.sleep(0.1)
                sock.settimeout(0.01)
                if sock.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
    assert closed
    assert time.monotonic() - started < BODY_TIMEOUT_S + 2.5


def test_hundreds_of_stalled_bodies_are_all_cut_off_while_the_server_keeps_answering(
    server: Served,
) -> None:
    count = 300
    sockets = [server.connect() for _ in range(count)]
    started = time.monotonic()
    try:
        for sock in sockets:
            sock.sendall(post_head("/api/ai/compliance/check", 1000) + b'{"text": "hel')
        # While they stall, others are served.
        health = [httpx.get(f"{server.url}/healthz", timeout=5).status_code for _ in range(5)]
        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(lambda s: read_answer(s, started), sockets))
    finally:
        for sock in sockets:
            sock.close()
    assert health == [200] * 5
    assert {a.status for a in answers} == {408}
    assert all(a.closed for a in answers)
    assert max(a.after_s for a in answers) < BODY_TIMEOUT_S + 5
    after = httpx.get(f"{server.url}/healthz", timeout=5)
    assert after.status_code == 200
