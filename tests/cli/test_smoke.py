"""`huntaze-ai smoke-test` against a real `huntaze-ai serve`: a subprocess on a migrated SQLite
file, Redis for the rate limits, the Gemini emulator, a token from `huntaze-ai tokens create`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from huntaze_ai.cli import app
from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from huntaze_ai.kit.migrations import upgrade
from tests.conftest import redis_database
from tests.ports import free_port

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Deployment:
    url: str
    token: str
    log: Path


def _cli(env: dict[str, str], *args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("smoke")
    db_file = tmp / "served.db"
    upgrade(make_url(f"sqlite+aiosqlite:///{db_file}"))
    database_url = f"sqlite:///{db_file}"
    email = f"smoke-{uuid.uuid4().hex[:8]}@example.com"
    env = {"DATABASE_URL": database_url}
    password = "correct horse battery"
    _cli(env, "users", "create", "--email", email, "--password", password, "--plan", "business")
    token = _cli(env, "tokens", "create", "--email", email)
    # Its own Redis database: these rate-limit keys must not meet other tests' creators.
    redis = redis_database("smoke")
    port = free_port()
    log = tmp / "serve.log"
    with run_emulator_in_thread(EmulatorConfig(port=0, seed=3)) as gemini:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis,
            "GEMINI_BASE_URL": gemini,
            "GEMINI_MODEL": "gemini-2.5-flash",
        }
        env.pop("GEMINI_API_KEY", None)
        cli = Path(sys.executable).with_name("huntaze-ai")
        with (
            log.open("wb") as log_file,
            subprocess.Popen(
                [str(cli), "serve", "--port", str(port)],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            ) as proc,
        ):
            try:
                url = f"http://127.0.0.1:{port}"
                _wait_until_serving(proc, url, log)
                yield Deployment(url, token.output.strip(), log)
            finally:
                proc.terminate()
                proc.wait(timeout=20)


def _wait_until_serving(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return
        except httpx.TransportError:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start in 90 s"
            time.sleep(0.3)


def smoke(*args: str) -> Result:
    return CliRunner().invoke(app, ["smoke-test", *args])


def test_a_healthy_deployment_passes(deployment: Deployment) -> None:
    result = smoke("--url", deployment.url, "--token", deployment.token)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == ["✓ healthz", "✓ readyz", "✓ quota"]
    assert lines[1].startswith("✓ readyz: database ok, redis ok")
    assert lines[2].startswith("✓ quota: plan business, spent $")
    assert deployment.token not in result.output


def test_one_real_ai_call_is_charged(deployment: Deployment) -> None:
    result = smoke("--url", deployment.url, "--token", deployment.token, "--ai-call")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "✓ healthz",
        "✓ readyz",
        "✓ quota",
        "✓ caption",
        "✓ spend",
    ]
    assert "captions from gemini-2.5-flash" in lines[3]
    assert deployment.token not in result.output


def test_a_wrong_token_fails_the_quota_check(deployment: Deployment) -> None:
    wrong = f"hz_wrong{uuid.uuid4().hex}"
    result = smoke("--url", deployment.url, "--token", wrong, "--ai-call")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("✓ healthz")
    assert lines[2].startswith("✗ quota: HTTP 401 unauthenticated")
    assert lines[3] == "✗ caption: skipped: the quota check failed"
    assert wrong not in result.output


def test_an_unreachable_url_fails_in_one_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        result = smoke("--url", f"http://127.0.0.1:{port}", "--token", "whatever")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"✗ healthz: cannot reach http://127.0.0.1:{port}: ConnectError")
