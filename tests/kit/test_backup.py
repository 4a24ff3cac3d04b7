from __future__ import annotations

import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from huntaze_ai.kit import backup, migrations
from huntaze_ai.kit.backup import BackupError, backup_database, restore_database
from huntaze_ai.kit.db import Base
from tests.kit.conftest import add_user, another_database, execute, seed_every_table, snapshot


def _backup_file(url: URL, tmp_path: Path) -> Path:
    return tmp_path / ("backup.db" if url.get_backend_name() == "sqlite" else "backup.dump")


def test_round_trip_restores_every_row_of_every_table_and_the_revision(
    fresh_database_url: URL, other_database_url: URL, tmp_path: Path
) -> None:
    migrations.upgrade(fresh_database_url)
    seed_every_table(fresh_database_url)
    before = snapshot(fresh_database_url)
    assert set(before) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert all(before.values()), [name for name, rows in before.items() if not rows]

    file = _backup_file(fresh_database_url, tmp_path)
    dumped: list[tuple[int, int | None]] = []
    backup_database(fresh_database_url, file, lambda done, total: dumped.append((done, total)))
    restored: list[tuple[int, int | None]] = []
    revision = restore_database(
        other_database_url, file, progress=lambda done, total: restored.append((done, total))
    )

    assert revision == migrations.head_revision()
    after = snapshot(other_database_url)
    for name, rows in before.items():
        assert after[name] == rows, name
    assert dumped
    assert restored
    if fresh_database_url.get_backend_name() == "sqlite":
        assert dumped[-1][0] == dumped[-1][1]
    # Sequences come back too: the restored database hands out fresh ids, not used ones.
    assert add_user(other_database_url, "new@example.com") > max(r[0] for r in after["users"])


def test_restore_refuses_a_database_holding_data_unless_forced(
    fresh_database_url: URL, other_database_url: URL, tmp_path: Path
) -> None:
    migrations.upgrade(fresh_database_url)
    seed_every_table(fresh_database_url)
    file = _backup_file(fresh_database_url, tmp_path)
    backup_database(fresh_database_url, file)
    migrations.upgrade(other_database_url)
    add_user(other_database_url, "someone-else@example.com")
    target = snapshot(other_database_url)

    with pytest.raises(BackupError, match=r"not empty \(table users has rows\).*--force"):
        restore_database(other_database_url, file)
    assert snapshot(other_database_url) == target

    restore_database(other_database_url, file, force=True)
    assert snapshot(other_database_url) == snapshot(fresh_database_url)


