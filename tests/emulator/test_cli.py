"""`huntaze-ai emulator`: documented options, and a real server process answering Gemini calls."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from huntaze_ai.cli import app
from huntaze_ai.emulator import EmulatorConfig
from huntaze_ai.emulator.safety import DEFAULT_TRIGGERS, SafetyTrigger
from tests.ports import free_port


def test_emulator_help_lists_its_options() -> None:
    result = CliRunner().invoke(app, ["emulator", "--help"])
    assert result.exit_code == 0, result.output
    for option in (
        "--host",
        "--port",
        "--latency-ms",
        "--fail-rate",
        "--fail-status",
        "--seed",
        "--safety-trigger",
        "--no-safety-triggers",
    ):
        assert option in result.output


def test_emulator_refuses_a_fail_rate_above_one() -> None:
    result = CliRunner().invoke(app, ["emulator", "--fail-rate", "2"])
    assert result.exit_code != 0


@pytest.mark.slow
def test_emulator_command_serves_generate_content_from_a_subprocess(tmp_path: Path) -> None:
    port = free_port()
    cli = Path(sys.executable).with_name("huntaze-ai")
    log = tmp_path / "emulator.log"
    command = [str(cli), "emulator", "--port", str(port), "--seed", "3", "--latency-ms", "5"]
    with (
        log.open("wb") as log_file,
        subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT) as proc,
    ):
        try:
            url = f"http://127.0.0.1:{port}/v1beta/models/gemini-2.5-pro:generateContent"
            body = {"contents": [{"role": "user", "parts": [{"text": "Say hello to my fans"}]}]}
            deadline = time.monotonic() + 30
            while True:
                try:
                    response = httpx.post(
                        url, json=body, headers={"x-goog-api-key": "k"}, timeout=5
                    )
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, "emulator did not start in 30 s"
                    time.sleep(0.2)
            assert response.status_code == 200, response.text
            data = response.json()
            assert data["candidates"][0]["content"]["parts"][0]["text"]
            assert data["usageMetadata"]["promptTokenCount"] > 0
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert proc.returncode in (0, -15), log.read_text()
    assert "GEMINI_BASE_URL" in log.read_text()


def _config_of(args: list[str], monkeypatch: pytest.MonkeyPatch) -> EmulatorConfig:
    """The config `huntaze-ai emulator ARGS` would serve, without serving it."""
    served: list[EmulatorConfig] = []
    # The command imports uvicorn when it runs (a fast CLI start), so the module is patched.
    monkeypatch.setattr(
        "uvicorn.run",
        lambda app, **_: served.append(app.state.emulator.config),
    )
    # Port 0: the command binds its socket before serving, and any free port will do.
    result = CliRunner().invoke(app, ["emulator", "--port", "0", *args])
    assert result.exit_code == 0, result.output
    return served[0]


def test_the_emulator_blocks_for_the_default_triggers_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _config_of([], monkeypatch).safety_triggers == DEFAULT_TRIGGERS
    assert _config_of(["--no-safety-triggers"], monkeypatch).safety_triggers == ()
    triggers = _config_of(
        ["--safety-trigger", "spicy words=harassment", "--safety-trigger", "secret=SPII:prompt"],
        monkeypatch,
    ).safety_triggers
    assert triggers == (
        SafetyTrigger("spicy words", "HARM_CATEGORY_HARASSMENT"),
        SafetyTrigger("secret", "SPII", prompt=True),
    )


@pytest.mark.parametrize("bad", ["no equals sign", "x=HARM_CATEGORY_GOSSIP", "x=harassment:later"])
def test_a_malformed_safety_trigger_is_refused_with_its_option_named(bad: str) -> None:
    result = CliRunner().invoke(app, ["emulator", "--safety-trigger", bad])
    assert result.exit_code == 2
    assert "--safety-trigger" in result.output
