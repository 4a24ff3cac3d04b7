from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from huntaze_ai.kit.migrations import upgrade

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_the_app_with_health_and_readiness(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    db_file = tmp_path / "served.db"
    upgrade(make_url(f"sqlite+aiosqlite:///{db_file}"))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}"}
    env.pop("REDIS_URL", None)
    cli = Path(sys.executable).with_name("huntaze-ai")
    log = tmp_path / "serve.log"
    with (
        log.open("wb") as log_file,
        subprocess.Popen(
            [str(cli), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        ) as proc,
    ):
        try:
            _check_endpoints(proc, port, log)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert proc.returncode in (0, -15), log.read_text()


def _check_endpoints(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start in 30 s"
            time.sleep(0.2)
    assert health.json() == {"status": "ok"}
    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text
