"""`huntaze-ai emulator`: the address it prints is the one it listens on, --port 0 included,
and a port already taken is one line."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

CLI = Path(sys.executable).with_name("huntaze-ai")


def test_port_zero_prints_the_port_it_picked_and_answers_there() -> None:
    with subprocess.Popen(
        [str(CLI), "emulator", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=os.environ,
    ) as proc:
        try:
            assert proc.stderr is not None
            banner = proc.stderr.readline()
            found = re.search(r"GEMINI_BASE_URL=(http://127\.0\.0\.1:(\d+))", banner)
            assert found, banner
            stats = httpx.get(f"{found[1]}/emulator/stats", timeout=10)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    assert found[2] != "0"
    assert stats.status_code == 200


def test_a_port_in_use_is_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(CLI), "emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}:")
    assert "Traceback" not in done.stderr
