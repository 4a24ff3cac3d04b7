from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy.engine import URL, make_url

from huntaze_ai.kit.migrations import head_revision
from tests.cli.conftest import Invoke
from tests.kit.conftest import add_user, another_database, execute, seed_every_table, snapshot

Cli = Callable[[URL], Invoke]


@pytest.fixture
def databases(fresh_database_url: URL, tmp_path: Path) -> Iterator[tuple[URL, URL]]:
    """A source and a target database on the same backend."""
    with another_database(fresh_database_url, tmp_path) as target:
        yield fresh_database_url, target


def _file(url: URL, tmp_path: Path) -> Path:
    return tmp_path / ("backup.db" if url.get_backend_name() == "sqlite" else "backup.dump")


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_backup_then_restore_into_a_fresh_database_copies_everything(
    cli: Cli, databases: tuple[URL, URL], tmp_path: Path
) -> None:
    source, target = databases
    source = source.set(password="s3cret-Pw") if source.get_backend_name() != "sqlite" else source
    assert cli(source)("db", "upgrade").exit_code == 0
    seed_every_table(source)
    file = _file(source, tmp_path)

    backed_up = cli(source)("db", "backup", str(file))
    assert backed_up.exit_code == 0, backed_up.output
    assert f"to {file} (" in backed_up.output
    assert "s3cret-Pw" not in backed_up.output
    assert file.read_bytes()[:5] in (b"PGDMP", b"SQLit")

    # A migrated database without rows is a fine target: no --force needed.
    assert cli(target)("db", "upgrade").exit_code == 0
    restored = cli(target)("db", "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert f"schema revision: {head_revision()}" in restored.output
    assert "warning" not in restored.output
    assert snapshot(target) == snapshot(source)


def test_restore_refuses_a_database_holding_data_unless_forced(
    cli: Cli, databases: tuple[URL, URL], tmp_path: Path
) -> None:
    source, target = databases
    cli(source)("db", "upgrade")
    seed_every_table(source)
    file = _file(source, tmp_path)
    assert cli(source)("db", "backup", str(file)).exit_code == 0
    cli(target)("db", "upgrade")
    add_user(target, "someone-else@example.com")
    before = snapshot(target)

    refused = cli(target)("db", "restore", str(file))
    assert _one_line_error(refused) == (
        "error: the database is not empty (table users has rows); pass --force to replace it"
    )
    assert snapshot(target) == before

    forced = cli(target)("db", "restore", str(file), "--force")
    assert forced.exit_code == 0, forced.output
    assert snapshot(target) == snapshot(source)


@pytest.mark.parametrize(
    ("tamper", "revision", "warning"),
    [
        (
            "DELETE FROM alembic_version",
            "(none)",
            "warning: the database is behind head ({head}); run `huntaze-ai db upgrade`",
        ),
        (
            "UPDATE alembic_version SET version_num = 'ffffffffffff'",
            "ffffffffffff",
            "warning: revision ffffffffffff is unknown to this version",
        ),
    ],
    ids=["behind", "unknown"],
)
def test_restore_warns_when_the_restored_schema_is_not_head(
    cli: Cli, databases: tuple[URL, URL], tmp_path: Path, tamper: str, revision: str, warning: str
) -> None:
    source, target = databases
    cli(source)("db", "upgrade")
    execute(source, tamper)
    file = _file(source, tmp_path)
    assert cli(source)("db", "backup", str(file)).exit_code == 0

    restored = cli(target)("db", "restore", str(file))
    assert restored.exit_code == 0, restored.output
    assert f"schema revision: {revision}" in restored.stdout
    assert warning.format(head=head_revision()) in restored.stderr


def test_restore_of_a_missing_garbage_or_wrong_kind_file_is_one_line(
    cli: Cli, fresh_database_url: URL, tmp_path: Path
) -> None:
    run = cli(fresh_database_url)
    run("db", "upgrade")
    before = snapshot(fresh_database_url)

    missing = tmp_path / "nope.dump"
    assert _one_line_error(run("db", "restore", str(missing))) == (
        f"error: backup file {missing} does not exist"
    )

    garbage = tmp_path / "notes.txt"
    garbage.write_text("-- PostgreSQL database dump\n")
    assert "is not a backup" in _one_line_error(run("db", "restore", str(garbage)))

    wrong = tmp_path / "wrong-kind"
    if fresh_database_url.get_backend_name() == "sqlite":
        wrong.write_bytes(b"PGDMP\x01\x0f\x00" + bytes(64))
        expected = "is a PostgreSQL dump, but the database is SQLite"
    else:
        with sqlite3.connect(wrong) as conn:
            conn.execute("CREATE TABLE alembic_version (version_num TEXT)")
        conn.close()
        expected = "is a SQLite database, but the database is PostgreSQL"
    assert expected in _one_line_error(run("db", "restore", str(wrong), "--force"))
    assert snapshot(fresh_database_url) == before


def test_backup_refuses_to_overwrite_a_file_unless_forced(
    cli: Cli, fresh_database_url: URL, tmp_path: Path
) -> None:
    run = cli(fresh_database_url)
    run("db", "upgrade")
    file = tmp_path / "existing.bak"
    file.write_bytes(b"yesterday's backup")

    refused = run("db", "backup", str(file))
    assert _one_line_error(refused) == (
        f"error: {file} already exists; pass --force to overwrite it"
    )
    assert file.read_bytes() == b"yesterday's backup"

    forced = run("db", "backup", str(file), "--force")
    assert forced.exit_code == 0, forced.output
    assert file.read_bytes()[:5] in (b"PGDMP", b"SQLit")


def test_a_failing_pg_dump_is_one_line_with_its_error_and_leaves_no_file(
    cli: Cli, tmp_path: Path
) -> None:
    run = cli(make_url("postgresql+asyncpg://postgres:pw@127.0.0.1:1/nowhere"))
    result = run("db", "backup", str(tmp_path / "x.dump"))
    line = _one_line_error(result)
    assert line.startswith("error: pg_dump failed: connection to server")
    assert list(tmp_path.iterdir()) == []


def test_on_a_terminal_a_progress_display_goes_to_stderr(
    cli: Cli, fresh_database_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli(fresh_database_url)
    run("db", "upgrade")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    result = run("db", "backup", str(_file(fresh_database_url, tmp_path)))
    assert result.exit_code == 0, result.output
    assert "Backing up" in result.stderr
    unit = "pages" if fresh_database_url.get_backend_name() == "sqlite" else "objects"
    assert unit in result.stderr
    assert "Backing up" not in result.stdout
