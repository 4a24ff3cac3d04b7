from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from huntaze_ai.kit.migrations import upgrade
from tests.ports import free_port

pytestmark = pytest.mark.slow


def test_serve_starts_the_app_with_health_and_readiness(tmp_path: Path, redis_url: str) -> None:
    from sqlalchemy.engine import make_url

    db_file = tmp_path / "served.db"
    upgrade(make_url(f"sqlite+aiosqlite:///{db_file}"))
    port = free_port()
    # Two workers share their rate limits through Redis (serve refuses them without it).
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}", "REDIS_URL": redis_url}
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


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("MESSAGING_MODEL", "gemini-9-ultra", "MESSAGING_MODEL: no published price"),
        ("CONTENT_THINKING", "128k", "CONTENT_THINKING: '128k' is not a thinking budget"),
        ("QUOTA_FALLBACK_MODEL", "gemini-2.5-pro", "QUOTA_FALLBACK_MODEL: gemini-2.5-pro costs"),
        ("GEMINI_SAFETY_HATE_SPEECH", "BLOCK_MOST", "GEMINI_SAFETY_HATE_SPEECH"),
    ],
)
def test_serve_refuses_a_bad_model_setting_in_one_line_naming_it(
    tmp_path: Path, variable: str, value: str, named: str
) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", variable: value}
    cli = Path(sys.executable).with_name("huntaze-ai")
    done = subprocess.run(
        [str(cli), "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert named in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_serve_refuses_several_workers_without_redis(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    env.pop("REDIS_URL", None)
    cli = Path(sys.executable).with_name("huntaze-ai")
    done = subprocess.run(
        [str(cli), "serve", "--port", str(free_port()), "--workers", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: --workers 3 needs REDIS_URL: without it each worker counts the hourly rate "
        "limits on its own. Set REDIS_URL, or serve with --workers 1"
    )
