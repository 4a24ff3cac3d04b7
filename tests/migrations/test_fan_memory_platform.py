"""Migration 0010 keys a fan's memory by platform: the same fan id on two platforms is two people.
The rows written before it get the platform of the fan they were most likely about (a draft
stored as OnlyFans for want of a platform is first put right when the creator has the id on one
platform only); after it each platform holds its own memory, days and notes; a downgrade keeps one
of each."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from huntaze_ai.kit import migrations
from tests.migrations.sql import execute

_AT = "2026-11-01 10:00:00+00"
_DAY = "2026-11-01"
_USERS = (
    "INSERT INTO users (id, email, password_hash, ai_plan, created_at) VALUES "
    "(1, 'c@example.com', 'x', 'starter', CURRENT_TIMESTAMP), "
    "(2, 'o@example.com', 'x', 'starter', CURRENT_TIMESTAMP)"
)


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _insert(table: str, **values: object) -> str:
    """One row; `platform=None` leaves the column out (it does not exist before 0010)."""
    if values.get("platform", "") is None:
        del values["platform"]
    columns = ", ".join(values)
    literals = ", ".join(map(_literal, values.values()))
    return f"INSERT INTO {table} ({columns}) VALUES ({literals})"  # noqa: S608 - the test's own values


def _draft(id: int, fan: str, platform: str, creator: int = 1) -> str:
    return _insert(
        "drafts", id=id, creator_id=creator, fan_id=fan, platform=platform, fan_message="hey",
        text="hi", guard_verdict="ok", reasons="[]", status="pending", edited=False,
        offer_sent=False, created_at=_AT,
    )  # fmt: skip


def _fan(creator: int, platform: str, fan: str) -> str:
    return _insert(
        "fans", user_id=creator, platform=platform, external_id=fan, total_spent_micros=0,
        tips_micros=0, first_seen_at=_AT,
    )  # fmt: skip


def _message(id: int, fan: str, draft: int | None = None, platform: str | None = None) -> str:
    return _insert(
        "fan_messages", id=id, creator_id=1, fan_id=fan, platform=platform, sender="fan",
        text="hey", draft_id=draft, created_at=_AT,
    )  # fmt: skip


def _note(
    id: int, fan: str, key: str, draft: int | None = None, platform: str | None = None
) -> str:
    return _insert(
        "fan_notes", id=id, creator_id=1, fan_id=fan, platform=platform, category="interests",
        text=key, text_key=key, status="saved", draft_id=draft, created_at=_AT,
    )  # fmt: skip


def _memory(fan: str, auto_notes: int = 0, platform: str | None = None) -> str:
    return _insert(
        "fan_memory", creator_id=1, fan_id=fan, platform=platform, auto_notes=auto_notes,
        auto_day_notes=0, updated_at=_AT,
    )  # fmt: skip


def _day(fan: str, dms: int = 0, platform: str | None = None) -> str:
    return _insert(
        "fan_days", creator_id=1, fan_id=fan, platform=platform, day=_DAY, dms=dms, ppvs=0
    )


def _select(url: URL, statement: str) -> list[tuple[object, ...]]:
    return asyncio.run(execute(url, statement))


# Fan "a" on onlyfans and on fansly (auto_notes / dms / note id tell the two apart), "b" on x only.
_TWO_PLATFORMS = (
    _memory("a", 1, platform="onlyfans"),
    _memory("a", 2, platform="fansly"),
    _memory("b", 3, platform="x"),
    _day("a", 1, platform="onlyfans"),
    _day("a", 2, platform="fansly"),
    _day("b", 3, platform="x"),
    _note(1, "a", "likes cats", platform="onlyfans"),
    _note(2, "a", "likes cats", platform="fansly"),
    _note(3, "b", "likes cats", platform="x"),
    _message(1, "a", platform="onlyfans"),
    _message(2, "a", platform="fansly"),
)


def test_rows_written_before_get_the_platform_of_the_fan_they_were_about(
    fresh_database_url: URL,
) -> None:
    config = migrations.alembic_config(fresh_database_url)
    command.upgrade(config, "0009")
    asyncio.run(
        execute(
            fresh_database_url,
            _USERS,
            # "a": drafted to on fansly, then last on x; a fan on tiktok (a page showed that one)
            _draft(1, "a", "fansly"),
            _draft(2, "a", "x"),
            _fan(1, "tiktok", "a"),
            # "b": no drafts, a fan on instagram
            _fan(1, "instagram", "b"),
            # "c": neither for this creator; another creator's draft and fan do not count
            _draft(3, "c", "tiktok", creator=2),
            _fan(2, "tiktok", "c"),
            # "d": a fan on fansly only, replied to without a platform (stored as OnlyFans)
            _fan(1, "fansly", "d"),
            _draft(4, "d", "onlyfans"),
            # "e": on fansly and x, replied to without a platform: which one is not known
            _fan(1, "fansly", "e"),
            _fan(1, "x", "e"),
            _draft(5, "e", "onlyfans"),
            _message(1, "a", draft=1),
            _message(2, "a"),
            _message(3, "b"),
            _message(4, "c"),
            _message(5, "d", draft=4),
            _note(1, "a", "with draft", draft=1),
            _note(2, "a", "without draft"),
            _note(3, "b", "b"),
            _note(4, "c", "c"),
            _note(5, "d", "d"),
            _memory("a"),
            _memory("b"),
            _memory("c"),
            _memory("d"),
            _day("a"),
            _day("b"),
            _day("c"),
            _day("d"),
        )
    )
    command.upgrade(config, "0010")

    url = fresh_database_url
    drafts = [(1, "fansly"), (2, "x"), (3, "tiktok"), (4, "fansly"), (5, "onlyfans")]
    assert _select(url, "SELECT id, platform FROM drafts ORDER BY id") == drafts
    messages = [(1, "fansly"), (2, "x"), (3, "instagram"), (4, "onlyfans"), (5, "fansly")]
    assert _select(url, "SELECT id, platform FROM fan_messages ORDER BY id") == messages
    notes = [(1, "fansly"), (2, "tiktok"), (3, "instagram"), (4, "onlyfans"), (5, "fansly")]
    assert _select(url, "SELECT id, platform FROM fan_notes ORDER BY id") == notes
    by_fan = [("a", "x"), ("b", "instagram"), ("c", "onlyfans"), ("d", "fansly")]
    assert _select(url, "SELECT fan_id, platform FROM fan_memory ORDER BY fan_id") == by_fan
    assert _select(url, "SELECT fan_id, platform FROM fan_days ORDER BY fan_id") == by_fan


def test_the_same_fan_id_on_two_platforms_has_two_memories_and_one_per_platform(
    fresh_database_url: URL,
) -> None:
    config = migrations.alembic_config(fresh_database_url)
    command.upgrade(config, "0010")
    asyncio.run(execute(fresh_database_url, _USERS, *_TWO_PLATFORMS))

    url = fresh_database_url
    counts = (
        "SELECT (SELECT COUNT(*) FROM fan_memory WHERE fan_id = 'a'), "
        "(SELECT COUNT(*) FROM fan_days WHERE fan_id = 'a'), "
        "(SELECT COUNT(*) FROM fan_notes WHERE fan_id = 'a')"
    )
    assert _select(url, counts) == [(2, 2, 2)]
    # PostgreSQL aborts the transaction of a failed statement: each duplicate runs on its own.
    for duplicate in (
        _memory("a", platform="fansly"),
        _day("a", platform="fansly"),
        _note(4, "a", "likes cats", platform="fansly"),
    ):
        with pytest.raises(IntegrityError):
            asyncio.run(execute(url, duplicate))


def test_a_downgrade_keeps_the_lowest_platforms_row_of_a_fan_id_on_two(
    fresh_database_url: URL,
) -> None:
    config = migrations.alembic_config(fresh_database_url)
    command.upgrade(config, "0010")
    asyncio.run(execute(fresh_database_url, _USERS, *_TWO_PLATFORMS))

    command.downgrade(config, "0009")

    url = fresh_database_url
    # "a" keeps its fansly rows (2), "b" its only one (3); messages have no key to collide on
    kept = [("a", 2), ("b", 3)]
    assert _select(url, "SELECT fan_id, auto_notes FROM fan_memory ORDER BY fan_id") == kept
    assert _select(url, "SELECT fan_id, dms FROM fan_days ORDER BY fan_id") == kept
    assert _select(url, "SELECT fan_id, id FROM fan_notes ORDER BY fan_id") == kept
    assert _select(url, "SELECT id FROM fan_messages ORDER BY id") == [(1,), (2,)]
    command.upgrade(config, "head")