def test_a_truncated_backup_is_refused_before_the_target_is_touched(
    fresh_database_url: URL, other_database_url: URL, tmp_path: Path
) -> None:
    migrations.upgrade(fresh_database_url)
    seed_every_table(fresh_database_url)
    file = _backup_file(fresh_database_url, tmp_path)
    backup_database(fresh_database_url, file)
    data = file.read_bytes()
    file.write_bytes(data[: len(data) * 2 // 3])
    migrations.upgrade(other_database_url)
    add_user(other_database_url, "keep-me@example.com")
    target = snapshot(other_database_url)

    with pytest.raises(BackupError, match="is not a readable") as failure:
        restore_database(other_database_url, file, force=True)
    assert "\n" not in failure.value.message
    assert snapshot(other_database_url) == target


def test_a_pg_restore_failing_half_way_leaves_the_target_as_it_was(
    postgres_server: URL, tmp_path: Path
) -> None:
    with (
        another_database(postgres_server, tmp_path) as source,
        another_database(postgres_server, tmp_path) as target,
    ):
        migrations.upgrade(source)
        seed_every_table(source)
        backup_database(source, tmp_path / "x.dump")
        migrations.upgrade(target)
        add_user(target, "keep-me@example.com")
        # Something the dump does not know depends on `users`, so its DROP fails after the
        # restore has already dropped constraints and indexes of other tables.
        execute(target, "CREATE VIEW user_emails AS SELECT email FROM users")
        before = snapshot(target)

        with pytest.raises(BackupError, match=r"pg_restore failed: .*cannot drop table"):
            restore_database(target, tmp_path / "x.dump", force=True)
        assert snapshot(target) == before
        assert add_user(target, "still-unique@example.com") > 0
        with pytest.raises(IntegrityError):
            add_user(target, "keep-me@example.com")  # the unique index is still there


def test_a_backup_of_another_application_is_refused(
    fresh_database_url: URL, other_database_url: URL, tmp_path: Path
) -> None:
    """A database without alembic_version (here: never migrated) is not a Huntaze AI backup."""
    file = _backup_file(fresh_database_url, tmp_path)
    if fresh_database_url.get_backend_name() == "sqlite":
        with sqlite3.connect(file) as conn:
            conn.execute("CREATE TABLE notes (body TEXT)")
        conn.close()
    else:
        backup_database(fresh_database_url, file)
    with pytest.raises(BackupError, match="not one of Huntaze AI"):
        restore_database(other_database_url, file)


def test_backup_refuses_an_existing_file_unless_forced(
    fresh_database_url: URL, tmp_path: Path
) -> None:
    migrations.upgrade(fresh_database_url)
    file = _backup_file(fresh_database_url, tmp_path)
    file.write_bytes(b"precious")
    with pytest.raises(BackupError, match="already exists; pass --force"):
        backup_database(fresh_database_url, file)
    assert file.read_bytes() == b"precious"
    backup_database(fresh_database_url, file, force=True)
    assert file.read_bytes() != b"precious"
    assert [p.name for p in tmp_path.iterdir()] == [file.name]  # no partial file left behind


def test_a_live_sqlite_database_is_copied_from_one_snapshot_while_writers_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = URL.create("sqlite+aiosqlite", database=str(tmp_path / "live.db"))
    migrations.upgrade(url)
    with sqlite3.connect(tmp_path / "live.db") as conn:
        conn.executemany(
            "INSERT INTO users (email, password_hash, ai_plan, created_at) "
            "VALUES (?, 'x', 'starter', '2026-01-01')",
            [(f"bulk-{n}-{'x' * 300}@example.com",) for n in range(2000)],
        )
    conn.close()
    # One page per step: without a held snapshot, each concurrent write would restart the copy.
    monkeypatch.setattr(backup, "_SQLITE_PAGES_PER_STEP", 1)
    started, stop = threading.Event(), threading.Event()

    def write() -> None:
        with sqlite3.connect(tmp_path / "live.db", timeout=30, isolation_level=None) as writer:
            while not stop.is_set():
                writer.execute(
                    "INSERT INTO users (email, password_hash, ai_plan, created_at) "
                    "VALUES (?, 'x', 'starter', '2026-01-01')",
                    (f"late-{uuid.uuid4().hex}@example.com",),
                )
                started.set()
        writer.close()

    steps: list[int] = []

    def count(done: int, total: int | None) -> None:
        steps.append(done)
        assert len(steps) < 10_000, "the copy keeps restarting"

    thread = threading.Thread(target=write)
    thread.start()
    started.wait(10)
    try:
        backup_database(url, tmp_path / "copy.db", count)
    finally:
        stop.set()
        thread.join()
    assert steps == sorted(steps)
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] > 2000
    copy.close()


def test_the_postgresql_password_travels_in_the_environment_never_on_the_command_line(
    postgres_server: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_popen = subprocess.Popen

    class RecordingPopen(real_popen):  # type: ignore[misc,valid-type]
        def __init__(self, args: list[str], **kwargs: Any) -> None:
            calls.append((list(args), dict(kwargs.get("env") or {})))
            super().__init__(args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", RecordingPopen)
    with another_database(postgres_server, tmp_path) as url:
        # Trust authentication accepts any password, so a made-up one still connects.
        url = url.set(password="s3cret-Pw")
        migrations.upgrade(url)
        backup_database(url, tmp_path / "x.dump")
        restore_database(url, tmp_path / "x.dump", force=True)

    for argv, _ in calls:
        assert not any("s3cret-Pw" in arg for arg in argv), argv
    connecting = [(argv, env) for argv, env in calls if "--list" not in argv]
    assert sorted(Path(argv[0]).name for argv, _ in connecting) == ["pg_dump", "pg_restore"]
    for _, env in connecting:
        assert env["PGPASSWORD"] == "s3cret-Pw"
        assert env["PGDATABASE"] == url.database


def test_a_sqlite_database_is_never_backed_up_onto_or_restored_from_itself(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    url = URL.create("sqlite+aiosqlite", database=str(live))
    migrations.upgrade(url)
    with pytest.raises(BackupError, match="is the database file itself"):
        backup_database(url, live, force=True)
    with pytest.raises(BackupError, match="is the database file itself"):
        restore_database(url, live, force=True)
    assert snapshot(url)["alembic_version"] == [(migrations.head_revision(),)]
