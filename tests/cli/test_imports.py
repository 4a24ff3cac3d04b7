"""Each command loads only what it needs (issue 16): a command that only reads the database does
not load the web stack, alembic or the model clients. Run in a fresh interpreter, since the test
process has loaded everything already."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("alembic", "fastapi", "starlette", "uvicorn", "pydantic_ai", "google.genai", "openai")

PROBE = """
import atexit, sys
heavy = sys.argv[1].split(",")
atexit.register(lambda: print("LOADED:" + ",".join(m for m in heavy if m in sys.modules)))
sys.argv = ["huntaze-ai", *sys.argv[2:]]
from huntaze_ai.cli import main
main()
"""


def _loaded(
    database: Path, *args: str, heavy: tuple[str, ...] = HEAVY, probe: str = PROBE
) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "GEMINI_BASE_URL")}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    done = subprocess.run(
        [sys.executable, "-c", probe, ",".join(heavy), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("LOADED:"), done.stdout + done.stderr
    return {m for m in line.removeprefix("LOADED:").split(",") if m}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from huntaze_ai.config import normalize_database_url
    from huntaze_ai.kit.migrations import upgrade

    database = tmp_path_factory.mktemp("cli") / "cli.db"
    upgrade(normalize_database_url(f"sqlite:///{database}"))
    return database


def test_help_loads_neither_the_database_nor_the_web_stack(migrated: Path) -> None:
    assert _loaded(migrated, "--help", heavy=(*HEAVY, "sqlalchemy", "pydantic")) == set()


@pytest.mark.parametrize(
    "args",
    [
        ("db", "status"),
        ("db", "upgrade"),
        ("webhooks", "list"),
        ("users", "create", "--email", "imports@example.com", "--password", "long-enough-pw"),
    ],
)
def test_a_database_command_loads_no_web_stack_no_alembic_no_model_client(
    migrated: Path, args: tuple[str, ...]
) -> None:
    assert _loaded(migrated, *args) == set()


def test_upgrading_an_empty_database_loads_alembic_but_not_the_web_stack(tmp_path: Path) -> None:
    assert _loaded(tmp_path / "empty.db", "db", "upgrade") == {"alembic"}


def test_tokens_create_loads_no_web_stack_and_hashes_no_password(migrated: Path) -> None:
    # argon2 costs about 0.1 s of CPU: a token for an existing account needs no password hash.
    email = "tokens@example.com"
    assert (
        _loaded(migrated, "users", "create", "--email", email, "--password", "long-enough-pw")
        == set()
    )
    heavy = (*HEAVY, "argon2 hashed")
    counting = PROBE.replace(
        "from huntaze_ai.cli import main",
        "import argon2\n"
        "real = argon2.PasswordHasher.hash\n"
        "def counted(*args, **kwargs):\n"
        "    sys.modules['argon2 hashed'] = argon2\n"
        "    return real(*args, **kwargs)\n"
        "argon2.PasswordHasher.hash = counted\n"
        "from huntaze_ai.cli import main",
    )
    assert (
        _loaded(migrated, "tokens", "create", "--email", email, heavy=heavy, probe=counting)
        == set()
    )


def test_config_verify_without_redis_or_a_key_loads_neither_client(migrated: Path) -> None:
    assert _loaded(migrated, "config", "verify", heavy=(*HEAVY, "httpx", "redis")) == set()
