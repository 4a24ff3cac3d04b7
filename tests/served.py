"""A real `huntaze-ai serve` process for tests that need real sockets (slow clients, forwarding
headers, aborted streams): its own migrated SQLite file, Gemini from the test emulator, and only
the environment given here."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL, make_url

from huntaze_ai.config import Settings
from huntaze_ai.kit import migrations
from huntaze_ai.kit.db import Database
from tests.apphelpers import shared_emulator_url
from tests.factories import create_user
from tests.ports import free_port

START_TIMEOUT_S = 90
_APP_VARIABLES = {name.upper() for name in Settings.model_fields} | {"PROMETHEUS_MULTIPROC_DIR"}


@dataclass
class Served:
    host: str
    port: int
    database_url: URL
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def connect(self, timeout: float = 10.0) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def create_creator(self) -> tuple[int, str]:
        """A committed creator (id, email) in this server's database."""

        async def go() -> tuple[int, str]:
            database = Database.from_url(self.database_url)
            try:
                async with database.sessionmaker() as session, session.begin():
                    user = await create_user(session)
                    return user.id, user.email
            finally:
                await database.dispose()

        return asyncio.run(go())

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def serve(tmp_path: Path, workers: int = 1, **env: str) -> Iterator[Served]:
    db_file = tmp_path / "served.db"
    database_url = make_url(f"sqlite+aiosqlite:///{db_file}")
    migrations.upgrade(database_url)
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if k.upper() not in _APP_VARIABLES},
        "DATABASE_URL": f"sqlite:///{db_file}",
        "GEMINI_BASE_URL": shared_emulator_url(),
        **env,
    }
    log = tmp_path / "serve.log"
    cli = Path(sys.executable).with_name("huntaze-ai")
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(cli), "serve", "--port", str(port), "--workers", str(workers)],
            env=environment,
            cwd=tmp_path,  # no stray .env of the checkout is read
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        served = Served("127.0.0.1", port, database_url, log, process)
        try:
            _wait_until_serving(served)
            yield served
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                return
        assert served.process.poll() is None, f"serve exited:\n{served.log_text()[-3000:]}"
        assert time.monotonic() < deadline, f"serve did not start:\n{served.log_text()[-3000:]}"
        time.sleep(0.2)
