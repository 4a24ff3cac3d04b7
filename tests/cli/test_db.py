from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.migrations import head_revision
from tests.cli.conftest import Invoke


def test_status_is_behind_then_at_head_after_upgrade_and_upgrade_twice_is_a_no_op(
    cli: Callable[[URL], Invoke], fresh_database_url: URL
) -> None:
    run = cli(fresh_database_url)
    before = run("db", "status")
    assert before.exit_code == 1
    if fresh_database_url.get_backend_name() == "sqlite":  # no file yet: none is created
        assert before.output.startswith("error: no SQLite database at ")
    else:
        assert "behind" in before.output

    first = run("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"-> {head_revision()}" in first.output

    second = run("db", "upgrade")
    assert second.exit_code == 0
    assert "nothing to do" in second.output

    after = run("db", "status")
    assert after.exit_code == 0
    assert f"current:  {head_revision()}" in after.output
    assert "at head" in after.output


@pytest.mark.parametrize("raw", ["mysql://root@localhost/x", "::not a url::"])
def test_a_malformed_database_url_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    from typer.testing import CliRunner

    from huntaze_ai.cli import app

    monkeypatch.setenv("DATABASE_URL", raw)
    result = CliRunner().invoke(app, ["db", "status"])
    assert result.exit_code == 1
    assert "DATABASE_URL" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_database_is_one_line_not_a_traceback(
    cli: Callable[[URL], Invoke],
) -> None:
    from sqlalchemy.engine import make_url

    run = cli(make_url("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"))
    result = run("db", "status")
    assert result.exit_code == 1
    assert result.output.startswith("error: database error")
    assert "Traceback" not in result.output


def test_status_of_a_database_from_a_newer_version_does_not_advise_an_upgrade(
    cli: Callable[[URL], Invoke], fresh_database_url: URL
) -> None:
    import asyncio

    from tests.migrations.sql import execute

    run = cli(fresh_database_url)
    assert run("db", "upgrade").exit_code == 0
    asyncio.run(execute(fresh_database_url, "UPDATE alembic_version SET version_num = '0999'"))
    status = run("db", "status")
    upgrade = run("db", "upgrade")

    assert status.exit_code == 1
    assert "0999 is unknown to this version (written by a newer one?)" in status.output
    assert "run `huntaze-ai db upgrade`" not in status.output
    assert upgrade.exit_code == 1
    assert upgrade.output.startswith("error: migration failed:")
    assert len(upgrade.output.strip().splitlines()) == 1


def test_a_mistyped_sqlite_path_is_named_and_no_file_is_created(
    cli: Callable[[URL], Invoke], tmp_path: Path
) -> None:
    from sqlalchemy.engine import make_url

    typo = tmp_path / "huntaze_ia.db"
    run = cli(make_url(f"sqlite:///{typo}"))
    for command in (("db", "status"), ("tokens", "list", "--email", "a@example.com")):
        result = run(*command)
        assert result.exit_code == 1
        assert result.output.startswith(f"error: no SQLite database at {typo}")
    assert not typo.exists()
