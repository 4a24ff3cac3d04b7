"""WEBHOOK_URL and WEBHOOK_SECRET: refused at start-up when unusable, naming the variable;
`config verify` says where events go without printing the secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from huntaze_ai.cli import app
from huntaze_ai.config import ConfigError, load_settings
from huntaze_ai.kit import migrations
from tests.ports import free_port
from tests.webhooks.helpers import SECRET


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WEBHOOK_URL": "ftp://hooks.example/x", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "hooks.example/x", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://hooks.example/x"}, "WEBHOOK_SECRET is required"),
        ({"WEBHOOK_URL": "https://hooks.example/x", "WEBHOOK_SECRET": " "}, "WEBHOOK_SECRET"),
    ],
)
def test_an_unusable_webhook_setting_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=named):
        load_settings()


def test_serve_refuses_to_start_with_a_webhook_url_that_is_not_http(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "WEBHOOK_URL": "file:///etc/passwd",
        "WEBHOOK_SECRET": SECRET,
    }
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
    assert "WEBHOOK_URL: 'file:///etc/passwd' is not an http(s) URL" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_config_verify_reports_where_events_go_and_never_the_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sqlalchemy.engine import make_url

    monkeypatch.chdir(tmp_path)
    database = tmp_path / "v.db"
    migrations.upgrade(make_url(f"sqlite+aiosqlite:///{database}"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    unset = CliRunner().invoke(app, ["config", "verify"])
    monkeypatch.setenv("WEBHOOK_URL", "https://user:pw-123456@hooks.example/ai")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_TIMEOUT_S", "4")
    set_ = CliRunner().invoke(app, ["config", "verify"])

    assert "WEBHOOK_URL: not set: events are recorded and none is sent" in unset.output
    [line] = [t for t in set_.output.splitlines() if "WEBHOOK_URL:" in t]
    assert line.startswith("✓")
    assert "https://hooks.example/ai, signed with WEBHOOK_SECRET (27 characters)" in line
    assert "4 s per attempt, up to 10 attempts" in line
    assert SECRET not in set_.output
    assert "pw-123456" not in set_.output
