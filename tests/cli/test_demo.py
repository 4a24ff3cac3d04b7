from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL, make_url

from huntaze_ai.cli.demo import _server
from huntaze_ai.kit import migrations
from tests.apphelpers import settings_for
from tests.cli.conftest import Invoke
from tests.ports import free_port

CLI = Path(sys.executable).with_name("huntaze-ai")
# Generous: on a busy machine importing the CLI and then the app alone can take 15 s.
STARTUP_TIMEOUT_S = 60


def _env(db_file: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}"}
    # The embedded run under test: no Redis, no real model, whatever the developer's shell has.
    for name in ("REDIS_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL", "LLM_PROVIDER", "HUNTAZE_ENV"):
        env.pop(name, None)
    return env


@dataclass(frozen=True)
class Banner:
    url: str
    email: str
    password: str
    ai: str


class Demo:
    """`huntaze-ai demo` as a real process, its stdout and stderr in files."""

    def __init__(self, tmp_path: Path, db_file: Path, run: int, *args: str) -> None:
        self.port = free_port()
        self.out = tmp_path / f"demo-{run}.out"
        self.err = tmp_path / f"demo-{run}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                [str(CLI), "demo", "--port", str(self.port), "--emulator-latency-ms", "0", *args],
                env=_env(db_file),
                cwd=tmp_path,  # no developer .env is read, and no stray database file is made
                stdout=out,
                stderr=err,
            )

    def output(self) -> str:
        return self.out.read_text() + self.err.read_text()

    def wait_until_serving(self) -> Banner:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, (
                f"not serving in {STARTUP_TIMEOUT_S} s\n{self.output()}"
            )
            banner = _banner(self.out.read_text())
            if banner is not None:
                try:
                    health = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                except httpx.TransportError:
                    pass
                else:
                    assert health.json() == {"status": "ok"}
                    return banner
            time.sleep(0.2)

    def stop(self, sig: signal.Signals) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def _banner(text: str) -> Banner | None:
    fields = dict(re.findall(r"^  (URL|Email|Password|AI): +(.+)$", text, re.MULTILINE))
    if len(fields) < 4:
        return None
    return Banner(fields["URL"], fields["Email"], fields["Password"], fields["AI"])


def _use_the_app(banner: Banner, port: int) -> None:
    assert banner.url == f"http://127.0.0.1:{port}/auth/login"
    assert banner.ai.startswith("emulated")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        assert client.get("/auth/login").status_code == 200
        login = client.post(
            "/api/auth/token", json={"email": banner.email, "password": banner.password}
        )
        assert login.status_code == 200, login.text
        assert login.json()["token_type"] == "bearer"
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        quota = client.get("/api/ai/quota")
        assert quota.status_code == 200, quota.text
        assert quota.json()["plan"] == "pro"
        reply = client.post("/api/ai/messages/reply", json={"fan_message": "hi, how are you?"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["emulated"] is True
        creator_id = client.get("/api/me").json()["id"]
    # The demo agency: its manager acts for both creators, its chatter for the demo creator.
    for email, expected in [("manager@huntaze.example", 2), ("chatter@huntaze.example", 1)]:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            token = client.post(
                "/api/auth/token", json={"email": email, "password": banner.password}
            )
            assert token.status_code == 200, (email, token.text)
            me = client.get(
                "/api/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
            ).json()
        assert len(me["creators"]) == expected, me
        assert creator_id in [c["id"] for c in me["creators"]]
        if email.startswith("chatter"):  # the demo creator's inbox is not empty
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
                pending = client.get("/api/drafts?status=pending", headers=auth).json()
                queue = client.get("/api/escalations", headers=auth).json()
                fan_id = pending["drafts"][-1]["fan_id"]  # the oldest: the biggest spender's
                fan = client.get(f"/api/fans/{fan_id}", headers=auth).json()
            assert len(pending["drafts"]) >= 2
            assert queue["count"] >= 1
            # The demo's fans have a memory: notes, a proposal and a short conversation.
            assert "Runs 10k races" in [n["text"] for n in fan["notes"]], fan
            assert fan["proposals"]
            assert [m["sender"] for m in fan["conversation"]][:2] == ["fan", "creator"]


def _run_and_stop(demo: Demo, sig: signal.Signals) -> str:
    try:
        _use_the_app(demo.wait_until_serving(), demo.port)
    finally:
        code = demo.stop(sig)
    output = demo.output()
    assert code == 0, output
    assert "Traceback" not in output
    return output


@pytest.mark.slow
def test_demo_serves_a_ready_creator_and_stops_cleanly_twice_on_one_file(tmp_path: Path) -> None:
    db_file = tmp_path / "demo.db"

    first = _run_and_stop(Demo(tmp_path, db_file, 1), signal.SIGINT)
    assert "Created demo creator demo@huntaze.example" in first

    # The same file again: the creator is reused, its password set to the one printed now.
    second = _run_and_stop(Demo(tmp_path, db_file, 2, "--password", "another-pw-1"), signal.SIGTERM)
    assert "Reused" in second
    assert "Password: another-pw-1" in second
    with sqlite3.connect(db_file) as conn:
        # The demo creator and the agency's second creator, manager and chatter: reused too.
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (4,)
        assert conn.execute("SELECT count(*) FROM agency_members").fetchone() == (3,)


def test_a_taken_port_is_one_line_and_exit_1(cli: Callable[[URL], Invoke], tmp_path: Path) -> None:
    db_file = tmp_path / "demo.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # In this process: the port is checked before anything slow, and a subprocess would spend
        # seconds importing only to reach that check.
        result = cli(make_url(f"sqlite:///{db_file}"))("demo", "--port", str(port))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port}" in lines[0]
    assert "in use" in lines[0]
    assert not db_file.exists()  # it failed before migrating anything


def test_a_password_too_short_fails_before_anything_starts(
    cli: Callable[[URL], Invoke], tmp_path: Path
) -> None:
    db_file = tmp_path / "demo.db"
    result = cli(make_url(f"sqlite:///{db_file}"))("demo", "--port", "0", "--password", "short")
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1
    assert "password" in result.stderr
    assert not db_file.exists()


def test_the_demo_server_refuses_an_oversized_request_head_with_431_as_serve_does(
    tmp_path: Path,
) -> None:
    url = make_url(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    migrations.upgrade(url)
    server = _server(settings_for(url, max_header_bytes=4096))
    listener = socket.create_server(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            assert thread.is_alive(), "the demo server stopped before it started"
            assert time.monotonic() < deadline, "the demo server never started"
            time.sleep(0.05)
        head = b"GET /healthz HTTP/1.1\r\nHost: demo\r\nX-Big: " + b"a" * 8192 + b"\r\n\r\n"
        with socket.create_connection(listener.getsockname(), timeout=10) as client:
            client.sendall(head)
            answer = client.recv(65536)
    finally:
        server.should_exit = True
        thread.join(15)
        listener.close()
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b"request_header_fields_too_large" in answer
