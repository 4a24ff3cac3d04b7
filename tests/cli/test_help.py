"""Every command of DESIGN §6 exists and explains itself."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from huntaze_ai.cli import app

DESIGN_COMMANDS = [
    ("demo", ["--host", "--port"]),
    ("serve", ["--host", "--port", "--workers"]),
    ("emulator", ["--port", "--latency-ms", "--fail-rate", "--fail-status", "--seed"]),
    ("db upgrade", []),
    ("db status", []),
    ("db backup", ["FILE"]),
    ("db restore", ["FILE"]),
    ("users create", ["--email", "--password", "--plan"]),
    ("tokens create", ["--email"]),
    ("demo-data", ["--email"]),
    ("config verify", ["--production"]),
    ("smoke-test", ["--url", "--token"]),
    ("webhooks list", ["--status", "--creator"]),
    ("webhooks retry", ["ID"]),
]


@pytest.mark.parametrize(("command", "options"), DESIGN_COMMANDS)
def test_every_design_command_has_help_with_its_options(command: str, options: list[str]) -> None:
    result = CliRunner().invoke(app, [*command.split(), "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for option in options:
        assert option in result.output
